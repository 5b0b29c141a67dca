/**
 * The captcha providers Portcullis speaks to and what each needs from the outside world
 * (DESIGN §6, §13), written once: the server verifies against these URLs and builds the hosted
 * page's CSP from these origins, and the SDKs load these scripts and tell page authors the same
 * origins through `cspFor()`. A second copy could drift, and a drifted CSP either blocks the
 * widget for every user or allows an origin nobody meant to trust.
 */
export const CAPTCHA_PROVIDERS = ['turnstile', 'recaptcha', 'hcaptcha', 'altcha'] as const;
export type CaptchaProvider = (typeof CAPTCHA_PROVIDERS)[number];
/** The providers behind a third party's siteverify; `altcha` is issued and verified by Portcullis itself (DESIGN §16). */
export type ThirdPartyCaptchaProvider = Exclude<CaptchaProvider, 'altcha'>;

/** Whether `value` names a provider Portcullis supports. */
export function isCaptchaProvider(value: unknown): value is CaptchaProvider {
  return typeof value === 'string' && (CAPTCHA_PROVIDERS as readonly string[]).includes(value);
}

/** The CSP directives a captcha widget can need, in the order a policy lists them. */
export const CSP_DIRECTIVES = ['script-src', 'frame-src', 'style-src', 'connect-src', 'worker-src'] as const;
export type CspDirective = (typeof CSP_DIRECTIVES)[number];

const HCAPTCHA = ['https://hcaptcha.com', 'https://*.hcaptcha.com'] as const;

/**
 * DESIGN §13, to the letter: the sources (beside `'self'`) a page must allow for each provider's
 * real widget. reCAPTCHA's are path-scoped, so a page trusts Google's captcha, not all of Google.
 */
export const PROVIDER_CSP: Readonly<Record<CaptchaProvider, Readonly<Partial<Record<CspDirective, readonly string[]>>>>> = {
  turnstile: { 'script-src': ['https://challenges.cloudflare.com'], 'frame-src': ['https://challenges.cloudflare.com'] },
  recaptcha: {
    'script-src': ['https://www.google.com/recaptcha/', 'https://www.gstatic.com/recaptcha/'],
    'frame-src': ['https://www.google.com/recaptcha/', 'https://recaptcha.google.com/recaptcha/'],
  },
  hcaptcha: { 'script-src': HCAPTCHA, 'frame-src': HCAPTCHA, 'style-src': HCAPTCHA, 'connect-src': HCAPTCHA },
  // Served by Portcullis itself ('self' covers the script, its stylesheet and the challenge
  // fetch); the SDK starts the widget's worker from a blob: URL of the worker code it fetched.
  altcha: { 'worker-src': ['blob:'] },
};

/** The real providers' widget scripts; a tenant's `script_url` (the emulator, a compatible vendor) replaces them. */
export const PROVIDER_SCRIPT_URLS: Readonly<Record<CaptchaProvider, string>> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
  recaptcha: 'https://www.google.com/recaptcha/api.js',
  hcaptcha: 'https://js.hcaptcha.com/1/api.js',
  // A path on the Portcullis server the page talks to (the SDK resolves it against its base URL).
  altcha: '/sdk/altcha.js',
};

/** The real providers' siteverify endpoints; a tenant's `verify_url` replaces them. */
export const SITEVERIFY_URLS: Readonly<Record<ThirdPartyCaptchaProvider, string>> = {
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  recaptcha: 'https://www.google.com/recaptcha/api/siteverify',
  hcaptcha: 'https://api.hcaptcha.com/siteverify',
};

/** Why a captcha token failed: `details.reason` of `captcha_invalid` (DESIGN §4, §6). */
export const CAPTCHA_FAILURES = ['expired', 'already_used', 'invalid', 'action_mismatch', 'hostname_mismatch', 'score_too_low'] as const;
export type CaptchaFailure = (typeof CAPTCHA_FAILURES)[number];
