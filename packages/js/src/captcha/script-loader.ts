import type { CaptchaProviderName } from '../options.js';
import { globalName, widgetApi, type WidgetApi } from './providers.js';

/** The script could not run (network, CSP) or ran without defining the provider global. */
export class ScriptLoadError extends Error {
  constructor(readonly stage: 'script' | 'render') {
    super(stage === 'script' ? 'captcha script failed to load' : 'captcha script loaded without its global');
  }
}

// One load per script URL per page: providers warn (Turnstile) or misbehave when their
// script runs twice. It mirrors the page's own state, so it lives as long as the page.
const loading = new Map<string, Promise<WidgetApi>>();

/**
 * Loads `provider`'s widget script in explicit-render mode and resolves with its API once the
 * script's `onload=` callback fires (reCAPTCHA's `render` exists only then, not at `load`).
 */
export function loadWidgetApi(provider: CaptchaProviderName, scriptUrl: string): Promise<WidgetApi> {
  const ready = widgetApi(provider);
  if (ready) return Promise.resolve(ready);
  const pending = loading.get(scriptUrl) ?? inject(provider, scriptUrl);
  loading.set(scriptUrl, pending);
  pending.catch(() => loading.delete(scriptUrl)); // a later sign-in may retry
  return pending;
}

function inject(provider: CaptchaProviderName, scriptUrl: string): Promise<WidgetApi> {
  return new Promise((resolve, reject) => {
    const callback = `__portcullisCaptcha_${provider}_${Math.random().toString(36).slice(2, 10)}`;
    const url = new URL(scriptUrl, document.baseURI);
    url.searchParams.set('render', 'explicit');
    url.searchParams.set('onload', callback);
    const slot = globalThis as Record<string, unknown>;
    const script = document.createElement('script');
    slot[callback] = () => {
      delete slot[callback];
      const api = widgetApi(provider);
      if (api) resolve(api);
      else reject(new ScriptLoadError('render'));
    };
    script.src = url.href;
    script.async = true;
    // A script that ran without creating the global (an HTML error page served as 200, a
    // non-provider URL) never calls `onload=`; say so now instead of at the render timeout.
    script.addEventListener('load', () => {
      if (slot[globalName(provider)] === undefined) {
        delete slot[callback];
        reject(new ScriptLoadError('render'));
      }
    });
    script.addEventListener('error', () => {
      delete slot[callback];
      script.remove();
      reject(new ScriptLoadError('script'));
    });
    document.head.append(script);
  });
}
