import { PortcullisError, type LoginBody } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import type { IssuedTokens } from './sessions.js';
import { normalizeEmail } from './context.js';
import { startSession } from './sessions.js';
import { startEmailOtp } from './email-otp.js';

/**
 * One password sign-in (DESIGN §5). Cheap checks first: the risk gate refuses or challenges before
 * any hash. Then exactly one argon2id verification — against a dummy hash for unknown emails, so an
 * attacker cannot tell "no such user" from "wrong password" by the answer or its timing.
 */
export async function signIn(deps: Deps, ctx: RequestContext, body: LoginBody): Promise<IssuedTokens> {
  const email = normalizeEmail(body.email);
  const started = performance.now();
  let outcome = 'success';
  let failure: unknown;
  const log = deps.attempts.begin(ctx, email, body.device);
  try {
    const pass = await deps.risk.admit({ ctx, email, captcha: body.captcha, device: body.device, log });
    const user = await deps.store.users.byEmail(ctx.tenant.id, email);
    const hash = user?.passwordHash ?? deps.hasher.dummyHash;
    const matches = await deps.hasher.verify(hash, body.password);
    const risk = { score: pass.verdict.score, action: pass.verdict.action, reasons: pass.verdict.reasons };
    if (pass.stepUp) {
      // The code stands in for the captcha, never for the password: it is only sent when the password was right.
      const right = !!user && !!user.passwordHash && matches && !user.disabled;
      await pass.settle(right ? 'success' : 'failure');
      if (!right) {
        await deps.auditWriter.record(ctx, {
          type: 'user.signed_in.failed', outcome: 'failure', actor: { kind: 'user', id: user?.id ?? null },
          target: { kind: 'user', id: user?.id ?? null }, data: { error: 'invalid_credentials', email, step_up: 'email_otp' }, risk,
        });
      }
      return await startEmailOtp(deps, ctx, email, right ? user : null, pass.stepUp.reason);
    }
    if (!user || !user.passwordHash || !matches) {
      await pass.settle('failure');
      await deps.auditWriter.record(ctx, {
        type: 'user.signed_in.failed', outcome: 'failure', actor: { kind: 'user', id: user?.id ?? null },
        target: { kind: 'user', id: user?.id ?? null }, data: { error: 'invalid_credentials', email }, risk,
      });
      throw new PortcullisError('invalid_credentials');
    }
    await pass.settle('success');
    if (user.disabled) {
      await deps.auditWriter.record(ctx, {
        type: 'user.signed_in.failed', outcome: 'denied', actor: { kind: 'user', id: user.id },
        target: { kind: 'user', id: user.id }, data: { error: 'account_disabled', email }, risk,
      });
      throw new PortcullisError('account_disabled');
    }
    return await startSession(deps, ctx, user, ['pwd'], pass.verdict);
  } catch (error) {
    outcome = error instanceof PortcullisError ? error.code : 'internal_error';
    failure = error;
    throw error;
  } finally {
    log.settle(outcome, failure);
    deps.metrics.signIns.inc({ outcome });
    deps.metrics.signInDuration.observe({ outcome }, (performance.now() - started) / 1000);
  }
}
