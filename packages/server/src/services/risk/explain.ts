import type { ExplainQuery, RiskExplanation } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import type { FailureCounts, RiskSignals } from '../../domain/risk/signals.js';
import { evaluateRisk } from '../../domain/risk/evaluate.js';
import { hintFor } from '../../domain/risk/hints.js';
import { canonicalIp } from '../../domain/ip/address.js';
import { CounterStoreUnavailableError } from '../../ports/counters.js';
import { isoTime, normalizeEmail } from '../context.js';
import { policyOf } from './policy.js';
import { counterHits, lockSubjects, subjectsFor } from './subjects.js';
import { attemptView, invalid, signalsView } from './attempt-view.js';

/** The device a sign-in is judged with here: an ordinary browser, so the verdict shows what the address and account alone earn. */
const ASSUMED_DEVICE_CONFIDENCE = 1;
const LATEST_ATTEMPTS = 10;

/**
 * Failure counts as a sign-in would read them, without counting one: only the counters that
 * belong to what was asked (an IP alone has no account counts), zero for the others.
 * Positions follow `counterHits` (FailureCounts order).
 */
async function peekCounts(deps: Deps, keys: string[], wanted: boolean[]): Promise<FailureCounts | null> {
  const asked = keys.filter((_, i) => wanted[i]);
  let values: number[];
  try {
    values = asked.length === 0 ? [] : await deps.counters.peek(asked);
  } catch (error) {
    if (error instanceof CounterStoreUnavailableError) return null;
    throw error;
  }
  let next = 0;
  const [ipFailures = 0, accountFailures = 0, lockoutAccountIp = 0, lockoutAccount = 0, lockoutIp = 0] = wanted.map((w) => (w ? values[next++] ?? 0 : 0));
  return { ipFailures, accountFailures, lockoutAccountIp, lockoutAccount, lockoutIp };
}

/** `GET /api/v1/risk/explain`: why this person or address is treated as it is, right now (DESIGN §15). */
export async function explainRisk(deps: Deps, ctx: RequestContext, q: ExplainQuery): Promise<RiskExplanation> {
  if (q.email === undefined && q.ip === undefined) throw invalid('email', 'give email, ip or both');
  const email = q.email === undefined ? null : normalizeEmail(q.email);
  const ip = q.ip === undefined ? null : canonicalIp(q.ip);
  if (q.ip !== undefined && !ip) throw invalid('ip', 'must be an IPv4 or IPv6 address');
  const tenantId = ctx.tenant.id;
  const { policy, trusted } = policyOf(ctx.tenant);
  const now = deps.clock.now();
  const subjects = subjectsFor(tenantId, email ?? '', ip ?? '');
  const keys = counterHits(tenantId, subjects, policy).map((h) => h.key);
  const byEmail = email !== null, byIp = ip !== null;
  const scopes = lockSubjects(subjects).filter((s) => (s.scope === 'ip' ? byIp : s.scope === 'account' ? byEmail : byEmail && byIp));
  const [counts, locks, user] = await Promise.all([
    peekCounts(deps, keys, [byIp, byEmail, byEmail && byIp, byEmail, byIp]),
    deps.store.locks.active(tenantId, scopes, now),
    email === null ? undefined : deps.store.users.byEmail(tenantId, email),
  ]);
  const until = (scope: string) => locks.find((l) => l.scope === scope)?.untilMs;
  const signals: RiskSignals = {
    ip: ip ?? '', ipHits: ip ? deps.reputation.lookup(tenantId, ip) : [], trustedNetwork: ip ? trusted.has(ip) : false, counts,
    locks: { accountIpUntil: until('account_ip'), accountUntil: until('account'), ipUntil: until('ip') },
    deviceConfidence: ASSUMED_DEVICE_CONFIDENCE,
  };
  // The pure engine on what a sign-in would see now: nothing is counted, locked or audited.
  const decision = evaluateRisk(signals, policy, now);
  await deps.attempts.flushed();
  const latest = await deps.store.attempts.list(tenantId, { ...(email ? { email } : {}), ...(ip ? { ip } : {}), limit: LATEST_ATTEMPTS });
  const context = { ip, email, userId: user?.id ?? null, policy, deviceFactors: [] };
  return {
    subject: { email, ip },
    verdict: { action: decision.wouldBe?.action ?? decision.action, score: decision.score, monitor_only: !decision.enforced, reasons: decision.reasons.map((r) => ({ ...r })) },
    signals: signalsView(signals, [], decision.reasons),
    assumptions: { device_confidence: ASSUMED_DEVICE_CONFIDENCE },
    counters_available: counts !== null,
    locks: locks.map((l) => ({ scope: l.scope, until: isoTime(l.untilMs) })),
    attempts: latest.map(attemptView),
    hints: decision.reasons.map((r) => hintFor(r, context)),
  };
}
