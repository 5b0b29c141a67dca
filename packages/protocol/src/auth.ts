import { Type, type Static } from 'typebox';
import { CAPTCHA_PROVIDERS } from './captcha-providers.js';
import { Identifier } from './common.js';

export { CAPTCHA_PROVIDERS, type CaptchaProvider } from './captcha-providers.js';

/**
 * Device signals the SDK collects (DESIGN §7). The server computes confidence from them;
 * unknown keys are accepted and ignored, the body limit bounds their size.
 */
export const DeviceSignals = Type.Object({
  webdriver: Type.Optional(Type.Boolean()),
  headless_ua: Type.Optional(Type.Boolean()),
  plugins: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  languages: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000 })),
  canvas: Type.Optional(Type.Union([Type.Literal('stable'), Type.Literal('noisy'), Type.Literal('blocked')])),
  webgl: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('software'), Type.Literal('blocked')])),
  audio: Type.Optional(Type.Union([Type.Literal('stable'), Type.Literal('noisy'), Type.Literal('blocked')])),
  storage_quota_mb: Type.Optional(Type.Number({ minimum: 0 })),
  timezone: Type.Optional(Identifier({ maxLength: 64 })),
  tz_offset_min: Type.Optional(Type.Integer({ minimum: -1440, maximum: 1440 })),
  screen: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 100_000 }), { maxItems: 3 })),
  hardware_concurrency: Type.Optional(Type.Integer({ minimum: 0, maximum: 4096 })),
  ua_ch_mismatch: Type.Optional(Type.Boolean()),
}, { additionalProperties: true, maxProperties: 64 });
export type DeviceSignals = Static<typeof DeviceSignals>;

export const Device = Type.Object({
  visitor_id: Type.Optional(Identifier({ maxLength: 128 })),
  signals: Type.Optional(DeviceSignals),
}, { additionalProperties: false });
export type Device = Static<typeof Device>;

/** A captcha answer. The token is checked by the captcha verifier, not the schema, so that an odd token gets `captcha_invalid`. */
export const CaptchaAnswer = Type.Object({
  provider: Type.Enum(CAPTCHA_PROVIDERS),
  token: Type.Unknown(),
}, { additionalProperties: false });

/**
 * `GET <issuer>/captcha/altcha/challenge` (DESIGN §16): an ALTCHA PoW v2 challenge as the widget
 * reads it. `data` carries the binding (tenant, action) and the deadline, all under the signature.
 */
export const AltchaChallenge = Type.Object({
  parameters: Type.Object({
    algorithm: Type.String(), nonce: Type.String(), salt: Type.String(), cost: Type.Integer(), keyLength: Type.Integer(),
    keyPrefix: Type.String(), keySignature: Type.String(),
    data: Type.Object({ tenant: Type.String(), action: Type.String(), expires_at: Type.Integer({ description: 'epoch seconds' }) }),
  }),
  signature: Type.String(),
});
export type AltchaChallenge = Static<typeof AltchaChallenge>;

export const LoginBody = Type.Object({
  email: Identifier({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  captcha: Type.Optional(CaptchaAnswer),
  device: Type.Optional(Device),
}, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const EmailOtpBody = Type.Object({
  challenge_id: Identifier({ minLength: 1, maxLength: 64 }),
  code: Identifier({ minLength: 1, maxLength: 16 }),
}, { additionalProperties: false });
export type EmailOtpBody = Static<typeof EmailOtpBody>;

export const SignInSuccess = Type.Object({
  data: Type.Object({
    state: Type.Literal('success'),
    session: Type.Object({ id: Type.String(), user_id: Type.String() }),
    access_token: Type.String(),
    refresh_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer(),
  }),
});
export type SignInSuccess = Static<typeof SignInSuccess>;

/** `POST /oauth2/token` form body: client credentials or refresh-token rotation. */
export const TokenRequest = Type.Object({
  grant_type: Identifier({ minLength: 1, maxLength: 64 }),
  client_id: Type.Optional(Identifier({ maxLength: 128 })),
  client_secret: Type.Optional(Type.String({ maxLength: 256 })),
  scope: Type.Optional(Identifier({ maxLength: 1024 })),
  refresh_token: Type.Optional(Type.String({ maxLength: 512 })),
  // authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5): a verifier is 43-128 unreserved characters.
  code: Type.Optional(Type.String({ maxLength: 256 })),
  redirect_uri: Type.Optional(Identifier({ maxLength: 2048 })),
  code_verifier: Type.Optional(Type.String({ maxLength: 128 })),
}, { additionalProperties: true });
export type TokenRequest = Static<typeof TokenRequest>;

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  id_token: Type.Optional(Type.String()),
});
export type TokenResponse = Static<typeof TokenResponse>;
