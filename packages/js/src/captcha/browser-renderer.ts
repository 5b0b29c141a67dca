import { deferred } from '../deferred.js';
import { PortcullisClientError } from '../errors.js';
import type { CaptchaProviderName } from '../options.js';
import type { CaptchaChallenge, CaptchaRenderer, CaptchaWidget } from '../seams.js';
import { blockedMessage, requiredSources, type CspDirective } from './csp.js';
import { watchCsp } from './csp-watch.js';
import { DEFAULT_SCRIPT_URLS, type WidgetApi } from './providers.js';
import { ScriptLoadError, loadWidgetApi } from './script-loader.js';
import { openWidgetHost, watchFrameLoad } from './widget-host.js';
import { openAltchaWidget } from './altcha-widget.js';

/** How the browser renderer finds scripts and places widgets. */
export interface BrowserRendererConfig {
  scriptUrls: Partial<Record<CaptchaProviderName, string>>;
  container: HTMLElement | (() => HTMLElement) | undefined;
  timeoutMs: number;
}

/** A failed script load and its CSP violation arrive as separate tasks; give the violation, the precise diagnosis, a moment to win. */
const VIOLATION_GRACE_MS = 50;

/** The real renderer: loads the provider script, renders explicitly, and diagnoses CSP blocks. */
export function createBrowserRenderer(config: BrowserRendererConfig): CaptchaRenderer {
  return { open: (challenge) => openWidget(config, challenge) };
}

function needed(sources: Record<CspDirective, string[]>): string {
  return Object.entries(sources).filter(([, list]) => list.length > 0).map(([d, list]) => `${d} ${list.join(' ')}`).join('; ');
}

async function openWidget(config: BrowserRendererConfig, challenge: CaptchaChallenge): Promise<CaptchaWidget> {
  const { provider } = challenge;
  if (provider === 'altcha') {
    // Served by the Portcullis server the challenge comes from, not by the page's origin.
    const url = config.scriptUrls.altcha ?? new URL(DEFAULT_SCRIPT_URLS.altcha, new URL(challenge.challengeUrl ?? '', document.baseURI)).href;
    return openAltchaWidget(challenge, url, config.container, config.timeoutMs);
  }
  const custom = config.scriptUrls[provider];
  const scriptUrl = custom ?? DEFAULT_SCRIPT_URLS[provider];
  const sources = requiredSources(provider, scriptUrl, custom === undefined, document.baseURI);
  // The first failure wins: a CSP violation, a cancel, a timeout. Every later wait races it.
  const failure = deferred<never>();
  let failedWith: PortcullisClientError | undefined;
  const fail = (error: PortcullisClientError) => {
    if (failedWith) return;
    failedWith = error;
    failure.reject(error);
  };
  const blocked = (directive: CspDirective | string, message: string) => new PortcullisClientError('captcha_blocked', {
    message, details: { provider, directive, origin: sources[directive as CspDirective]?.[0] ?? '' },
  });
  let stage: CspDirective = 'script-src';
  const notRendered = (why: string) => blocked(stage, `${why}. If the page sets a Content-Security-Policy, it must allow ${needed(sources)}; the origin must also be reachable`);

  const cleanups: (() => void)[] = [];
  const cleanup = () => { for (const fn of cleanups.splice(0).reverse()) fn(); };
  cleanups.push(watchCsp(document, sources, (directive, source) => {
    const error = blocked(directive, blockedMessage(directive, source));
    error.details!['origin'] = source;
    fail(error);
  }));
  const host = openWidgetHost(config.container, () => fail(new PortcullisClientError('captcha_cancelled', { details: { provider } })));
  cleanups.push(host.close);
  const timer = setTimeout(() => fail(notRendered(`The captcha did not render within ${config.timeoutMs} ms`)), config.timeoutMs);
  const rendered = () => clearTimeout(timer);
  cleanups.push(rendered);

  let api: WidgetApi;
  try {
    api = await Promise.race([loadWidgetApi(provider, scriptUrl), failure.promise]);
  } catch (error) {
    if (error instanceof ScriptLoadError) {
      await new Promise((resolve) => setTimeout(resolve, VIOLATION_GRACE_MS));
      fail(notRendered(error.stage === 'script' ? `The captcha script ${scriptUrl} did not load` : `The captcha script ${scriptUrl} did not define its API`));
    }
    cleanup();
    throw failedWith ?? error;
  }
  stage = 'frame-src';

  let next = deferred<string>();
  const fresh = () => { if (next.settled) next = deferred<string>(); };
  cleanups.push(watchFrameLoad(host.element, rendered));
  let id: string | number;
  try {
    id = api.render(host.element, { sitekey: challenge.siteKey, action: challenge.action }, {
      onToken: (token) => { rendered(); fresh(); next.resolve(token); },
      onError: (code) => { rendered(); fresh(); next.reject(new PortcullisClientError('captcha_error', { details: { provider, error_code: code } })); },
      onExpired: fresh,
      onShown: rendered,
    });
  } catch (cause) {
    cleanup();
    throw new PortcullisClientError('captcha_error', { details: { provider }, cause });
  }

  let closed = false;
  return {
    token: () => Promise.race([next.promise, failure.promise]),
    reset() {
      next = deferred<string>();
      api.reset(id);
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        api.remove(id);
      } finally {
        cleanup();
      }
    },
  };
}
