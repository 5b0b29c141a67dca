import type { RiskPolicy } from '@portcullis/protocol';
import { IP_CATEGORIES } from './signals.js';
import type { FailureCounter, IpHit, RiskSignals } from './signals.js';
import type { Reason } from './reasons.js';

// The score rules of DESIGN §7: each firing rule adds its points and leaves one reason record.

/**
 * One reason per category. A hit's feed weight, when the feed has one, replaces the category's
 * points (the feed owner knows how much to trust that list); the strongest hit speaks for the
 * category (ties: the feed first by name, so the audit record is stable). A category set to 0
 * in the policy is off: a tenant that serves cloud desktops must be able to ignore datacenters,
 * whatever weight a platform-wide feed carries.
 */
export function ipReasons(hits: readonly IpHit[], points: RiskPolicy['rules']['ip_categories']): Reason[] {
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

const COUNTER_OF = { 'ip.failures': 'ipFailures', 'account.failures': 'accountFailures' } as const satisfies Record<string, FailureCounter>;

/**
 * When a deny score rests on failure counters, the seconds until enough of them reset for the
 * score to fall below the threshold: a person behind a busy NAT is told when to come back
 * instead of being refused with no way forward. Fixed windows drop to zero at their end, so the
 * counters are dropped in the order they reset. Undefined when the rest of the score denies on
 * its own (a known-bot address does not become welcome by waiting).
 */
export function denyRetryAfterS(reasons: readonly Reason[], threshold: number, signals: RiskSignals, now: number): number | undefined {
  let total = 0;
  const timed: { points: number; resetAt: number }[] = [];
  for (const r of reasons) {
    if (!('points' in r)) continue;
    total += r.points;
    if (r.code === 'ip.failures' || r.code === 'account.failures') {
      timed.push({ points: r.points, resetAt: signals.countersResetAt?.[COUNTER_OF[r.code]] ?? now + r.window_s * 1000 });
    }
  }
  timed.sort((a, b) => a.resetAt - b.resetAt);
  for (const t of timed) {
    total -= t.points;
    if (total < threshold) return Math.max(1, Math.ceil((t.resetAt - now) / 1000));
  }
  return undefined;
}

export function failureReasons(signals: RiskSignals, rules: RiskPolicy['rules']): Reason[] {
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

