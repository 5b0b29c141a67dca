import type { RiskPolicy } from '@portcullis/protocol';
import { IP_CATEGORIES } from './signals.js';
import type { IpCategory, IpHit, RiskSignals } from './signals.js';

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
  | { code: `lockout.${LockScope}`; locked_until: number; retry_after_s: number };

/** The refusal to send: the error code of DESIGN §4 and, for locks, the `retry_after_s` detail. */
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

interface Lockout {
  scope: LockScope;
  retryAfterS: number;
  reason: Reason;
  newLock?: NewLock;
}

/**
 * Decides one password sign-in attempt (DESIGN §7). Pure: `now` is epoch ms, everything else
 * arrives in `signals`. Order of precedence: a hard limit or lock (`account_locked` /
 * `rate_limited`, the longest wait wins, since a shorter `Retry-After` would only earn another
 * refusal) → score ≥ `thresholds.deny` (`sign_in_denied`) → score ≥ `thresholds.challenge`, the
 * tenant's captcha-on-every-login, or an unavailable counter store (`challenge`) → `allow`.
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
  const lockouts = findLockouts(signals, policy.lockout, now);
  reasons.push(...forced, ...lockouts.map((l) => l.reason));

  const verdict = decide(score, forced.length > 0, lockouts, policy.thresholds);
  if (!policy.monitor_only) return { ...verdict, score, reasons, enforced: true };
  return { action: 'allow', newLocks: [], score, reasons, enforced: false, wouldBe: verdict };
}

function decide(score: number, forceChallenge: boolean, lockouts: Lockout[], thresholds: RiskPolicy['thresholds']): Verdict {
  const longest = lockouts.reduce<Lockout | undefined>((a, l) => (a === undefined || l.retryAfterS > a.retryAfterS ? l : a), undefined);
  if (longest !== undefined) {
    const code = longest.scope === 'ip' ? 'rate_limited' : 'account_locked';
    const newLocks = lockouts.flatMap((l) => (l.newLock ? [l.newLock] : []));
    return { action: 'deny', deny: { code, retryAfterS: longest.retryAfterS }, newLocks };
  }
  if (score >= thresholds.deny) return { action: 'deny', deny: { code: 'sign_in_denied' }, newLocks: [] };
  if (score >= thresholds.challenge || forceChallenge) return { action: 'challenge', newLocks: [] };
  return { action: 'allow', newLocks: [] };
}

/**
 * One reason per category. A hit's feed weight, when the feed has one, replaces the category's
 * points (the feed owner knows how much to trust that list); the strongest hit speaks for the
 * category (ties: the feed first by name, so the audit record is stable). A category set to 0
 * in the policy is off: a tenant that serves cloud desktops must be able to ignore datacenters,
 * whatever weight a platform-wide feed carries.
 */
function ipReasons(hits: readonly IpHit[], points: RiskPolicy['rules']['ip_categories']): Reason[] {
  return IP_CATEGORIES.flatMap((category): Reason[] => {
    if (points[category] === 0) return [];
    let best: { points: number; feed: string } | undefined;
    for (const hit of hits) {
      if (hit.category !== category) continue;
      const p = Math.round(Math.min(100, Math.max(0, hit.weight ?? points[category])));
      if (best === undefined || p > best.points || (p === best.points && hit.feed < best.feed)) best = { points: p, feed: hit.feed };
    }
    return best !== undefined && best.points > 0 ? [{ code: `ip.${category}`, points: best.points, feed: best.feed }] : [];
  });
}

function failureReasons(signals: RiskSignals, rules: RiskPolicy['rules']): Reason[] {
  const counts = signals.counts;
  if (counts === null) return [];
  const out: Reason[] = [];
  const { ip_failures: ip, account_failures: account } = rules;
  // A trusted network is often one NAT for a whole office: its shared failures say nothing about one user.
  if (!signals.trustedNetwork && ip.points > 0 && counts.ipFailures >= ip.limit) {
    out.push({ code: 'ip.failures', points: ip.points, count: counts.ipFailures, limit: ip.limit, window_s: ip.window_s });
  }
  if (account.points > 0 && counts.accountFailures >= account.limit) {
    out.push({ code: 'account.failures', points: account.points, count: counts.accountFailures, limit: account.limit, window_s: account.window_s });
  }
  return out;
}

/**
 * Hard limits beside the score. A lock in force reports its remaining time; a counter at its
 * limit starts a new lock of `lock_s` (`block_s` for an IP). The per-IP limit is off inside a
 * trusted network (one office NAT must not lock out the office); the account limits stay on,
 * since stuffing one account from inside the network is still stuffing.
 */
function findLockouts(signals: RiskSignals, lockout: RiskPolicy['lockout'], now: number): Lockout[] {
  const { counts, locks } = signals;
  const rules: { scope: LockScope; until?: number; count?: number; limit: number; window_s: number; lock_s: number }[] = [
    { scope: 'account_ip', until: locks.accountIpUntil, count: counts?.lockoutAccountIp, ...lockout.account_ip },
    { scope: 'account', until: locks.accountUntil, count: counts?.lockoutAccount, ...lockout.account },
    ...(signals.trustedNetwork ? [] : [{ scope: 'ip' as const, until: locks.ipUntil, count: counts?.lockoutIp, ...lockout.ip, lock_s: lockout.ip.block_s }]),
  ];
  return rules.flatMap((rule): Lockout[] => {
    const scope = rule.scope;
    const code = `lockout.${scope}` as const;
    if (rule.until !== undefined && rule.until > now) {
      const retryAfterS = Math.max(1, Math.ceil((rule.until - now) / 1000));
      return [{ scope, retryAfterS, reason: { code, locked_until: rule.until, retry_after_s: retryAfterS } }];
    }
    if (rule.count !== undefined && rule.count >= rule.limit) {
      const reason: Reason = { code, count: rule.count, limit: rule.limit, window_s: rule.window_s, retry_after_s: rule.lock_s };
      return [{ scope, retryAfterS: rule.lock_s, reason, newLock: { scope, until: now + rule.lock_s * 1000 } }];
    }
    return [];
  });
}
