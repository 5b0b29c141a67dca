import { PROVIDER_CSP, type CspDirective as Directive, type RiskPolicy } from '@portcullis/protocol';

/**
 * The hosted page's Content-Security-Policy: `'self'`, a per-response nonce for its own inline
 * script, and exactly the tenant provider's origins — or, when the tenant serves the widget from
 * its own `script_url` (the emulator, a compatible vendor), that URL's origin for scripts and frames.
 */
export function hostedPageCsp(captcha: RiskPolicy['captcha'], nonce: string): string {
  // The origins come from the table the SDK's `cspFor()` reads (packages/protocol), so a page
  // author's CSP and ours cannot disagree about what a widget needs.
  const extra: Partial<Record<Directive, readonly string[]>> = captcha.provider === null ? {}
    : captcha.script_url?.startsWith('/') ? {} // this server's own path: 'self' already covers it
    : captcha.script_url ? { 'script-src': [new URL(captcha.script_url).origin], 'frame-src': [new URL(captcha.script_url).origin] }
      : PROVIDER_CSP[captcha.provider];
  // DESIGN §16: altcha, as the provider or as the outage fallback, also needs its workers.
  const pow = captcha.provider === 'altcha' || captcha.outage_fallback === 'pow' ? PROVIDER_CSP.altcha : {};
  const list = (d: Directive, base: readonly string[]) => [...new Set([...base, ...(extra[d] ?? []), ...(pow[d] ?? [])])].join(' ');
  return [
    "default-src 'none'",
    `script-src ${list('script-src', ["'self'", `'nonce-${nonce}'`])}`,
    `frame-src ${list('frame-src', ["'self'"])}`,
    `style-src ${list('style-src', ["'self'", `'nonce-${nonce}'`])}`,
    `connect-src ${list('connect-src', ["'self'"])}`,
    `worker-src ${list('worker-src', ["'self'"])}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
