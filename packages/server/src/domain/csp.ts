import type { RiskPolicy } from '@portcullis/protocol';

type Directive = 'script-src' | 'frame-src' | 'style-src' | 'connect-src';

/** The origins each provider's widget needs (DESIGN §13), exactly. */
export const PROVIDER_ORIGINS: Record<'turnstile' | 'recaptcha' | 'hcaptcha', Partial<Record<Directive, string[]>>> = {
  turnstile: { 'script-src': ['https://challenges.cloudflare.com'], 'frame-src': ['https://challenges.cloudflare.com'] },
  recaptcha: {
    'script-src': ['https://www.google.com/recaptcha/', 'https://www.gstatic.com/recaptcha/'],
    'frame-src': ['https://www.google.com/recaptcha/', 'https://recaptcha.google.com/recaptcha/'],
  },
  hcaptcha: {
    'script-src': ['https://hcaptcha.com', 'https://*.hcaptcha.com'], 'frame-src': ['https://hcaptcha.com', 'https://*.hcaptcha.com'],
    'style-src': ['https://hcaptcha.com', 'https://*.hcaptcha.com'], 'connect-src': ['https://hcaptcha.com', 'https://*.hcaptcha.com'],
  },
};

/**
 * The hosted page's Content-Security-Policy: `'self'`, a per-response nonce for its own inline
 * script, and exactly the tenant provider's origins — or, when the tenant serves the widget from
 * its own `script_url` (the emulator, a compatible vendor), that URL's origin for scripts and frames.
 */
export function hostedPageCsp(captcha: RiskPolicy['captcha'], nonce: string): string {
  const extra: Partial<Record<Directive, string[]>> = captcha.provider === null ? {}
    : captcha.script_url?.startsWith('/') ? {} // this server's own path: 'self' already covers it
    : captcha.script_url ? { 'script-src': [new URL(captcha.script_url).origin], 'frame-src': [new URL(captcha.script_url).origin] }
      : PROVIDER_ORIGINS[captcha.provider];
  const list = (d: Directive, base: string[]) => [...base, ...(extra[d] ?? [])].join(' ');
  return [
    "default-src 'none'",
    `script-src ${list('script-src', ["'self'", `'nonce-${nonce}'`])}`,
    `frame-src ${list('frame-src', ["'self'"])}`,
    `style-src ${list('style-src', ["'self'", `'nonce-${nonce}'`])}`,
    `connect-src ${list('connect-src', ["'self'"])}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
