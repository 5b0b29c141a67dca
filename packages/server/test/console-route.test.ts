import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHarness, type Harness } from './support/harness.js';
import { createTenant } from '../src/services/tenants.js';

const DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

// The console is shipped by the server itself (DESIGN §14): its build must exist for these tests.
describe('GET /admin: the console, served by the server', () => {
  let h: Harness;
  beforeAll(async () => {
    if (!existsSync(`${DIST}index.html`)) throw new Error(`${DIST}index.html is missing: run \`npm run build\` first`);
    h = await createHarness();
    await h.setPolicy({ captcha: { provider: 'turnstile', site_key: '1x00000000000000000000AA', secret: 'x', script_url: 'https://captcha.example:8443/turnstile/v0/api.js', verify_url: 'https://captcha.example:8443/siteverify' } });
    await createTenant(h.deps, { slug: 'plain' });
  });
  afterAll(() => h.close());

  it("answers the page with the hosted page's CSP for the tenant's provider, frame-ancestors 'none', and the tenant in a meta tag", async () => {
    const res = await h.app.inject({ url: '/admin', headers: { 'x-tenant': 'acme' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/^default-src 'none'; script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' https:\/\/captcha\.example:8443; frame-src 'self' https:\/\/captcha\.example:8443; /);
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.body).toContain('<meta name="portcullis-console" content="{&#34;tenant&#34;:&#34;acme&#34;,&#34;scriptUrls&#34;:{&#34;turnstile&#34;:&#34;https://captcha.example:8443/turnstile/v0/api.js&#34;}}" />');
    // Code is external only: an inline script would need the CSP to allow it.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).toMatch(/<script type="module" crossorigin src="\/admin\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  it('serves /tenants/<slug>/admin for that tenant, with no provider origin when it has no captcha', async () => {
    const res = await h.app.inject({ url: '/tenants/plain/admin' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('content="{&#34;tenant&#34;:&#34;plain&#34;,&#34;scriptUrls&#34;:{}}"');
    expect(String(res.headers['content-security-policy'])).toMatch(/script-src 'self' 'nonce-[^']+'; frame-src 'self'; /);
    expect((await h.app.inject({ url: '/tenants/nope/admin' })).statusCode).toBe(404);
  });

  it('serves every built asset with its content type and a year of immutable caching, and nothing else', async () => {
    const names = readdirSync(`${DIST}assets`);
    expect(names.some((n) => n.endsWith('.js'))).toBe(true);
    expect(names.some((n) => n.endsWith('.css'))).toBe(true);
    for (const name of names) {
      const res = await h.app.inject({ url: `/admin/assets/${name}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    for (const url of ['/admin/assets/nope.js', '/admin/assets/..%2Findex.html', '/admin/assets/%2e%2e%2f%2e%2e%2fpackage.json']) {
      expect((await h.app.inject({ url })).statusCode).toBe(404);
    }
  });
});
