import { PortcullisError, type LoginBody } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import type { IssuedTokens } from './sessions.js';
import { normalizeEmail } from './context.js';
import { startSession } from './sessions.js';
import { startEmailOtp } from './email-otp.js';
import { settingsOf } from './settings.js';
import { awaitRefusalTurn } from './refusal-turn.js';

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
    // Allowed: the turn taken before the body was for a refusal that did not come.
    if (ctx.refusalTurnTaken) { ctx.refusalTurnTaken = false; deps.refusals.refund(); }
    const user = await deps.store.users.byEmail(ctx.tenant.id, email);
    const hash = user?.passwordHash ?? deps.hasher.dummyHash;
    const matches = await deps.hasher.verify(hash, body.password);
    // The code stands in for the captcha, never for the password: it is only sent when the password
    // was right, and on that path a disabled account reads as a wrong password (the answer is the same).
    // An address never proved (DESIGN §19) is told so only after the right password: the answer
    // says nothing about an email to someone who does not know its password.
    const unverified = !!user && user.emailVerifiedAt === null && settingsOf(ctx.tenant).signup.require_email_verification;
    const refusal = !user || !user.passwordHash || !matches || (pass.stepUp && (user.disabled || unverified)) ? 'invalid_credentials'
      : user.disabled ? 'account_disabled' : unverified ? 'email_not_verified' : undefined;
    await pass.settle(refusal === 'invalid_credentials' ? 'failure' : 'success');
    if (refusal !== undefined) {
      await deps.auditWriter.record(ctx, {
        type: 'user.signed_in.failed', outcome: refusal === 'invalid_credentials' ? 'failure' : 'denied',
        actor: { kind: 'user', id: user?.id ?? null }, target: { kind: 'user', id: user?.id ?? null },
        data: { error: refusal, email, ...(pass.stepUp ? { step_up: 'email_otp' } : {}) },
        risk: { score: pass.verdict.score, action: pass.verdict.action, reasons: pass.verdict.reasons },
      });
    }
    if (pass.stepUp) return await startEmailOtp(deps, ctx, email, refusal === undefined ? user! : null, pass.stepUp.reason);
    if (refusal !== undefined) throw new PortcullisError(refusal);
    const issued = await startSession(deps, ctx, user!, ['pwd'], pass.verdict);
    // This address is a person's: during a refusal flood it keeps the fast lane (refusal-budget.ts).
    deps.refusals.succeeded(ctx.ip, deps.clock.now());
    return issued;
  } catch (error) {
    outcome = error instanceof PortcullisError ? error.code : 'internal_error';
    failure = error;
    if (error instanceof PortcullisError) await awaitRefusalTurn(deps, ctx, error);
    throw error;
  } finally {
    log.settle(outcome, failure);
    deps.metrics.signIns.inc({ outcome });
    deps.metrics.signInDuration.observe({ outcome }, (performance.now() - started) / 1000);
  }
}
