import { counterKey } from '../domain/ip/address.js';

/**
 * A bounded share of the event loop for refusals (issue 15, docs/decisions.md "Refusal budget").
 * On a two-core machine the two hash threads need both cores; every refusal a flood earns costs
 * the main thread HTTP, the engine and its audit and decision-log rows, and a flood that gets
 * them as fast as it asks takes the CPU legitimate sign-ins hash with. So refusals are answered
 * at most `ratePerS` a second per process (a token bucket, a tenth of a second of burst), and at most
 * `busyRatePerS` while allowed attempts hold every hash slot (refusals yield to them).
 *
 * A sign-in from an address that has not signed in successfully here lately takes its turn
 * before its body is even read (and gives it back if the engine allows it): a flood from fresh
 * addresses then costs a header parse each, not an engine run and two rows. A trusted address's
 * refusal takes its turn after the engine: its answer waits, which slows a client that waits for
 * answers before asking again to the budget.
 * No wait passes `maxWaitMs`: past it a refusal is answered at once (its work is done), and a
 * request still waiting for its body to be read is told 503 `service_unavailable` with Retry-After.
 *
 * Addresses that signed in successfully here in the last hour never wait before their body, and
 * attempts the engine allows never wait at all: the budget holds refusals only.
 */
export interface RefusalBudget {
  /** A turn: true at once within budget; a promise over it, true when the turn comes, false when the wait would pass the bound. */
  turn(): Promise<boolean> | true;
  /** Gives back a turn taken for an attempt that was allowed after all (it was no refusal). */
  refund(): void;
  /** Whether the budget is spent now: turns would wait. */
  readonly overBudget: boolean;
  /** Marks the address as one that signed in successfully (trusted for an hour). */
  succeeded(ip: string, nowMs: number): void;
  /** Whether the address signed in successfully here within the last hour. */
  trusted(ip: string, nowMs: number): boolean;
  /**
   * Remembers an address-wide block (`rate_limited`) for `tenantId` until `untilMs`, to answer its
   * next attempts before their bodies. Trusted for 30 s at most (then the engine is asked again),
   * so a block an admin lifts on any instance ends here within that.
   */
  block(tenantId: string, ip: string, untilMs: number, nowMs: number): void;
  /** Forgets the address's block (an admin lifted it). */
  unblock(tenantId: string, ip: string): void;
  /** When the address's block for the tenant ends, if it is blocked here now. */
  blockedUntil(tenantId: string, ip: string, nowMs: number): number | undefined;
  /** Turns waiting. */
  readonly waiting: number;
}

export interface RefusalBudgetOptions {
  ratePerS: number;
  /** The rate while `busy()`: allowed attempts are using every hash slot, and refusals yield to them. */
  busyRatePerS?: number;
  busy?: () => boolean;
  maxWaitMs: number;
  /** Addresses remembered (trusted, blocked); the oldest are forgotten past it, so memory stays bounded. */
  maxAddresses?: number;
  /** Monotonic milliseconds (tests drive it). */
  now?: () => number;
}

const TRUSTED_MS = 3_600_000;
const MAX_WAITING = 10_000;
const BURST_S = 0.1;
const BLOCK_TRUST_MS = 30_000;

/** Creates the per-process budget; a rate of 0 switches it off (every turn at once). */
export function createRefusalBudget(options: RefusalBudgetOptions): RefusalBudget {
  const now = options.now ?? (() => performance.now());
  const idleRate = options.ratePerS;
  const busyRate = Math.min(idleRate, options.busyRatePerS ?? idleRate);
  const busy = options.busy ?? (() => false);
  let rate = idleRate;
  const maxAddresses = options.maxAddresses ?? 100_000;
  let tokens = Math.max(1, idleRate * BURST_S);
  let refilledAt = now();
  const queue: Array<{ resolve: (ok: boolean) => void; deadline: number }> = [];
  let timer: NodeJS.Timeout | undefined;
  const trusted = new Map<string, number>();
  const blocks = new Map<string, { until: number; trustedUntil: number }>();

  const refill = (): void => {
    const t = now();
    rate = busy() ? busyRate : idleRate;
    // A tenth of a second of burst at the current rate: a flood that starts gets no head start.
    tokens = Math.min(Math.max(1, rate * BURST_S), tokens + ((t - refilledAt) * rate) / 1000);
    refilledAt = t;
  };
  const drain = (): void => {
    timer = undefined;
    refill();
    const t = now();
    while (queue.length > 0 && (tokens >= 1 || queue[0]!.deadline <= t)) {
      const head = queue.shift()!;
      const ok = tokens >= 1;
      if (ok) tokens -= 1;
      head.resolve(ok);
    }
    // One timer for the whole queue, waking every tenth of a second (or when the head's wait runs
    // out): the turns of one wake-up run together, so their audit and decision-log rows share one
    // group commit and one fsync instead of one each.
    if (queue.length > 0) timer = setTimeout(drain, Math.max(1, Math.min(BURST_S * 1000, queue[0]!.deadline - t))).unref();
  };
  // Insertion order is age order: re-inserting moves an address to the young end, and the oldest go first.
  const remember = <V>(map: Map<string, V>, key: string, until: V): void => {
    map.delete(key);
    map.set(key, until);
    if (map.size > maxAddresses) map.delete(map.keys().next().value!);
  };
  const keyOf = (ip: string) => counterKey(ip) ?? ip;

  return {
    turn() {
      if (idleRate <= 0) return true;
      refill();
      if (queue.length === 0 && tokens >= 1) {
        tokens -= 1;
        return true;
      }
      // Waiting is cheap (a socket and a closure, one timer for all): a flood whose answers wait
      // stops sending once its sockets are all waiting. The bound only caps memory.
      if (queue.length >= MAX_WAITING) return Promise.resolve(false);
      const deadline = now() + options.maxWaitMs;
      const wait = new Promise<boolean>((resolve) => queue.push({ resolve, deadline }));
      if (timer === undefined) drain();
      return wait;
    },
    refund() {
      if (idleRate <= 0) return;
      tokens = Math.min(Math.max(1, rate * BURST_S), tokens + 1);
      if (queue.length > 0 && timer === undefined) drain();
    },
    get overBudget() {
      if (idleRate <= 0) return false;
      refill();
      return queue.length > 0 || tokens < 1;
    },
    get waiting() { return queue.length; },
    succeeded(ip, nowMs) {
      remember(trusted, keyOf(ip), nowMs + TRUSTED_MS);
    },
    trusted(ip, nowMs) {
      const until = trusted.get(keyOf(ip));
      return until !== undefined && until > nowMs;
    },
    block(tenantId, ip, untilMs, nowMs) {
      remember(blocks, `${tenantId} ${keyOf(ip)}`, { until: untilMs, trustedUntil: Math.min(untilMs, nowMs + BLOCK_TRUST_MS) });
    },
    unblock(tenantId, ip) {
      blocks.delete(`${tenantId} ${keyOf(ip)}`);
    },
    blockedUntil(tenantId, ip, nowMs) {
      const block = blocks.get(`${tenantId} ${keyOf(ip)}`);
      return block !== undefined && block.trustedUntil > nowMs ? block.until : undefined;
    },
  };
}
