import type { Accounts } from '../accounts.js';
import { findTestSitekey } from '../test-keys.js';
import type { ChallengeBehaviour, Provider } from '../types.js';

/** What the widget does for a sitekey, or `unknown` for a sitekey no account has. */
export type WidgetVerdict = ChallengeBehaviour | 'unknown';

/**
 * Decides the widget's behaviour. Unknown sitekeys fail in the widget, as they do live
 * (Turnstile 110100), so a tenant configured with a wrong sitekey shows up in development too.
 * reCAPTCHA v3 never asks for a click.
 */
export function widgetVerdict(provider: Provider, sitekey: string, version: 'v2' | 'v3', accounts: Accounts): WidgetVerdict {
  const test = findTestSitekey(provider, sitekey);
  const site = accounts.site(provider, sitekey);
  const behaviour = test?.behaviour ?? site?.challenge ?? (site ? (provider === 'turnstile' ? 'auto' : 'click') : 'unknown');
  return version === 'v3' && behaviour === 'click' ? 'auto' : behaviour;
}

/**
 * The client-side error code the widget reports through `error-callback`. Turnstile's codes are
 * documented (600010 is also what its failing test sitekeys give); hCaptcha's widget reports
 * words; reCAPTCHA's error-callback receives no argument.
 */
export function widgetErrorCode(provider: Provider, verdict: 'block' | 'unknown'): string {
  if (provider === 'turnstile') return verdict === 'block' ? '600010' : '110100';
  if (provider === 'hcaptcha') return verdict === 'block' ? 'challenge-error' : 'invalid-data';
  return '';
}
