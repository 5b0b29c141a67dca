import { Type, type Static } from 'typebox';
import { CaptchaAnswer, Device } from './auth.js';
import { Identifier } from './common.js';

/**
 * The captcha actions: a token is bound to the door it was solved for (DESIGN §19), so a token
 * minted on the sign-in page cannot be spent on sign-up or a reset flood.
 */
export const CAPTCHA_ACTIONS = ['login', 'signup', 'password_reset'] as const;
export type CaptchaAction = (typeof CAPTCHA_ACTIONS)[number];

const Email = Identifier({ minLength: 1, maxLength: 320 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
/** Mailed tokens are 32 base64url characters; anything much longer is not one of ours. */
const MailedToken = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' });
/** The app's pending sign-in (`/oauth2/authorize?…` of this tenant) to carry through the mailed link; anything else is ignored. */
const ReturnTo = Type.Optional(Type.String({ maxLength: 8192 }));

export const SignupBody = Type.Object({
  email: Email, password: Password, captcha: Type.Optional(CaptchaAnswer), device: Type.Optional(Device), return_to: ReturnTo,
}, { additionalProperties: false });
export type SignupBody = Static<typeof SignupBody>;

export const VerifyEmailBody = Type.Object({ token: MailedToken }, { additionalProperties: false });
export type VerifyEmailBody = Static<typeof VerifyEmailBody>;

export const PasswordResetBody = Type.Object({
  email: Email, captcha: Type.Optional(CaptchaAnswer), device: Type.Optional(Device), return_to: ReturnTo,
}, { additionalProperties: false });
export type PasswordResetBody = Static<typeof PasswordResetBody>;

export const PasswordResetConfirmBody = Type.Object({ token: MailedToken, password: Password }, { additionalProperties: false });
export type PasswordResetConfirmBody = Static<typeof PasswordResetConfirmBody>;

/** The one answer of `POST /api/v1/auth/signup`, whatever the email: taken and free look alike. */
export const SignupAccepted = Type.Object({ data: Type.Object({ state: Type.Literal('verification_sent') }) });
/** The one answer of `POST /api/v1/auth/password-reset`, whether or not the account exists. */
export const PasswordResetAccepted = Type.Object({ data: Type.Object({ state: Type.Literal('reset_requested') }) });
export const PasswordResetDone = Type.Object({ data: Type.Object({ state: Type.Literal('password_reset') }) });

// NIST SP 800-63B §3.1.1.2: at least 8 characters, verifiers may ask for more; 64+ must be allowed.
const MinLength = (d?: number) => Type.Integer({ minimum: 8, maximum: 64, ...(d === undefined ? {} : { default: d }) });
const Flag = (d?: boolean) => Type.Boolean(d === undefined ? {} : { default: d });
const Part = <P extends Parameters<typeof Type.Object>[0]>(p: P, defaults: boolean) =>
  Type.Object(p, { additionalProperties: false, ...(defaults ? { default: {} } : {}) });

/** Tenant settings (`GET/PUT /api/v1/settings`, DESIGN §19): every field has its default. */
export const TenantSettings = Part({
  signup: Part({ enabled: Flag(false), require_email_verification: Flag(true) }, true),
  password: Part({ min_length: MinLength(10), reject_common: Flag(true) }, true),
}, true);
export type TenantSettings = Static<typeof TenantSettings>;

/**
 * What PUT accepts: any part of the document; what it omits keeps its current value. No defaults
 * here: a validator that fills them in would turn "not mentioned" into "reset".
 */
export const TenantSettingsInput = Part({
  signup: Type.Optional(Part({ enabled: Type.Optional(Flag()), require_email_verification: Type.Optional(Flag()) }, false)),
  password: Type.Optional(Part({ min_length: Type.Optional(MinLength()), reject_common: Type.Optional(Flag()) }, false)),
}, false);
export type TenantSettingsInput = Static<typeof TenantSettingsInput>;
