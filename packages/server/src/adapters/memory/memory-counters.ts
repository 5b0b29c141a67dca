import type { Clock } from '../../ports/clock.js';
import type { CounterHit, CounterReading, Counters } from '../../ports/counters.js';

/** `Counters` that also tell how many keys they hold (expired ones included until compaction). */
export interface MemoryCounters extends Counters {
  readonly size: number;
}

/** Options for {@link createMemoryCounters}. */
export interface MemoryCountersOptions {
  clock: Clock;
  /** Upper bound on stored keys (default 100 000); a flood of distinct keys cannot grow past it. */
  maxKeys?: number;
}

interface Entry {
  count: number;
  expiresAt: number;
  /** Set by `once`: a replay guard, evicted only as a last resort. */
  guard: boolean;
}

const DEFAULT_MAX_KEYS = 100_000;

/**
 * In-process `Counters` for the embedded, single-instance mode. Every method body runs to
 * completion without an `await`, so no other call can interleave between a read and its write:
 * that is what makes `hit` and `once` atomic here.
 *
 * Memory is bounded. Keys derive from client input (emails, IPs), so an attacker can mint them
 * without limit; when the table is full it is compacted down to 90 % of `maxKeys`
 * (amortised O(1) per insert), dropping in this order:
 *   1. expired entries (nothing is lost);
 *   2. live entries with the smallest counts, least recently hit first, in tiers (count ≤ 1,
 *      ≤ 2, ≤ 4, …);
 *   3. `once` guards, least recently set first.
 * The trade-off: evicting a live key resets its count, which is a free bypass for whoever owns
 * it. A flood of spoofed keys produces count-1 entries, so tier 2 mostly throws away the flood
 * itself; the keys that carry real evidence (many failures against one account or from one IP)
 * have high counts and survive until the table holds nothing cheaper. Dropping a `once` guard
 * would re-open a replay, so those go last. (Redis has no such choice built in; see the Redis
 * adapter for the `maxmemory-policy` to use.)
 */
export function createMemoryCounters(options: MemoryCountersOptions): MemoryCounters {
  const { clock } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError('maxKeys must be a positive integer');
  }
  const lowWater = Math.min(maxKeys - 1, Math.floor(maxKeys * 0.9));
  // Map iteration order is insertion order; re-inserting on every hit makes it LRU order.
  const entries = new Map<string, Entry>();

  function live(key: string, now: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function insert(key: string, entry: Entry, now: number): void {
    if (!entries.has(key) && entries.size >= maxKeys) compact(now);
    entries.delete(key);
    entries.set(key, entry);
  }

  function evictWhere(keep: (entry: Entry) => boolean): void {
    for (const [key, entry] of entries) {
      if (entries.size <= lowWater) return;
      if (!keep(entry)) entries.delete(key);
    }
  }

  function compact(now: number): void {
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
    let highest = 0;
    for (const entry of entries.values()) if (!entry.guard) highest = Math.max(highest, entry.count);
    for (let limit = 1; entries.size > lowWater; limit *= 2) {
      evictWhere((entry) => entry.guard || entry.count > limit);
      if (limit >= highest) break;
    }
    evictWhere(() => false);
  }

  return {
    async hit(hits: readonly CounterHit[]): Promise<number[]> {
      // Validate every window first so a bad one cannot leave the batch half applied.
      const windows = hits.map(({ windowMs }) => checkDuration(windowMs, 'windowMs'));
      const now = clock.now();
      return hits.map(({ key }, i) => {
        const window = windows[i] ?? 1;
        const entry = live(key, now) ?? { count: 0, expiresAt: now + window, guard: false };
        entry.count += 1;
        insert(key, entry, now);
        return entry.count;
      });
    },

    async peek(keys: readonly string[]): Promise<number[]> {
      const now = clock.now();
      return keys.map((key) => live(key, now)?.count ?? 0);
    },

    async inspect(keys: readonly string[]): Promise<CounterReading[]> {
      const now = clock.now();
      return keys.map((key) => {
        const entry = live(key, now);
        return entry === undefined ? { count: 0, ttlMs: 0 } : { count: entry.count, ttlMs: entry.expiresAt - now };
      });
    },

    async release(key: string): Promise<void> {
      const entry = live(key, clock.now());
      // The entry keeps its window at zero, as in Redis: releasing never restarts a window.
      if (entry !== undefined && entry.count > 0) entry.count -= 1;
    },

    async reset(keys: readonly string[]): Promise<void> {
      for (const key of keys) entries.delete(key);
    },

    async once(key: string, ttlMs: number): Promise<boolean> {
      const ttl = checkDuration(ttlMs, 'ttlMs');
      const now = clock.now();
      if (live(key, now) !== undefined) return false;
      insert(key, { count: 1, expiresAt: now + ttl, guard: true }, now);
      return true;
    },

    async close(): Promise<void> {
      entries.clear();
    },

    get size(): number {
      return entries.size;
    },
  };
}

/** Windows and TTLs are whole milliseconds ≥ 1, as Redis PEXPIRE/PX require. */
function checkDuration(ms: number, name: string): number {
  if (!Number.isFinite(ms) || ms < 1) throw new RangeError(`${name} must be a positive number of milliseconds`);
  return Math.ceil(ms);
}
