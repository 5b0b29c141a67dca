import type { RiskPolicy } from '@portcullis/protocol';
import type { RiskSignals } from './signals.js';
import type { DenyOutcome, Reason, RiskDecision, Verdict } from './reasons.js';
import { findLockouts, type Lockout } from './lockouts.js';
import { denyRetryAfterS, failureReasons, ipReasons } from './score.js';

export type { DenyOutcome, LockScope, NewLock, Reason, RiskAction, RiskDecision, Verdict } from './reasons.js';

/**
 * Decides one password sign-in attempt (DESIGN §7). Pure: `now` is epoch ms, everything else
 * arrives in `signals`. Order of precedence: a hard limit or lock (`account_locked` /
 * `rate_limited`, the longest wait wins, since a shorter `Retry-After` would only earn another
 * refusal) → score ≥ `thresholds.deny` (`sign_in_denied`, with the wait when the score rests on
 * counters) → score ≥ `thresholds.challenge`, the tenant's captcha-on-every-login, an unavailable
 * counter store or a waived account lock (`challenge`) → `allow`.
 * Rules whose points are 0 are switched off and leave no reason.
 */
export function evaluateRisk(signals: RiskSignals, policy: RiskPolicy, now: number): RiskDecision {
  const reasons: Reason[] = [
    ...(signals.trustedNetwork ? [] : ipReasons(signals.ipHits, policy.rules.ip_categories)),
    ...failureReasons(signals, policy.rules),
  ];
  const device = policy.rules.device_low_confidence;
  if (device.points > 0 && signals.deviceConfidence < device.below) {
    reasons.push({ code: 'device.low_confidence', points: device.points, confidence: signals.deviceConfidence, below: device.below });
  }
  const score = Math.min(100, reasons.reduce((sum, r) => sum + ('points' in r ? r.points : 0), 0));

  // A captcha stops a bot and costs a human seconds: when the engine is blind (no counters) or
  // the tenant asks for it, challenging everyone is the safe floor.
  const forced: Reason[] = [];
  if (policy.captcha.on_every_login) forced.push({ code: 'tenant.captcha_always' });
  if (signals.counts === null) forced.push({ code: 'counters.unavailable' });
  const { lockouts, waived } = findLockouts(signals, policy.lockout, now);
  forced.push(...waived);
  reasons.push(...forced, ...lockouts.map((l) => l.reason));

  const refusal = score >= policy.thresholds.deny ? scoreRefusal(denyRetryAfterS(reasons, policy.thresholds.deny, signals, now)) : undefined;
  const verdict = decide(score >= policy.thresholds.challenge || forced.length > 0, lockouts, refusal);
  if (!policy.monitor_only) return { ...verdict, score, reasons, enforced: true };
  return { action: 'allow', newLocks: [], score, reasons, enforced: false, wouldBe: verdict };
}

const scoreRefusal = (retryAfterS: number | undefined): DenyOutcome =>
  (retryAfterS === undefined ? { code: 'sign_in_denied' } : { code: 'sign_in_denied', retryAfterS });

function decide(challenge: boolean, lockouts: Lockout[], refusal: DenyOutcome | undefined): Verdict {
  const longest = lockouts.reduce<Lockout | undefined>((a, l) => (a === undefined || l.retryAfterS > a.retryAfterS ? l : a), undefined);
  if (longest !== undefined) {
    const code = longest.scope === 'ip' ? 'rate_limited' : 'account_locked';
    const newLocks = lockouts.flatMap((l) => (l.newLock ? [l.newLock] : []));
    return { action: 'deny', deny: { code, retryAfterS: longest.retryAfterS }, newLocks };
  }
  if (refusal !== undefined) return { action: 'deny', deny: refusal, newLocks: [] };
  if (challenge) return { action: 'challenge', newLocks: [] };
  return { action: 'allow', newLocks: [] };
}
