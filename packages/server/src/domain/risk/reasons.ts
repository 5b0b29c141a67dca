import type { IpCategory, OwnerRecognition } from './signals.js';

// The engine's vocabulary: what it answers and the reason records it writes into the audit log.

/** What the sign-in does next: go on to the password, demand a captcha first, or refuse. */
export type RiskAction = 'allow' | 'challenge' | 'deny';

/** Which hard limit a lock belongs to. */
export type LockScope = 'account_ip' | 'account' | 'ip';

/**
 * Why the engine decided as it did: one record per firing rule, with the numbers it compared,
 * written as-is into the audit entry (`context.risk.reasons`) and never sent to the client.
 * Score reasons carry `points`; the others force an outcome beside the score.
 */
export type Reason =
  | { code: `ip.${IpCategory}`; points: number; feed: string }
  | { code: 'ip.failures' | 'account.failures'; points: number; count: number; limit: number; window_s: number }
  | { code: 'device.low_confidence'; points: number; confidence: number; below: number }
  | { code: 'tenant.captcha_always' }
  | { code: 'counters.unavailable' }
  /** A failure counter reached its hard limit with this attempt: a new lock starts now. */
  | { code: `lockout.${LockScope}`; count: number; limit: number; window_s: number; retry_after_s: number }
  /** A lock recorded earlier is still in force (`locked_until` in epoch ms). */
  | { code: `lockout.${LockScope}`; locked_until: number; retry_after_s: number }
  /**
   * The account-wide limit is reached (or its lock in force) but the sender is the recognised
   * owner: challenged instead of locked, so a spray from many addresses cannot lock the owner out.
   */
  | { code: 'lockout.account_waived'; owner: OwnerRecognition; limit: number; window_s: number; count?: number; locked_until?: number };

/**
 * The refusal to send: the error code of DESIGN §4 and the `retry_after_s` detail, for locks and
 * for a `sign_in_denied` whose score rests on failure counters (the time until enough of them reset).
 */
export interface DenyOutcome {
  code: 'account_locked' | 'rate_limited' | 'sign_in_denied';
  retryAfterS?: number;
}

/** A lock the service must record (epoch ms), and audit as `user.locked` for account scopes. */
export interface NewLock {
  scope: LockScope;
  until: number;
}

/** An outcome: the action, the refusal when it is `deny`, and the locks that start with it. */
export interface Verdict {
  action: RiskAction;
  deny?: DenyOutcome;
  newLocks: NewLock[];
}

/**
 * The engine's answer. `action`, `deny` and `newLocks` are what the service enforces. Under
 * `monitor_only` they are always `allow`, none and `[]`, `enforced` is false, and `wouldBe` holds
 * the verdict that enforcement would have produced, for the audit log; `score` and `reasons` are
 * the real ones either way. `wouldBe` is absent when the decision is enforced.
 */
export interface RiskDecision extends Verdict {
  score: number;
  reasons: Reason[];
  enforced: boolean;
  wouldBe?: Verdict;
}
