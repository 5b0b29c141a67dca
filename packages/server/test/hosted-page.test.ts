import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTCHA_PROVIDERS, CSP_DIRECTIVES, type CaptchaProvider } from '@portcullis/protocol';
import { cspFor } from '@portcullis/js';
import { createHarness, type Harness } from './support/harness.js';

const KEYS = { site_key: 'site-key-for-test', secret: 'secret-for-test' };

/** `script-src 'self' a b; frame-src …` → { 'script-src': ["'self'", 'a', 'b'], … }. */
function parseCsp(header: string): Record<string, string[]> {
  return Object.fromEntries(header.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

describe('the hosted page (GET /login)', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());
  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: { 'x-tenant': 'acme' } });

  // Issue 10 #12: the page author's CSP (from `cspFor`) and the hosted page's own come from one
  // table in packages/protocol; were they two, one could allow an origin the other blocks.
  it.each(CAPTCHA_PROVIDERS)("allows exactly cspFor('%s') beside 'self' and its nonce, directive by directive", async (provider: CaptchaProvider) => {
    await h.setPolicy({ captcha: { provider, ...KEYS } });
    const res = await get('/login');
    expect(res.statusCode).toBe(200);
    const csp = parseCsp(String(res.headers['content-security-policy']));
    const nonce = /<script type="module" nonce="([^"]+)">/.exec(res.body)?.[1];
    expect(nonce).toBeTruthy();
    const expected = cspFor(provider);
    for (const directive of CSP_DIRECTIVES) {
      const own = ["'self'", ...(directive === 'script-src' || directive === 'style-src' ? [`'nonce-${nonce}'`] : [])];
      expect(csp[directive], directive).toEqual([...own, ...expected[directive]]);
    }
    expect(csp['default-src']).toEqual(["'none'"]);
  });

  it("allows only 'self' for widgets when the tenant has no provider", async () => {
    await h.setPolicy({});
    const csp = parseCsp(String((await get('/login')).headers['content-security-policy']));
    expect(csp['frame-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
  });

  it('has a favicon the CSP lets load (inline SVG, img-src data:), so the browser asks for no /favicon.ico', async () => {
    const res = await get('/login');
    const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)">/.exec(res.body)?.[1];
    expect(href).toMatch(/^data:image\/svg\+xml,%3Csvg/);
    expect(decodeURIComponent(href!.slice('data:image/svg+xml,'.length))).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/);
    expect(parseCsp(String(res.headers['content-security-policy']))['img-src']).toEqual(["'self'", 'data:']);
  });

  it('ships the signed-in view hidden, and a script that guides each step in the SDK\'s words', async () => {
    const res = await get('/login');
    expect(res.body).toContain('<section id="signed-in-view" aria-labelledby="heading" hidden>');
    expect(res.body).toContain('<h1 id="heading" tabindex="-1">Sign in to acme</h1>');
    expect(res.body).toContain("import { AuthClient, describeError } from '/sdk/portcullis.js';");
    expect(res.body).toContain("say('Complete the check to continue.', 'guide');");
  });

  it('keeps return_to only for an allowed origin', async () => {
    const config = (body: string) => JSON.parse(/<script type="application\/json" id="portcullis-config">(.*?)<\/script>/.exec(body)![1]!) as { returnTo: string | null };
    expect(config((await get('/login?return_to=https://evil.example/x')).body).returnTo).toBeNull();
  });

  // `npm test` builds first; a missing bundle here is a broken build, not a reason to skip.
  it('serves the SDK bundle and its source map', async () => {
    const js = await get('/sdk/portcullis.js');
    expect(js.statusCode).toBe(200);
    expect(js.body.trimEnd().endsWith('//# sourceMappingURL=portcullis.js.map')).toBe(true);
    const map = await get('/sdk/portcullis.js.map');
    expect(map.statusCode).toBe(200);
    expect(map.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(map.json<{ sources: string[] }>().sources).toContain('../src/auth-client.ts');
  });
});
