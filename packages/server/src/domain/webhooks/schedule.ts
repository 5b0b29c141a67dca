/** Delays after the 1st, 2nd, … failed attempt (DESIGN §17); after the last one the delivery fails. */
export const RETRY_DELAYS_MS = [5e3, 5 * 60e3, 30 * 60e3, 2 * 3600e3, 5 * 3600e3, 10 * 3600e3, 14 * 3600e3, 20 * 3600e3, 24 * 3600e3] as const;

/** An endpoint failing without a success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 86_400e3;

/** Jitter spreads retries of one outage over ±10 % so a recovering receiver is not hit by every sender at once. */
export const JITTER = 0.1;

/**
 * When to try again after `attempts` failed attempts, or null when the schedule is spent.
 * `random` is in [0, 1) (passed in: the domain draws nothing itself).
 */
export function nextAttemptAt(attempts: number, nowMs: number, random: number): number | null {
  const delay = RETRY_DELAYS_MS[attempts - 1];
  if (delay === undefined) return null;
  return nowMs + Math.round(delay * (1 + JITTER * (2 * random - 1)));
}
