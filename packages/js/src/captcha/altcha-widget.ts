import { deferred } from '../deferred.js';
import { PortcullisClientError } from '../errors.js';
import type { CaptchaChallenge, CaptchaWidget } from '../seams.js';
import { openWidgetHost } from './widget-host.js';

/** What the person hears and reads while the browser works (the widget's own label stays too). */
const SAY = {
  verifying: 'Checking your browser, this takes a few seconds…',
  verified: 'Check complete. Signing you in.',
  error: 'The check failed. Try again.',
  expired: 'The check expired. Starting a new one.',
} as const;

type AltchaGlobal = { algorithms: Map<string, () => Worker> };

// One load per page and script URL, like the other providers' scripts.
const loaded = new Map<string, Promise<void>>();

/**
 * The widget files sit beside the challenge URL's server at /sdk/. The worker code is fetched and
 * started from a blob: URL, because a page may not start a worker from another origin.
 */
function loadWidget(scriptUrl: string): Promise<void> {
  let pending = loaded.get(scriptUrl);
  if (pending) return pending;
  pending = (async () => {
    const base = new URL(scriptUrl, document.baseURI);
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('altcha.css', base).href;
    document.head.append(css);
    const code = await fetch(new URL('altcha-worker.js', base)).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`worker ${r.status}`))));
    const workerUrl = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.type = 'module';
      script.src = base.href;
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () => reject(new Error('altcha script failed to load')));
      document.head.append(script);
    });
    await customElements.whenDefined('altcha-widget');
    const g = (globalThis as { $altcha?: AltchaGlobal }).$altcha;
    if (!g) throw new Error('altcha script loaded without its global');
    // Only the algorithm Portcullis issues; the solve runs off the main thread.
    for (const name of ['SHA-256', 'SHA-384', 'SHA-512']) g.algorithms.set(name, () => new Worker(workerUrl));
  })();
  loaded.set(scriptUrl, pending);
  pending.catch(() => loaded.delete(scriptUrl));
  return pending;
}

/**
 * Renders provider `altcha` (DESIGN §16): a proof of work the browser solves by itself in a Web
 * Worker; no image puzzle. The widget fetches its challenge from `challengeUrl`; progress and the
 * outcome are announced through a polite live region.
 */
export async function openAltchaWidget(
  challenge: CaptchaChallenge, scriptUrl: string, container: HTMLElement | (() => HTMLElement) | undefined, timeoutMs: number,
): Promise<CaptchaWidget> {
  const provider = challenge.provider;
  const failure = deferred<never>();
  const host = openWidgetHost(container, () => failure.reject(new PortcullisClientError('captcha_cancelled', { details: { provider } })));
  const timer = setTimeout(() => failure.reject(new PortcullisClientError('captcha_blocked', {
    message: `The proof-of-work widget did not load within ${timeoutMs} ms from ${scriptUrl}. If the page sets a Content-Security-Policy, it must allow worker-src blob: and the Portcullis origin for script-src, style-src and connect-src`,
    details: { provider, directive: 'script-src', origin: new URL(scriptUrl, document.baseURI).origin },
  })), timeoutMs);
  try {
    await Promise.race([loadWidget(scriptUrl), failure.promise]);
  } catch (error) {
    clearTimeout(timer);
    host.close();
    if (error instanceof PortcullisClientError) throw error;
    throw new PortcullisClientError('captcha_blocked', { message: String(error), details: { provider, directive: 'script-src', origin: new URL(scriptUrl, document.baseURI).origin }, cause: error });
  }
  clearTimeout(timer);
  const status = document.createElement('p');
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  status.className = 'portcullis-captcha-status';
  const widget = document.createElement('altcha-widget');
  widget.setAttribute('challenge', challenge.challengeUrl ?? '');
  widget.setAttribute('auto', 'onload');
  widget.setAttribute('name', 'altcha');
  host.element.append(widget, status);

  let next = deferred<string>();
  const fresh = () => { if (next.settled) next = deferred<string>(); };
  const onState = (event: Event) => {
    const { state, payload } = (event as CustomEvent<{ state: string; payload?: string }>).detail ?? {};
    if (state in SAY) status.textContent = SAY[state as keyof typeof SAY];
    if (state === 'verified' && typeof payload === 'string') { fresh(); next.resolve(payload); }
    if (state === 'error') { fresh(); next.reject(new PortcullisClientError('captcha_error', { details: { provider, error_code: 'pow_failed' } })); }
    if (state === 'expired') fresh();
  };
  widget.addEventListener('statechange', onState);
  const api = widget as HTMLElement & { reset?: () => void; verify?: () => Promise<unknown> };
  let closed = false;
  return {
    token: () => Promise.race([next.promise, failure.promise]),
    reset() {
      next = deferred<string>();
      // A spent payload cannot be sent again: a new challenge, solved anew.
      api.reset?.();
      void api.verify?.();
    },
    close() {
      if (closed) return;
      closed = true;
      widget.removeEventListener('statechange', onState);
      host.close();
    },
  };
}
