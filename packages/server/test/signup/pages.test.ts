import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

describe('hosted pages the mailed links open', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  for (const [page, heading] of [['verify-email', 'Confirm your email'], ['reset-password', 'Choose a new password']] as const) {
    it(`serves /tenants/acme/${page} with the hosted page's CSP, a nonce'd script and labelled fields`, async () => {
      const res = await h.app.inject({ url: `/tenants/acme/${page}?token=abc_DEF-123` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      const csp = String(res.headers['content-security-policy']);
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.body).toContain(`<script type="module" nonce="${nonce}">`);
      expect(res.body).toContain(`<h1 id="heading" tabindex="-1">${heading}</h1>`);
      expect(res.body).toContain('role="status"');
      // The token is never written into the page: the script reads it from the address and drops it.
      expect(res.body).not.toContain('abc_DEF-123');
      if (page === 'reset-password') {
        expect(res.body).toContain('<label for="password">New password</label>');
        expect(res.body).toContain('autocomplete="new-password"');
      }
    });
  }

  it('resolves the tenant as /login does: unknown tenants get the error envelope', async () => {
    const res = await h.app.inject({ url: '/tenants/nope/verify-email' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'tenant_not_found' });
    expect((await h.app.inject({ url: '/verify-email', headers: { 'x-tenant': 'acme' } })).statusCode).toBe(200);
  });
});
