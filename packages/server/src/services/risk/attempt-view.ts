import { PortcullisError, type Attempt, type AttemptSignals } from '@portcullis/protocol';
import type { AttemptRow } from '../../ports/attempts.js';
import type { RiskSignals } from '../../domain/risk/signals.js';
import { isoTime } from '../context.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : isoTime(ms));

/** The signals as §15 shows them: snake_case counts, ISO lock ends, and whether the tenant forced a captcha. */
export function signalsView(s: Omit<RiskSignals, 'ip'>, deviceFactors: readonly string[], reasons: ReadonlyArray<{ code: string }>): AttemptSignals {
  const c = s.counts;
  return {
    ip_categories: s.ipHits.map((h) => ({ feed: h.feed, category: h.category, weight: h.weight ?? null })),
    trusted_network: s.trustedNetwork,
    counts: c && {
      ip_failures: c.ipFailures, account_failures: c.accountFailures, lockout_account_ip: c.lockoutAccountIp,
      lockout_account: c.lockoutAccount, lockout_ip: c.lockoutIp,
    },
    locks: { account_ip_until: iso(s.locks.accountIpUntil), account_until: iso(s.locks.accountUntil), ip_until: iso(s.locks.ipUntil) },
    device_confidence: s.deviceConfidence,
    device_factors: [...deviceFactors],
    captcha_always: reasons.some((r) => r.code === 'tenant.captcha_always'),
  };
}

/** One decision-log row on the wire (DESIGN §15). */
export function attemptView(r: AttemptRow): Attempt {
  return {
    id: r.id, kind: r.kind ?? 'login', occurred_at: isoTime(r.occurredMs), ip: r.ip, email: r.email, user_id: r.userId, visitor_id: r.visitorId,
    score: r.score, action: r.action, monitor_only: r.monitorOnly, reasons: r.reasons.map((x) => ({ ...x })),
    signals: signalsView(r, r.deviceFactors, r.reasons),
    outcome: r.outcome as Attempt['outcome'],
    challenge: r.challenge === null ? null : { kind: r.challenge, result: r.challengeResult, provider_result: r.captchaResult, latency_ms: r.captchaLatencyMs },
  };
}

export const invalid = (path: string, message: string) => new PortcullisError('invalid_request', { details: { fields: [{ path, message }] } });

/**
 * A time window from `since`/`until` (ISO strings, already format-checked by the route schema):
 * `until` defaults to now, `since` to `defaultMs` before it; longer than `maxMs` or reversed is refused.
 */
export function windowOf(q: { since?: string | undefined; until?: string | undefined }, now: number, defaultMs: number, maxMs: number, prefix = ''): { sinceMs: number; untilMs: number } {
  const untilMs = q.until === undefined ? now : Date.parse(q.until);
  const sinceMs = q.since === undefined ? untilMs - defaultMs : Date.parse(q.since);
  if (!Number.isFinite(untilMs)) throw invalid(`${prefix}until`, 'must be a date-time');
  if (!Number.isFinite(sinceMs)) throw invalid(`${prefix}since`, 'must be a date-time');
  if (sinceMs >= untilMs) throw invalid(`${prefix}since`, 'must be before until');
  if (untilMs - sinceMs > maxMs) throw invalid(`${prefix}since`, `the window may span at most ${maxMs / 86_400_000} day${maxMs === 86_400_000 ? '' : 's'}`);
  return { sinceMs, untilMs };
}
