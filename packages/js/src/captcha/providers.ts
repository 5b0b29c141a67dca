import { PROVIDER_SCRIPT_URLS } from '@portcullis/protocol';
import type { CaptchaProviderName } from '../options.js';

/** The real providers' widget scripts (one table in `@portcullis/protocol`). */
export const DEFAULT_SCRIPT_URLS: Readonly<Record<CaptchaProviderName, string>> = PROVIDER_SCRIPT_URLS;

const GLOBALS: Readonly<Record<CaptchaProviderName, string>> = { turnstile: 'turnstile', recaptcha: 'grecaptcha', hcaptcha: 'hcaptcha', altcha: '$altcha' };

/** The global a provider's script defines as soon as it runs (reCAPTCHA's `render` comes later). */
export const globalName = (provider: CaptchaProviderName): string => GLOBALS[provider];

/** Callbacks every provider's explicit `render()` takes, under the same parameter names. */
export interface WidgetCallbacks {
  onToken(token: string): void;
  onError(code: string): void;
  onExpired(): void;
  /** The widget showed something (an interactive challenge): it has rendered. */
  onShown(): void;
}

/** The common subset of `turnstile`, `grecaptcha` and `hcaptcha` the SDK uses. */
export interface WidgetApi {
  render(element: HTMLElement, params: { sitekey: string; action: string }, callbacks: WidgetCallbacks): string | number;
  reset(id: string | number): void;
  remove(id: string | number): void;
}

type ProviderGlobal = {
  render: (el: HTMLElement, params: Record<string, unknown>) => string | number;
  reset?: (id: string | number) => void;
  remove?: (id: string | number) => void;
};

/** The provider's global once its script has run, else undefined. */
export function widgetApi(provider: CaptchaProviderName): WidgetApi | undefined {
  const g = (globalThis as Record<string, unknown>)[GLOBALS[provider]] as ProviderGlobal | undefined;
  if (!g || typeof g.render !== 'function') return undefined;
  return {
    render: (element, params, cb) => g.render(element, {
      sitekey: params.sitekey,
      // Turnstile binds the action into the token (checked by siteverify); the others ignore it.
      action: params.action,
      callback: cb.onToken,
      'error-callback': (code?: unknown) => {
        cb.onError(code === undefined ? '' : String(code));
        return true; // Turnstile: handled, do not also throw in the console
      },
      'expired-callback': cb.onExpired,
      'timeout-callback': cb.onExpired,
      'before-interactive-callback': cb.onShown,
    }),
    reset: (id) => g.reset?.(id),
    // reCAPTCHA has no remove(); its iframe goes away with the container.
    remove: (id) => g.remove?.(id),
  };
}
