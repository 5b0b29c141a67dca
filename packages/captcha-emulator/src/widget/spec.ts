import type { Provider } from '../types.js';

/** Where a provider's pieces live under the emulator's prefix, and how its widget looks. */
export interface ProviderSpec {
  /** Widget script, mirroring `https://challenges.cloudflare.com/turnstile/v0/api.js` and friends. */
  scriptPath: string;
  /** The challenge iframe. */
  framePath: string;
  /** Server-side verification, mirroring the provider's own path. */
  siteverifyPath: string;
  title: string;
  width: number;
  height: number;
  /** Hidden form fields the widget fills, as the real widget does for plain form posts. */
  fields: readonly string[];
  fieldTag: 'input' | 'textarea';
  implicitClass: string;
  /** Widget id prefix (reCAPTCHA ids are plain numbers). */
  idPrefix: string;
}

/** The path layout; the README documents the same table. */
export const SPECS: Readonly<Record<Provider, ProviderSpec>> = {
  turnstile: {
    scriptPath: '/turnstile/v0/api.js', framePath: '/turnstile/v0/frame', siteverifyPath: '/turnstile/v0/siteverify',
    title: 'Widget containing a Cloudflare security challenge', width: 300, height: 65,
    fields: ['cf-turnstile-response'], fieldTag: 'input', implicitClass: 'cf-turnstile', idPrefix: 'cf-chl-widget-',
  },
  recaptcha: {
    scriptPath: '/recaptcha/api.js', framePath: '/recaptcha/api2/anchor', siteverifyPath: '/recaptcha/api/siteverify',
    title: 'reCAPTCHA', width: 304, height: 78,
    fields: ['g-recaptcha-response'], fieldTag: 'textarea', implicitClass: 'g-recaptcha', idPrefix: '',
  },
  hcaptcha: {
    scriptPath: '/hcaptcha/1/api.js', framePath: '/hcaptcha/1/frame', siteverifyPath: '/hcaptcha/siteverify',
    title: 'Widget containing checkbox for hCaptcha security challenge', width: 303, height: 78,
    fields: ['h-captcha-response', 'g-recaptcha-response'], fieldTag: 'textarea', implicitClass: 'h-captcha', idPrefix: 'hc-',
  },
};

/** Where the frame asks for a token after the click; emulator-only, so under the control namespace. */
export const MINT_PATH = '/__emulator/widget-token';

/** JSON for embedding in a `<script>`: `<` escaped so no value can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
