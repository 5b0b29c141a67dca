import type { Deps } from '../deps.js';
import type { RiskGate, RiskPass, SignInAttempt } from '../risk-gate.js';
import type { FailureCounts, RiskSignals } from '../../domain/risk/signals.js';
import { evaluateRisk } from '../../domain/risk/evaluate.js';
import { deviceConfidence } from '../../domain/risk/device-confidence.js';
import { ACCOUNT_COUNTERS, IP_COUNTERS, RECOGNISED_FOR_MS, counterHits, lockSubjects, recognitionKeys, subjectsFor } from './subjects.js';
import { hitNamed, readCounterSignals } from './readings.js';
import { policyOf } from './policy.js';
import { passChallenge } from './challenge.js';
import { refuse } from './refuse.js';
import { withCounters } from './counter-outage.js';
import { riskOf } from './verdict.js';

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
      const subjects = subjectsFor(ctx.tenant.id, attempt.email, ctx.ip, attempt.device?.visitor_id);
      const hits = counterHits(ctx.tenant.id, subjects, policy);
      const marks = recognitionKeys(ctx.tenant.id, subjects);
      const [read, locks] = await Promise.all([
        counted(ctx.tenant.id, () => readCounterSignals(deps.counters, hits, marks, now)),
        deps.store.locks.active(ctx.tenant.id, lockSubjects(subjects), now),
      ]);
      const lockUntil = (scope: string) => locks.find((l) => l.scope === scope)?.untilMs;
      const signals: RiskSignals = {
        ip: ctx.ip,
        ipHits: deps.reputation.lookup(ctx.tenant.id, ctx.ip),
        trustedNetwork: trusted.has(ctx.ip),
        counts: read?.counts ?? null,
        ...(read ? { countersResetAt: read.resetAt } : {}),
        locks: { accountIpUntil: lockUntil('account_ip'), accountUntil: lockUntil('account'), ipUntil: lockUntil('ip') },
        ...(read?.owner ? { owner: read.owner } : {}),
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
      const reserved = await counted(ctx.tenant.id, () => hitNamed(deps.counters, hits, ACCOUNT_COUNTERS));
      if (reserved && read) {
        const prior: FailureCounts = { ...read.counts };
        for (const name of ACCOUNT_COUNTERS) prior[name] = (reserved[name] ?? 1) - 1;
        const after = evaluateRisk({ ...signals, counts: prior }, policy, now);
        const escalated = after.action === 'deny' || (after.action === 'challenge' && challenge === undefined);
        if (escalated) {
          await Promise.all(ACCOUNT_COUNTERS.map((name) => counted(ctx.tenant.id, () => deps.counters.release(hits[name].key))));
          decision = after;
          attempt.log?.decide({ ...signals, counts: prior }, after);
          if (after.action === 'deny') await refuse(deps, attempt, subjects, after);
          challenge = await passChallenge(deps, attempt, policy, riskOf(after));
        }
      }
      return {
        verdict: riskOf(decision),
        stepUp: challenge?.kind === 'email_otp' ? { kind: 'email_otp', reason: challenge.reason } : undefined,
        async settle(outcome) {
          await counted(ctx.tenant.id, async () => {
            if (outcome === 'failure') {
              await deps.counters.hit(IP_COUNTERS.map((name) => hits[name]));
              return;
            }
            // Not a failure after all: give the slots back; a success clears the account+IP counter only.
            if (reserved) await Promise.all(ACCOUNT_COUNTERS.filter((n) => n !== 'lockoutAccountIp').map((n) => deps.counters.release(hits[n].key)));
            // The right password recognises this device and address as the owner's (renewed on each
            // success): someone who knows it is not who the account-wide lock protects against.
            const known = Object.values(marks);
            await deps.counters.reset([hits.lockoutAccountIp.key, ...known]);
            await deps.counters.hit(known.map((key) => ({ key, windowMs: RECOGNISED_FOR_MS })));
          });
        },
      };
    },
  };
}
