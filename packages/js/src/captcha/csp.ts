import { CSP_DIRECTIVES as DIRECTIVES, PROVIDER_CSP as SOURCES, type CspDirective } from '@portcullis/protocol';
import type { CaptchaProviderName } from '../options.js';

export type { CspDirective };

/**
 * The Content-Security-Policy sources a page must allow for `provider`'s widget (DESIGN §13),
 * beside `'self'`, from the `@portcullis/protocol` table the hosted page's own CSP is built from.
 * Every directive is present (empty when none is needed); arrays are fresh copies.
 */
export function cspFor(provider: CaptchaProviderName): Record<CspDirective, string[]> {
  const entry = SOURCES[provider];
  const out = {} as Record<CspDirective, string[]>;
  for (const d of DIRECTIVES) out[d] = [...(entry[d] ?? [])];
  return out;
}

/**
 * What this page actually needs: §13's list for the real script, or, when the tenant serves the
 * widget from its own `script_url` (the emulator, a compatible vendor), that origin for scripts
 * and frames (its iframes come from the same origin).
 */
export function requiredSources(provider: CaptchaProviderName, scriptUrl: string, isDefault: boolean, base?: string): Record<CspDirective, string[]> {
  if (isDefault) return cspFor(provider);
  const origin = new URL(scriptUrl, base).origin;
  return { ...cspFor(provider), 'script-src': [origin], 'frame-src': [origin], 'style-src': [], 'connect-src': [] };
}

/** Whether a CSP host source (`https://*.hcaptcha.com`, `https://www.google.com/recaptcha/`) matches `url`. */
export function sourceMatches(source: string, url: URL): boolean {
  const m = /^(https?):\/\/(\*\.)?([^/:]+)(:\d+)?(\/.*)?$/.exec(source);
  if (!m) return false;
  const [, scheme, wildcard, host, port, path] = m;
  if (url.protocol !== `${scheme}:`) return false;
  if (port ? url.port !== port.slice(1) : url.port !== '') return false;
  const hostOk = wildcard ? url.hostname.endsWith(`.${host}`) : url.hostname === host;
  if (!hostOk || !path) return hostOk;
  return path.endsWith('/') ? url.pathname.startsWith(path) : url.pathname === path;
}

/** Normalises `script-src-elem` and friends: the page author writes (and §13 lists) the base directive. */
export function baseDirective(effective: string): string {
  return effective.replace(/-(elem|attr)$/, '');
}

/**
 * The source to name in a diagnosis for a blocked URL: the required source it falls under (for
 * reCAPTCHA the path-scoped one, which is what the page must add, not the bare origin).
 * Undefined when the URL is nothing of the widget's, so other violations on the page are ignored.
 */
export function sourceToAdd(sources: Record<CspDirective, string[]>, directive: string, blocked: string): string | undefined {
  let url: URL;
  try {
    url = new URL(blocked);
  } catch {
    return undefined; // 'inline', 'eval', 'data' carry no origin to add
  }
  const own = sources[directive as CspDirective] ?? [];
  const all = DIRECTIVES.flatMap((d) => sources[d]);
  const hit = own.find((s) => sourceMatches(s, url)) ?? all.find((s) => sourceMatches(s, url));
  return hit;
}

/** The sentence a developer reads in the console: what to add where. */
export function blockedMessage(directive: string, source: string): string {
  return `Content-Security-Policy blocks the captcha: add ${source} to ${directive}`;
}
