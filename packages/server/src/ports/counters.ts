/**
 * Short-lived counters for brute-force and abuse limits. Every operation is atomic in every
 * adapter: a service never reads a count and then writes it back (read-then-write lets a
 * parallel burst slip past a limit).
 *
 * Windows are fixed and start at a key's first hit: the count expires `windowMs` after it.
 */
export interface CounterHit {
  key: string;
  windowMs: number;
}

/** One key as it stands: its count and the milliseconds until its window ends (both 0 when absent or expired). */
export interface CounterReading {
  count: number;
  ttlMs: number;
}

export interface Counters {
  /** Adds one to each key (creating it with its window if absent) and returns the new counts, in order; one round trip. */
  hit(hits: readonly CounterHit[]): Promise<number[]>;
  /** Current counts (0 for absent or expired keys), in order; one round trip. */
  peek(keys: readonly string[]): Promise<number[]>;
  /**
   * Counts with the time left in each key's window, in order, read together in one round trip:
   * a refusal that rests on counters can then say when they reset (`retry_after_s`).
   */
  inspect(keys: readonly string[]): Promise<CounterReading[]>;
  /** Gives back one slot taken by `hit` (never below zero). */
  release(key: string): Promise<void>;
  /** Forgets the keys. */
  reset(keys: readonly string[]): Promise<void>;
  /** True the first time `key` is seen within `ttlMs`, false after: a set-if-absent. */
  once(key: string, ttlMs: number): Promise<boolean>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Which `Counters` operation failed, for the audit event and logs (never the key). */
export type CounterOperation = 'hit' | 'peek' | 'inspect' | 'release' | 'reset' | 'once';

/**
 * The counter store could not give an atomic answer (down, unreachable, too slow). A count
 * that is unknown must never read as zero: callers treat the attempt as `challenge` and audit
 * `security.counter_store_unavailable`. Carries the operation, never the keys (they derive
 * from emails and IPs).
 */
export class CounterStoreUnavailableError extends Error {
  override readonly name = 'CounterStoreUnavailableError';
  readonly code = 'counter_store_unavailable';
  readonly operation: CounterOperation;

  constructor(operation: CounterOperation, options?: { cause?: unknown }) {
    super(`counter store unavailable during ${operation}`, options);
    this.operation = operation;
  }
}
