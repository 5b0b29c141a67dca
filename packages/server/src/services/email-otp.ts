import { randomInt, timingSafeEqual } from 'node:crypto';
import { PortcullisError, type EmailOtpBody } from '@portcullis/protocol';
import type { UserRecord } from '../ports/store.js';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import type { IssuedTokens } from './sessions.js';
import { CounterStoreUnavailableError } from '../ports/counters.js';
import { newId } from '../adapters/crypto/random.js';
import { isoTime } from './context.js';
import { startSession } from './sessions.js';

export const OTP_TTL_S = 600;
export const OTP_MAX_ATTEMPTS = 5;
/** Wrong codes per IP per 15 minutes before `rate_limited`: five tries a challenge must not become unlimited tries by opening many. */
const OTP_IP_LIMIT = 20;
const WINDOW_MS = 15 * 60 * 1000;

/**
 * The outage fallback (DESIGN §6): the same answer whether or not the password was right; the code
 * is mailed only when it was. A wrong password still gets a challenge id, for an attempt whose code
 * nobody will ever receive. The mail goes out after the answer so its latency reveals nothing.
 */
export async function startEmailOtp(deps: Deps, ctx: RequestContext, email: string, user: UserRecord | null, reason: string): Promise<never> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const id = newId('chl');
  await deps.store.emailOtps.insert({
    id, tenantId: ctx.tenant.id, userId: user?.id ?? null, email, codeHash: deps.box.mac(`${id}:${code}`),
    attempts: 0, expiresMs: deps.clock.now() + OTP_TTL_S * 1000, createdAt: isoTime(deps.clock.now()),
  });
  if (user) void sendCode(deps, ctx, user, id, code);
  throw new PortcullisError('email_otp_required', { details: { challenge_id: id, channel: 'email', expires_in: OTP_TTL_S, reason } });
}

async function sendCode(deps: Deps, ctx: RequestContext, user: UserRecord, challengeId: string, code: string): Promise<void> {
  const actor = { kind: 'system' as const, id: null };
  try {
    await deps.mailer.send({
      tenantId: ctx.tenant.id, to: user.email, subject: `Your sign-in code: ${code}`,
      text: `Your ${ctx.tenant.slug} sign-in code is ${code}.\n\nIt expires in 10 minutes. If you did not try to sign in, change your password.\n`,
    });
    await deps.auditWriter.record(ctx, { type: 'email_otp.sent', outcome: 'success', actor, target: { kind: 'user', id: user.id }, data: { challenge_id: challengeId } });
  } catch (error) {
    await deps.auditWriter.record(ctx, { type: 'email_otp.sent', outcome: 'failure', actor, target: { kind: 'user', id: user.id }, data: { challenge_id: challengeId, error: (error as Error).message.slice(0, 200) } }).catch(() => {});
  }
}

/** `POST /api/v1/auth/login/email-otp`: single use, 10 minutes, 5 tries, and wrong codes counted per IP. */
export async function completeEmailOtp(deps: Deps, ctx: RequestContext, body: EmailOtpBody): Promise<IssuedTokens> {
  const ipKey = `otp:${ctx.tenant.id}:${ctx.ip}`;
  const [ipFailures = 0] = await deps.counters.peek([ipKey]).catch((e) => { if (e instanceof CounterStoreUnavailableError) return [0]; throw e; });
  if (ipFailures >= OTP_IP_LIMIT) throw new PortcullisError('rate_limited', { details: { retry_after_s: WINDOW_MS / 1000 } });
  const otp = await deps.store.emailOtps.attempt(ctx.tenant.id, body.challenge_id, deps.clock.now(), OTP_MAX_ATTEMPTS);
  const given = Buffer.from(deps.box.mac(`${body.challenge_id}:${body.code.trim()}`));
  const matches = !!otp && otp.userId !== null && timingSafeEqual(given, Buffer.from(otp.codeHash));
  const user = matches ? await deps.store.users.byId(ctx.tenant.id, otp.userId!) : undefined;
  if (!otp || !matches || !user || user.disabled || !(await deps.store.emailOtps.consume(ctx.tenant.id, otp.id, deps.clock.now()))) {
    await deps.counters.hit([{ key: ipKey, windowMs: WINDOW_MS }]).catch(() => {});
    const attemptsLeft = otp ? Math.max(0, OTP_MAX_ATTEMPTS - otp.attempts) : 0;
    await deps.auditWriter.record(ctx, {
      type: 'email_otp.failed', outcome: 'failure', actor: { kind: 'user', id: otp?.userId ?? null }, target: { kind: 'challenge', id: body.challenge_id.slice(0, 64) },
      data: { attempts_left: attemptsLeft },
    });
    if (otp) deps.attempts.settleEmailOtp(ctx.tenant.id, otp.id, false);
    throw new PortcullisError('otp_invalid', { details: { attempts_left: attemptsLeft } });
  }
  deps.attempts.settleEmailOtp(ctx.tenant.id, otp.id, true);
  await deps.auditWriter.record(ctx, { type: 'email_otp.verified', outcome: 'success', actor: { kind: 'user', id: user.id }, target: { kind: 'challenge', id: otp.id } });
  return startSession(deps, ctx, user, ['pwd', 'otp'], { action: 'step_up', score: 0, reasons: [{ code: 'captcha.outage_fallback' }] });
}
