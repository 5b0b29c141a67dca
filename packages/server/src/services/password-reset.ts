import { PortcullisError, type PasswordResetBody, type PasswordResetConfirmBody } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import { hashSecret } from '../domain/secret-hash.js';
import { isoTime } from './context.js';
import { recordEvent } from './audit.js';
import { settingsOf } from './settings.js';
import { checkNewPassword } from './password-rules.js';
import { admitDoor, throughDoor } from './risk/door.js';
import type { AttemptHandle } from './risk/attempt-log.js';
import { accountSubject } from './risk/subjects.js';
import { withCounters } from './risk/counter-outage.js';
import { accountLink, mailLater } from './account-mail.js';
import { checkedEmail, mailedToken } from './signup.js';
import { authorizeReturn } from '../domain/return-to.js';

/** DESIGN §19: a reset link lives one hour. */
export const RESET_TTL_MS = 3600_000;
/**
 * Reset mails per account per hour, from every address together: a flood from a botnet (which the
 * per-IP rule cannot see as one) still reaches a victim's inbox at most this often.
 */
export const RESET_MAILS_PER_HOUR = 3;

/**
 * `POST /api/v1/auth/password-reset`: always the same 202. The mail goes only to an existing,
 * enabled account, at most {@link RESET_MAILS_PER_HOUR} times an hour; unknown emails are counted
 * the same way so the work done does not differ.
 */
export async function requestPasswordReset(deps: Deps, ctx: RequestContext, body: PasswordResetBody): Promise<void> {
  const email = checkedEmail(body.email);
  await throughDoor(deps, 'password_reset', ctx, email, body.device, (log) => admitted(deps, ctx, body, email, log));
}

async function admitted(deps: Deps, ctx: RequestContext, body: PasswordResetBody, email: string, log: AttemptHandle): Promise<void> {
  const risk = await admitDoor(deps, 'password_reset', { ctx, email, captcha: body.captcha, device: body.device, log });
  const key = `prm:${ctx.tenant.id}:${accountSubject(ctx.tenant.id, email)}`;
  const counted = await withCounters(deps, ctx.tenant.id, () => deps.counters.hit([{ key, windowMs: RESET_TTL_MS }]));
  const user = await deps.store.users.byEmail(ctx.tenant.id, email);
  const base = { type: 'user.password_reset_requested' as const, actor: { kind: 'user' as const, id: null }, target: { kind: 'user', id: user?.id ?? null }, risk };
  // With the counter store down the door gate has already demanded a captcha of everyone.
  if ((counted?.[0] ?? 0) > RESET_MAILS_PER_HOUR) {
    await deps.auditWriter.record(ctx, { ...base, outcome: 'denied', data: { email, why: 'account_mail_limit', limit: RESET_MAILS_PER_HOUR } });
    return;
  }
  if (!user || user.disabled) {
    await deps.auditWriter.record(ctx, { ...base, outcome: 'failure', data: { email, why: user ? 'account_disabled' : 'unknown_email' } });
    return;
  }
  const now = deps.clock.now();
  const { token, hash } = mailedToken();
  await deps.store.transaction(async (tx) => {
    await tx.accountTokens.insert({ tokenHash: hash, tenantId: ctx.tenant.id, userId: user.id, purpose: 'password_reset', expiresMs: now + RESET_TTL_MS, createdAt: isoTime(now) });
    await recordEvent(tx, deps.clock, ctx, { ...base, outcome: 'success', data: { email } });
  });
  // An app's pending sign-in rides along, so the person lands back in it after the reset.
  const back = authorizeReturn(body.return_to, ctx.tenant.slug)?.atIssuer;
  mailLater(deps, ctx, {
    to: user.email, userId: user.id, kind: 'password_reset', auditType: 'user.password_reset_requested',
    subject: `Reset your ${ctx.tenant.slug} password`,
    text: `Someone (perhaps you) asked to reset the password of your ${ctx.tenant.slug} account. Choose a new one within an hour:\n\n${accountLink(deps, ctx, 'reset-password', token, back)}\n\nIf it was not you, ignore this mail: your password stays as it is.\n`,
  });
}

/**
 * `POST /api/v1/auth/password-reset/confirm`: the new password must pass the tenant's rules; the
 * link is spent (single use, 1 h), every session of the user ends (whoever held the old password
 * is out) and the other reset links die. Following the link also proves the address.
 */
export async function confirmPasswordReset(deps: Deps, ctx: RequestContext, body: PasswordResetConfirmBody): Promise<void> {
  checkNewPassword(body.password, settingsOf(ctx.tenant).password);
  const now = deps.clock.now();
  const spent = await deps.store.accountTokens.consume(ctx.tenant.id, hashSecret(body.token), 'password_reset', now);
  const user = spent === undefined ? undefined : await deps.store.users.byId(ctx.tenant.id, spent.userId);
  if (!user || user.disabled) throw new PortcullisError('token_invalid');
  const passwordHash = await deps.hasher.hash(body.password);
  const at = isoTime(now);
  await deps.store.transaction(async (tx) => {
    await tx.users.update(ctx.tenant.id, user.id, { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? at, updatedAt: at });
    const revoked = await tx.sessions.revokeAllForUser(ctx.tenant.id, user.id, at, 'password_reset');
    await tx.accountTokens.voidForUser(ctx.tenant.id, user.id, 'password_reset', now);
    await recordEvent(tx, deps.clock, ctx, {
      type: 'user.password_reset', outcome: 'success', actor: { kind: 'user', id: user.id }, target: { kind: 'user', id: user.id }, data: { sessions_revoked: revoked },
    });
  });
}
