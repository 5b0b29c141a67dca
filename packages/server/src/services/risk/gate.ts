import type { Deps } from '../deps.js';
import type { RiskGate, RiskPass, SignInAttempt } from '../risk-gate.js';
import type { FailureCounts, RiskSignals } from '../../domain/risk/signals.js';
import { evaluateRisk } from '../../domain/risk/evaluate.js';
import { deviceConfidence } from '../../domain/risk/device-confidence.js';
import { counterHits, lockSubjects, subjectsFor } from './subjects.js';
import { policyOf } from './policy.js';
import { passChallenge } from './challenge.js';
import { refuse } from './refuse.js';
import { withCounters } from './counter-outage.js';
import { riskOf } from './verdict.js';

/** Positions of the per-IP counters in `counterHits` order (the others are per account). */
const IP_SCOPED = new Set([0, 4]);

const asCounts = (c: number[]): FailureCounts => ({
  ipFailures: c[0] ?? 0, accountFailures: c[1] ?? 0, lockoutAccountIp: c[2] ?? 0, lockoutAccount: c[3] ?? 0, lockoutIp: c[4] ?? 0,
});


/**
 * The risk engine in front of every password (DESIGN §5 steps 2–5). Gathers signals (one counter
 * round trip and one lock query, in parallel), evaluates the pure policy, refuses or challenges
 * before any hash, then reserves a failure slot atomically and re-decides on the reserved counts:
 * of 200 parallel guesses only as many as the policy allows reach the password check.
 */
export function createRiskGate(deps: Deps): RiskGate {
  const counted = <T>(tenantId: string, work: () => Promise<T>) => withCounters(deps, tenantId, work);

  return {
    async admit(attempt: SignInAttempt): Promise<RiskPass> {
      const { ctx } = attempt;
      const { policy, trusted } = policyOf(ctx.tenant);
      const now = deps.clock.now();
      const subjects = subjectsFor(ctx.tenant.id, attempt.email, ctx.ip);
      const hits = counterHits(ctx.tenant.id, subjects, policy);
      const keys = hits.map((h) => h.key);
      const [peeked, locks] = await Promise.all([
        counted(ctx.tenant.id, () => deps.counters.peek(keys)),
        deps.store.locks.active(ctx.tenant.id, lockSubjects(subjects), now),
      ]);
      const lockUntil = (scope: string) => locks.find((l) => l.scope === scope)?.untilMs;
      const signals: RiskSignals = {
        ip: ctx.ip,
        ipHits: deps.reputation.lookup(ctx.tenant.id, ctx.ip),
        trustedNetwork: trusted.has(ctx.ip),
        counts: peeked ? asCounts(peeked) : null,
        locks: { accountIpUntil: lockUntil('account_ip'), accountUntil: lockUntil('account'), ipUntil: lockUntil('ip') },
        deviceConfidence: deviceConfidence(attempt.device?.signals).confidence,
      };
      let decision = evaluateRisk(signals, policy, now);
      attempt.log?.decide(signals, decision);
      for (const r of decision.reasons) deps.metrics.riskDecisions.inc({ action: decision.action, reason: r.code });
      if (decision.reasons.length === 0) deps.metrics.riskDecisions.inc({ action: decision.action, reason: 'none' });
      if (decision.action === 'deny') await refuse(deps, attempt, subjects, decision);

      let challenge = decision.action === 'challenge' ? await passChallenge(deps, attempt, policy, riskOf(decision)) : undefined;

      // Reserve the account slots: the increments are atomic, so parallel attempts at one account
      // see distinct counts and the re-decision lets only those within its limits reach the hash.
      // Per-IP counters are not reserved but counted when a failure lands: one office NAT signing
      // in many people at once is not a failure burst.
      const accountHits = hits.filter((_, i) => !IP_SCOPED.has(i));
      const reserved = await counted(ctx.tenant.id, () => deps.counters.hit(accountHits));
      if (reserved && peeked) {
        const [accountFailures = 0, lockoutAccountIp = 0, lockoutAccount = 0] = reserved.map((c) => c - 1);
        const prior = { ...asCounts(peeked), accountFailures, lockoutAccountIp, lockoutAccount };
        const after = evaluateRisk({ ...signals, counts: prior }, policy, now);
        const escalated = after.action === 'deny' || (after.action === 'challenge' && challenge === undefined);
        if (escalated) {
          await Promise.all(accountHits.map((h) => counted(ctx.tenant.id, () => deps.counters.release(h.key))));
          decision = after;
          attempt.log?.decide({ ...signals, counts: prior }, after);
          if (after.action === 'deny') await refuse(deps, attempt, subjects, after);
          challenge = await passChallenge(deps, attempt, policy, riskOf(after));
        }
      }
      const accountIpKey = hits[2]!.key;
      return {
        verdict: riskOf(decision),
        stepUp: challenge?.kind === 'email_otp' ? { kind: 'email_otp', reason: challenge.reason } : undefined,
        async settle(outcome) {
          await counted(ctx.tenant.id, async () => {
            if (outcome === 'failure') {
              await deps.counters.hit(hits.filter((_, i) => IP_SCOPED.has(i)));
              return;
            }
            if (!reserved) return;
            // Not a failure after all: give the slots back; a success clears the account+IP counter only.
            await Promise.all(accountHits.filter((h) => h.key !== accountIpKey).map((h) => deps.counters.release(h.key)));
            await deps.counters.reset([accountIpKey]);
          });
        },
      };
    },
  };
}
