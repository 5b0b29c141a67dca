/**
 * A circuit breaker per provider (DESIGN §6): after `threshold` consecutive failures the provider
 * is skipped for `openMs`, then one probe decides. While open, sign-ins that need a captcha take
 * the outage path at once instead of each waiting out a timeout.
 */
export interface BreakerState {
  failures: number;
  openedAt: number | null;
  probing: boolean;
}

export const closedBreaker = (): BreakerState => ({ failures: 0, openedAt: null, probing: false });

/** Whether a call may go out now; a half-open breaker lets exactly one probe through. */
export function admitCall(state: BreakerState, now: number, openMs: number): { allowed: boolean; next: BreakerState } {
  if (state.openedAt === null) return { allowed: true, next: state };
  if (now - state.openedAt < openMs || state.probing) return { allowed: false, next: state };
  return { allowed: true, next: { ...state, probing: true } };
}

export function recordCall(state: BreakerState, ok: boolean, now: number, threshold: number): BreakerState {
  if (ok) return closedBreaker();
  const failures = state.failures + 1;
  if (state.probing || failures >= threshold) return { failures, openedAt: now, probing: false };
  return { ...state, failures };
}
