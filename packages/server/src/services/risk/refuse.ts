import { PortcullisError } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { SignInAttempt } from '../risk-gate.js';
import type { RiskDecision } from '../../domain/risk/evaluate.js';
import type { Subjects } from './subjects.js';
import { isoTime } from '../context.js';
import { recordEvent } from '../audit.js';
import { riskOf } from './verdict.js';

/**
 * Enforces a `deny`: records the locks that start now (in the database, so they outlive a counter
 * flush, with `user.locked` for account locks), audits the refusal and throws the wire error.
 */
export async function refuse(deps: Deps, attempt: SignInAttempt, subjects: Subjects, decision: RiskDecision): Promise<never> {
  const { ctx } = attempt;
  const risk = riskOf(decision);
  const subjectOf = { account_ip: subjects.accountIp, account: subjects.account, ip: subjects.ip } as const;
  for (const lock of decision.newLocks) {
    await deps.store.transaction(async (tx) => {
      await tx.locks.set(ctx.tenant.id, { scope: lock.scope, subject: subjectOf[lock.scope], untilMs: lock.until }, isoTime(deps.clock.now()));
      if (lock.scope !== 'ip') {
        const user = await tx.users.byEmail(ctx.tenant.id, attempt.email);
        await recordEvent(tx, deps.clock, ctx, {
          type: 'user.locked', outcome: 'success', actor: { kind: 'system', id: null }, target: { kind: 'user', id: user?.id ?? null },
          data: { scope: lock.scope, until: isoTime(lock.until), email: attempt.email }, risk,
        });
      }
    });
  }
  const code = decision.deny?.code ?? 'sign_in_denied';
  await deps.auditWriter.record(ctx, {
    type: 'user.signed_in.failed', outcome: 'denied', actor: { kind: 'user', id: null }, target: { kind: 'account', id: null },
    data: { error: code, email: attempt.email }, risk,
  });
  const retry = decision.deny?.retryAfterS;
  throw new PortcullisError(code, retry === undefined ? {} : { details: { retry_after_s: retry } });
}
