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
      for (const r of decision.reasons) deps.metrics.riskDecisions.inc({ action: decision.action, reason: r.code });
      if (decision.reasons.length === 0) deps.metrics.riskDecisions.inc({ action: decision.action, reason: 'none' });
      if (decision.action === 'deny') await refuse(deps, attempt, subjects, decision);

      let challenge = decision.action === 'challenge' ? await passChallenge(deps, attempt, policy, riskOf(decision)) : undefined;

      // Reserve: the increments are atomic, so parallel attempts see distinct counts and the
      // re-decision below lets only those within the limits through to the hash.
      const reserved = await counted(ctx.tenant.id, () => deps.counters.hit(hits));
      if (reserved) {
        const after = evaluateRisk({ ...signals, counts: asCounts(reserved.map((c) => c - 1)) }, policy, now);
        const escalated = after.action === 'deny' || (after.action === 'challenge' && challenge === undefined);
        if (escalated) {
          await Promise.all(keys.map((k) => counted(ctx.tenant.id, () => deps.counters.release(k))));
          decision = after;
          if (after.action === 'deny') await refuse(deps, attempt, subjects, after);
          challenge = await passChallenge(deps, attempt, policy, riskOf(after));
        }
      }
      return {
        verdict: riskOf(decision),
        stepUp: challenge?.kind === 'email_otp' ? { kind: 'email_otp', reason: challenge.reason } : undefined,
        async settle(outcome) {
          if (outcome === 'failure' || !reserved) return;
          // Not a failure after all: give the slots back; a success clears the account+IP counter only.
          await counted(ctx.tenant.id, async () => {
            await Promise.all(keys.filter((_, i) => i !== 2).map((k) => deps.counters.release(k)));
            await deps.counters.reset([keys[2]!]);
          });
        },
      };
    },
  };
}
