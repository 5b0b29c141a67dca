/** The three captcha providers the emulator stands in for. */
export type Provider = 'turnstile' | 'recaptcha' | 'hcaptcha';

/** Every provider, in a stable order (for counters and iteration). */
export const PROVIDERS: readonly Provider[] = ['turnstile', 'recaptcha', 'hcaptcha'];

/**
 * How siteverify misbehaves. `ok` answers truthfully; every other mode is a fault a real
 * provider (or a proxy in front of it) has been seen to produce, so the server's
 * fail-closed path can be exercised on purpose.
 */
export type OutageMode =
  | 'ok'
  | 'refuse'          // the connection is destroyed without an answer
  | 'hang'            // the request is held open forever
  | 'http500'
  | 'http429'
  | 'html'            // 200 with an HTML page (captive portal, CDN error page)
  | 'invalid_json'    // 200, application/json, truncated body
  | 'empty_object'    // 200, `{}`
  | 'success_string'  // 200, `"success":"true"` as a string
  | 'internal_error'; // 200, `{"success":false,"error-codes":["internal-error"]}`

/** Every outage mode, for validation of the HTTP control endpoint. */
export const OUTAGE_MODES: readonly OutageMode[] = [
  'ok', 'refuse', 'hang', 'http500', 'http429', 'html', 'invalid_json', 'empty_object',
  'success_string', 'internal_error',
];

/**
 * What the widget does for a sitekey: pass without interaction, wait for a click on
 * "I am human", or refuse to issue a token at all.
 */
export type ChallengeBehaviour = 'auto' | 'click' | 'block';

/** An emulated provider account: a sitekey and the secret that may verify its tokens. */
export interface SiteRegistration {
  provider: Provider;
  sitekey: string;
  secret: string;
  /** reCAPTCHA v3 / hCaptcha Enterprise score put in answers; its presence makes a reCAPTCHA site v3. */
  score?: number;
  /** Widget behaviour; defaults: Turnstile `auto` (managed mode passes most humans), others `click`. */
  challenge?: ChallengeBehaviour;
}

/** The facts a token carries, protected by the emulator's HMAC. */
export interface TokenClaims {
  provider: Provider;
  sitekey: string;
  action: string;
  hostname: string;
  cdata: string;
  /** Issue time in milliseconds since the epoch; `challenge_ts` derives from it. */
  issuedAt: number;
  /** Whether a click was needed (Turnstile `metadata.interactive`). */
  interactive: boolean;
  /** reCAPTCHA flavour: `v3` tokens come from `execute(sitekey, { action })`. */
  version: 'v2' | 'v3';
  /** Random id: what single use is enforced on. */
  nonce: string;
}

/** Input of `controls.mintToken`: everything but the nonce, with defaults for the rest. */
export interface MintInput {
  provider: Provider;
  sitekey: string;
  action?: string;
  hostname?: string;
  cdata?: string;
  interactive?: boolean;
  version?: 'v2' | 'v3';
  issuedAt?: number;
}

/** Parameters a siteverify request carries, whatever its encoding. */
export interface SiteverifyParams {
  secret?: string;
  response?: string;
  remoteip?: string;
  idempotency_key?: string;
  sitekey?: string;
  /** Set when the body could not be parsed at all. */
  malformed?: boolean;
}

/** A siteverify JSON answer, shaped per provider. */
export type SiteverifyAnswer = Record<string, unknown> & { success: boolean };

/** Options of `createCaptchaEmulator`. */
export interface EmulatorOptions {
  /** Clock in milliseconds; tests inject one to move past token expiry. */
  now?: () => number;
  /** HMAC key for tokens; random per emulator when omitted. */
  tokenKey?: Uint8Array;
  /** Token lifetime in seconds (default 300, Turnstile's documented validity). */
  tokenTtlSeconds?: number;
  /** Sites registered from the start (same as calling `controls.registerSite`). */
  sites?: readonly SiteRegistration[];
}
