import { describe, expect, it } from 'vitest';
import { cspFor } from '../src/index.js';
import { blockedMessage, requiredSources, sourceMatches, sourceToAdd } from '../src/captcha/csp.js';
import { watchCsp } from '../src/captcha/csp-watch.js';

const HC = ['https://hcaptcha.com', 'https://*.hcaptcha.com'];

describe('cspFor (DESIGN §13, exact origins)', () => {
  it.each([
    ['turnstile', { 'script-src': ['https://challenges.cloudflare.com'], 'frame-src': ['https://challenges.cloudflare.com'], 'style-src': [], 'connect-src': [], 'worker-src': [] }],
    ['recaptcha', {
      'script-src': ['https://www.google.com/recaptcha/', 'https://www.gstatic.com/recaptcha/'],
      'frame-src': ['https://www.google.com/recaptcha/', 'https://recaptcha.google.com/recaptcha/'],
      'style-src': [], 'connect-src': [], 'worker-src': [],
    }],
    ['hcaptcha', { 'script-src': HC, 'frame-src': HC, 'style-src': HC, 'connect-src': HC, 'worker-src': [] }],
    // DESIGN §16: served by Portcullis ('self'), the worker started from a blob: URL.
    ['altcha', { 'script-src': [], 'frame-src': [], 'style-src': [], 'connect-src': [], 'worker-src': ['blob:'] }],
  ] as const)('%s', (provider, expected) => {
    expect(cspFor(provider)).toEqual(expected);
  });

  it('returns fresh arrays: a caller appending to one cannot change the next answer', () => {
    cspFor('turnstile')['script-src'].push("'unsafe-inline'");
    expect(cspFor('turnstile')['script-src']).toEqual(['https://challenges.cloudflare.com']);
  });

  it('a tenant script_url (the emulator) needs its own origin for scripts and frames instead', () => {
    expect(requiredSources('turnstile', 'http://127.0.0.1:8787/__captcha/turnstile/v0/api.js', false)).toEqual({
      'script-src': ['http://127.0.0.1:8787'], 'frame-src': ['http://127.0.0.1:8787'], 'style-src': [], 'connect-src': [], 'worker-src': [],
    });
  });
});

describe('diagnosis', () => {
  it('matches host sources with wildcards, ports and paths as CSP does', () => {
    expect(sourceMatches('https://*.hcaptcha.com', new URL('https://js.hcaptcha.com/1/api.js'))).toBe(true);
    expect(sourceMatches('https://*.hcaptcha.com', new URL('https://hcaptcha.com/x'))).toBe(false);
    expect(sourceMatches('https://www.google.com/recaptcha/', new URL('https://www.google.com/recaptcha/api2/anchor'))).toBe(true);
    expect(sourceMatches('https://www.google.com/recaptcha/', new URL('https://www.google.com/maps'))).toBe(false);
    expect(sourceMatches('http://127.0.0.1:8787', new URL('http://127.0.0.1:9999/a'))).toBe(false);
  });

  it('names the §13 source to add, and ignores what is not the widget', () => {
    const sources = cspFor('recaptcha');
    expect(sourceToAdd(sources, 'frame-src', 'https://www.google.com/recaptcha/api2/anchor?k=1')).toBe('https://www.google.com/recaptcha/');
    expect(sourceToAdd(sources, 'script-src', 'https://evil.example/x.js')).toBeUndefined();
    expect(sourceToAdd(sources, 'style-src', 'inline')).toBeUndefined();
  });

  it('turns an enforced violation into directive + source, normalising script-src-elem; report-only is ignored', () => {
    const target = new EventTarget();
    const got: string[] = [];
    const stop = watchCsp(target, cspFor('turnstile'), (directive, source) => got.push(blockedMessage(directive, source)));
    const violation = (props: Record<string, string>) => target.dispatchEvent(Object.assign(new Event('securitypolicyviolation'), props));
    violation({ effectiveDirective: 'frame-src', blockedURI: 'https://challenges.cloudflare.com/cdn-cgi/challenge-platform/h/b', disposition: 'enforce' });
    violation({ effectiveDirective: 'script-src-elem', blockedURI: 'https://challenges.cloudflare.com/turnstile/v0/api.js', disposition: 'enforce' });
    violation({ effectiveDirective: 'frame-src', blockedURI: 'https://challenges.cloudflare.com/x', disposition: 'report' });
    violation({ effectiveDirective: 'img-src', blockedURI: 'https://ads.example/pixel.gif', disposition: 'enforce' });
    stop();
    violation({ effectiveDirective: 'frame-src', blockedURI: 'https://challenges.cloudflare.com/x', disposition: 'enforce' });
    expect(got).toEqual([
      'Content-Security-Policy blocks the captcha: add https://challenges.cloudflare.com to frame-src',
      'Content-Security-Policy blocks the captcha: add https://challenges.cloudflare.com to script-src',
    ]);
  });
});
