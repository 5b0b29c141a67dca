import { ANALYTICS_MAX_WINDOW_DAYS, PortcullisError, type AttemptQuery, type RiskStats, type StatsBucket, type StatsQuery } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import type { AttemptFilter, AttemptGroup } from '../../ports/attempts.js';
import { canonicalIp } from '../../domain/ip/address.js';
import { decodeCursor, encodeCursor, isoTime, normalizeEmail } from '../context.js';
import { attemptView, invalid, windowOf } from './attempt-view.js';

const DAY_MS = 86_400_000;
const BUCKET_MS: Record<StatsBucket, number> = { minute: 60_000, hour: 3_600_000, day: DAY_MS };
/** Minute buckets over a day are 1,440 points; longer windows take hour or day buckets. */
const MAX_WINDOW_MS: Record<StatsBucket, number> = { minute: DAY_MS, hour: ANALYTICS_MAX_WINDOW_DAYS * DAY_MS, day: ANALYTICS_MAX_WINDOW_DAYS * DAY_MS };

function filterOf(q: AttemptQuery, limit: number): AttemptFilter {
  const f: AttemptFilter = { limit };
  if (q.email !== undefined) f.email = normalizeEmail(q.email);
  if (q.ip !== undefined) {
    const ip = canonicalIp(q.ip);
    if (!ip) throw invalid('ip', 'must be an IPv4 or IPv6 address');
    f.ip = ip;
  }
  if (q.action !== undefined) f.action = q.action;
  if (q.reason !== undefined) f.reason = q.reason;
  if (q.outcome !== undefined) f.outcome = q.outcome;
  if (q.since !== undefined) f.sinceMs = Date.parse(q.since);
  if (q.until !== undefined) f.untilMs = Date.parse(q.until);
  const cursor = decodeCursor(q.cursor);
  if (cursor !== undefined) {
    // A cursor we did not issue must not silently restart the walk from the newest attempt.
    const m = /^([0-9]{1,16})\.(att_[0-9A-Z]{26})$/.exec(cursor);
    if (!m) throw invalid('cursor', 'is not a cursor this API issued');
    f.before = { ms: Number(m[1]), id: m[2]! };
  }
  return f;
}

/** `GET /api/v1/risk/attempts`: newest first, keyset-paged, every filter validated. */
export async function listAttempts(deps: Deps, ctx: RequestContext, q: AttemptQuery) {
  const limit = q.limit ?? 50;
  const filter = filterOf(q, limit + 1);
  await deps.attempts.flushed();
  const rows = await deps.store.attempts.list(ctx.tenant.id, filter);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(attemptView),
    meta: { next_cursor: rows.length > limit && last ? encodeCursor(`${last.occurredMs}.${last.id}`) : null, limit },
  };
}

export async function getAttempt(deps: Deps, ctx: RequestContext, id: string) {
  await deps.attempts.flushed();
  const row = await deps.store.attempts.get(ctx.tenant.id, id);
  if (!row) throw new PortcullisError('not_found', { message: 'No such attempt.' });
  return attemptView(row);
}

const SUCCEEDED = new Set(['success', 'email_otp_passed']);
const VERIFIED = new Set(['passed', 'failed', 'unreachable', 'misconfigured']);

/**
 * `GET /api/v1/risk/stats`: attempts per time bucket, the challenge funnel per reason, and the
 * captcha provider's health. The database groups; this folds the groups (few: buckets × outcome mixes).
 */
export async function riskStats(deps: Deps, ctx: RequestContext, q: StatsQuery): Promise<RiskStats> {
  const bucket = q.bucket ?? 'hour';
  const size = BUCKET_MS[bucket];
  const window = windowOf(q, deps.clock.now(), DAY_MS, MAX_WINDOW_MS[bucket]);
  // Buckets start on UTC boundaries, so two calls over overlapping windows chart the same points.
  const sinceMs = Math.floor(window.sinceMs / size) * size;
  const { untilMs } = window;
  await deps.attempts.flushed();
  const [groups, p50, p99] = await Promise.all([
    deps.store.attempts.groups(ctx.tenant.id, sinceMs, untilMs, size),
    deps.store.attempts.latencyQuantile(ctx.tenant.id, sinceMs, untilMs, 0.5),
    deps.store.attempts.latencyQuantile(ctx.tenant.id, sinceMs, untilMs, 0.99),
  ]);
  const buckets = Array.from({ length: Math.ceil((untilMs - sinceMs) / size) }, (_, i) => ({
    start: isoTime(sinceMs + i * size), attempts: 0, allowed: 0, challenged: 0, denied: 0, captcha_passed: 0, captcha_failed: 0, succeeded: 0,
  }));
  const reasons = new Map<string, { code: string; fired: number; challenged: number; passed: number; failed: number }>();
  const provider = { verifications: 0, unreachable: 0 };
  for (const g of groups) foldGroup(g, buckets, reasons, provider);
  return {
    buckets,
    reasons: [...reasons.values()].sort((a, b) => b.fired - a.fired || (a.code < b.code ? -1 : 1))
      .map((r) => ({ ...r, solve_rate: r.challenged === 0 ? null : Math.round((r.passed / r.challenged) * 1000) / 1000 })),
    provider: { ...provider, p50_ms: p50, p99_ms: p99 },
  };
}

type Bucket = { attempts: number; allowed: number; challenged: number; denied: number; captcha_passed: number; captcha_failed: number; succeeded: number };

function foldGroup(g: AttemptGroup, buckets: Bucket[], reasons: Map<string, { code: string; fired: number; challenged: number; passed: number; failed: number }>, provider: { verifications: number; unreachable: number }): void {
  const b = buckets[g.bucket];
  const n = g.count;
  if (b) {
    b.attempts += n;
    if (g.action === 'allow') b.allowed += n;
    else if (g.action === 'challenge') b.challenged += n;
    else b.denied += n;
    if (g.challenge === 'captcha' && g.challengeResult === 'passed') b.captcha_passed += n;
    if (g.challenge === 'captcha' && g.challengeResult === 'failed') b.captcha_failed += n;
    if (SUCCEEDED.has(g.outcome)) b.succeeded += n;
  }
  for (const code of g.reasonCodes.split(',').filter(Boolean)) {
    const r = reasons.get(code) ?? { code, fired: 0, challenged: 0, passed: 0, failed: 0 };
    r.fired += n;
    if (g.action === 'challenge') {
      r.challenged += n;
      if (g.challengeResult === 'passed') r.passed += n;
      if (g.challengeResult === 'failed') r.failed += n;
    }
    reasons.set(code, r);
  }
  if (g.captchaResult !== null && VERIFIED.has(g.captchaResult)) provider.verifications += n;
  if (g.captchaResult === 'unreachable') provider.unreachable += n;
}
