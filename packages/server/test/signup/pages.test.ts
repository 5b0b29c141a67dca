import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

describe('hosted account pages (sign-up, forgot password, and what mailed links open)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  for (const [page, heading] of [['verify-email', 'Confirm your email'], ['reset-password', 'Choose a new password'], ['forgot-password', 'Reset your password']] as const) {
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
        expect(res.body).toContain('autocomplete="new-password" minlength="10"');
      }
      if (page === 'forgot-password') expect(res.body).toContain('<label for="email">Email</label>');
      // The pages import the SDK bundle, which the CSP's 'self' covers; links stay under the tenant's path.
      expect(res.body).toContain("import { AuthClient, describeError } from '/sdk/portcullis.js';");
      expect(res.body).toContain('href="/tenants/acme/login"');
    });
  }

  it('/signup says sign-up is closed, with no form and no script, while the tenant has it off', async () => {
    const res = await h.app.inject({ url: '/tenants/acme/signup' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('<h1 id="heading" tabindex="-1">Sign-up is closed</h1>');
    expect(res.body).not.toContain('<form');
    expect(res.body).not.toContain('<script');
    // /login does not offer what is closed; the reset link is always there.
    const login = await h.app.inject({ url: '/tenants/acme/login' });
    expect(login.body).toContain('<a id="forgot-link" href="/tenants/acme/forgot-password">Forgot your password?</a>');
    expect(login.body).not.toContain('signup-link');
  });

  it('/signup has the form once the tenant opens sign-up, with its password rule, and /login links to it', async () => {
    await h.api('PUT', '/api/v1/settings', { signup: { enabled: true }, password: { min_length: 12 } });
    try {
      const res = await h.app.inject({ url: '/signup', headers: { 'x-tenant': 'acme' } });
      expect(res.body).toContain('<h1 id="heading" tabindex="-1">Create your account</h1>');
      expect(res.body).toContain('<label for="email">Email</label>');
      expect(res.body).toContain('<label for="password-again">Password, again</label>');
      expect(res.body).toContain('At least 12 characters.');
      expect(res.body).toContain('<div id="captcha" aria-live="polite"></div>');
      expect(res.body).toContain('href="/login"');
      const login = await h.app.inject({ url: '/login', headers: { 'x-tenant': 'acme' } });
      expect(login.body).toContain('<a id="signup-link" href="/signup">Create an account</a>');
    } finally {
      await h.api('PUT', '/api/v1/settings', { signup: { enabled: false }, password: { min_length: 10 } });
    }
  });

  it('resolves the tenant as /login does: unknown tenants get the error envelope', async () => {
    const res = await h.app.inject({ url: '/tenants/nope/verify-email' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'tenant_not_found' });
    expect((await h.app.inject({ url: '/verify-email', headers: { 'x-tenant': 'acme' } })).statusCode).toBe(200);
  });
});
