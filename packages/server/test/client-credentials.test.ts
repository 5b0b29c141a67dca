import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createHarness, type Harness } from './support/harness.js';

const FORM = 'application/x-www-form-urlencoded';

describe('OAuth2 client credentials', () => {
  let h: Harness;
  const token = (fields: Record<string, string>, headers: Record<string, string> = {}) => h.app.inject({
    method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': FORM, ...headers },
    payload: new URLSearchParams(fields).toString(),
  });
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  beforeEach(async () => { h = await createHarness(); });
  afterAll(async () => {});

  it('issues a scoped token with HTTP Basic and no refresh token', async () => {
    const res = await token({ grant_type: 'client_credentials', scope: 'users:read' }, { authorization: basic(h.admin.client_id, h.admin.client_secret) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'users:read' });
    const jwks = (await h.app.inject({ url: '/tenants/acme/.well-known/jwks.json' })).json();
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), { currentDate: new Date(h.clock.now()) });
    expect(payload).toMatchObject({ sub: h.admin.client_id, scope: 'users:read', aud: 'http://127.0.0.1:3000/tenants/acme/api' });
    await h.close();
  });

  it('accepts credentials in the body and grants every allowed scope by default', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret });
    expect(res.json().scope.split(' ')).toHaveLength(7);
    const issued = await h.deps.store.audit.list(h.tenant.id, { type: 'application.token_issued', limit: 1 });
    expect(issued).toHaveLength(1);
    await h.close();
  });

  it('refuses a wrong secret with invalid_client, an unknown scope with invalid_scope', async () => {
    const wrong = await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: 'pcs_wrong' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    const scope = await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret, scope: 'users:read admin:all' });
    expect(scope.statusCode).toBe(400);
    expect(scope.json().error).toBe('invalid_scope');
    const failed = await h.deps.store.audit.list(h.tenant.id, { type: 'application.token_failed', limit: 5 });
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed)).not.toContain('pcs_wrong');
    await h.close();
  });

  it('throttles failed authentication per client id, before comparing the secret, then lets it in after the window', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: `bad-${i}` })).statusCode).toBe(401);
    }
    const limited = await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('900');
    expect(limited.json().error).toBe('rate_limited');
    h.clock.advance(15 * 60 * 1000 + 1);
    expect((await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret })).statusCode).toBe(200);
    await h.close();
  });

  it('throttles per IP across client ids (guessing many ids from one address)', async () => {
    for (let i = 0; i < 100; i++) await token({ grant_type: 'client_credentials', client_id: `app_guess${i}`, client_secret: 'x' });
    const res = await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret });
    expect(res.statusCode).toBe(429);
    await h.close();
  });

  it('never asks a machine for a captcha and rejects unsupported grants', async () => {
    const res = await token({ grant_type: 'password', username: 'a', password: 'b' });
    expect(res.json()).toEqual({ error: 'unsupported_grant_type', error_description: 'Supported grant types: client_credentials, refresh_token.' });
    await h.close();
  });
});
