import { PortcullisError, invalidRequest, type SignupBody, type VerifyEmailBody } from '@portcullis/protocol';
import type { UserRecord } from '../ports/store.js';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import type { IssuedTokens } from './sessions.js';
import type { AttemptHandle } from './risk/attempt-log.js';
import { newId, randomToken } from '../ports/ids.js';
import { hashSecret } from '../domain/secret-hash.js';
import { EMAIL_SHAPE, isoTime, normalizeEmail } from './context.js';
import { recordEvent } from './audit.js';
import { startSession } from './sessions.js';
import { settingsOf } from './settings.js';
import { checkNewPassword } from './password-rules.js';
import { admitDoor, throughDoor } from './risk/door.js';
import { accountLink, mailLater } from './account-mail.js';
import { authorizeReturn } from '../domain/return-to.js';

/** DESIGN §19: a verification link lives 24 h. */
export const VERIFY_TTL_MS = 24 * 3600_000;

/** A new mailed token: 192 random bits (32 base64url characters); only its SHA-256 is stored. */
export function mailedToken(): { token: string; hash: string } {
  const token = randomToken(24);
  return { token, hash: hashSecret(token) };
}

export function checkedEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (!EMAIL_SHAPE.test(email)) throw invalidRequest([{ path: 'email', message: 'must be an email address' }]);
  return email;
}

/**
 * `POST /api/v1/auth/signup`. The answer is the same whatever the email (no enumeration): a free
 * email gets an account and a verification link, a taken one a mail to its owner instead, a
 * still-unverified one a fresh link. The password is hashed on every path, so the time taken says
 * nothing either; mails leave after the answer.
 */
export async function signUp(deps: Deps, ctx: RequestContext, body: SignupBody): Promise<void> {
  const settings = settingsOf(ctx.tenant);
  if (!settings.signup.enabled) throw new PortcullisError('signup_disabled');
  const email = checkedEmail(body.email);
  await throughDoor(deps, 'signup', ctx, email, body.device, (log) => admitted(deps, ctx, body, email, log));
}

async function admitted(deps: Deps, ctx: RequestContext, body: SignupBody, email: string, log: AttemptHandle): Promise<void> {
  const settings = settingsOf(ctx.tenant);
  const risk = await admitDoor(deps, 'signup', { ctx, email, captcha: body.captcha, device: body.device, log });
  checkNewPassword(body.password, settings.password);
  const passwordHash = await deps.hasher.hash(body.password);
  const existing = await deps.store.users.byEmail(ctx.tenant.id, email);
  const now = deps.clock.now();
  const audit = { actor: { kind: 'user' as const, id: existing?.id ?? null }, risk };
  if (existing && existing.emailVerifiedAt !== null) {
    await deps.auditWriter.record(ctx, { ...audit, type: 'user.signed_up', outcome: 'failure', target: { kind: 'user', id: existing.id }, data: { email, why: 'email_taken' } });
    mailLater(deps, ctx, {
      to: existing.email, userId: existing.id, kind: 'signup_taken', auditType: 'user.signed_up',
      subject: `Someone tried to sign up with your address at ${ctx.tenant.slug}`,
      text: `Someone (perhaps you) tried to create an account at ${ctx.tenant.slug} with this email address, which already has one.\n\nIf it was you, sign in instead, or reset your password if you forgot it. If it was not you, you can ignore this mail: nothing was changed.\n`,
    });
    return;
  }
  const user: UserRecord = existing ?? {
    id: newId('usr'), tenantId: ctx.tenant.id, email, passwordHash, disabled: false, roles: [],
    createdAt: isoTime(now), updatedAt: isoTime(now), emailVerifiedAt: null,
  };
  const { token, hash } = mailedToken();
  await deps.store.transaction(async (tx) => {
    // An address signed up again before it was verified keeps its account; the new link carries the
    // new password and sets it when followed. Earlier links stay live: a stranger signing up with
    // someone's address cannot cancel the owner's link, nor plant a password the owner then verifies.
    if (!existing) await tx.users.insert(user);
    await tx.accountTokens.insert({
      tokenHash: hash, tenantId: ctx.tenant.id, userId: user.id, purpose: 'verify_email', expiresMs: now + VERIFY_TTL_MS, createdAt: isoTime(now), passwordHash,
    });
    await recordEvent(tx, deps.clock, ctx, { ...audit, actor: { kind: 'user', id: user.id }, type: 'user.signed_up', outcome: 'success', target: { kind: 'user', id: user.id }, data: { email, again: existing !== undefined } });
  });
  // An app's pending sign-in rides along in the verification link only: the "email taken" mail
  // above stays word for word the same, so it tells nothing about where the sign-up came from.
  const back = authorizeReturn(body.return_to, ctx.tenant.slug)?.atIssuer;
  mailLater(deps, ctx, {
    to: email, userId: user.id, kind: 'verify_email', auditType: 'user.signed_up',
    subject: `Confirm your email address for ${ctx.tenant.slug}`,
    text: `Welcome! Confirm your email address by opening this link within 24 hours:\n\n${accountLink(deps, ctx, 'verify-email', token, back)}\n\nIf you did not sign up, ignore this mail: no account will be usable without the link.\n`,
  });
}

/** `POST /api/v1/auth/verify-email`: spends the link (single use, 24 h) and signs the person in. */
export async function verifyEmail(deps: Deps, ctx: RequestContext, body: VerifyEmailBody): Promise<IssuedTokens> {
  const now = deps.clock.now();
  const spent = await deps.store.accountTokens.consume(ctx.tenant.id, hashSecret(body.token), 'verify_email', now);
  const found = spent === undefined ? undefined : await deps.store.users.byId(ctx.tenant.id, spent.userId);
  if (!spent || !found || found.disabled) throw new PortcullisError('token_invalid');
  const user: UserRecord = { ...found, passwordHash: spent.passwordHash ?? found.passwordHash, emailVerifiedAt: found.emailVerifiedAt ?? isoTime(now) };
  await deps.store.transaction(async (tx) => {
    // The password is the one of the sign-up whose link this was; the other sign-ups' links die.
    await tx.users.update(ctx.tenant.id, user.id, { passwordHash: user.passwordHash, emailVerifiedAt: user.emailVerifiedAt, updatedAt: isoTime(now) });
    await tx.accountTokens.voidForUser(ctx.tenant.id, user.id, 'verify_email', now);
    await recordEvent(tx, deps.clock, ctx, { type: 'user.email_verified', outcome: 'success', actor: { kind: 'user', id: user.id }, target: { kind: 'user', id: user.id }, data: { email: user.email } });
  });
  return startSession(deps, ctx, user, ['otp'], { action: 'allow', score: 0, reasons: [{ code: 'email.link_verified' }] });
}
