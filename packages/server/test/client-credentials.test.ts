import { MANAGEMENT_SCOPES } from '@portcullis/protocol';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createHarness, type Harness } from './support/harness.js';

const FORM = 'application/x-www-form-urlencoded';

describe('OAuth2 client credentials', () => {
  let h: Harness;
  const token = (fields: Record<string, string>, headers: Record<string, string> = {}, remoteAddress?: string) => h.app.inject({
    method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': FORM, ...headers },
    payload: new URLSearchParams(fields).toString(), ...(remoteAddress ? { remoteAddress } : {}),
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
    expect(res.json().scope.split(' ')).toEqual([...MANAGEMENT_SCOPES]);
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

  it('throttles failed authentication per client id and address, before comparing the secret, then lets it in after the window', async () => {
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

  it('cannot be turned against the owner: wrong secrets from one address leave other addresses their tokens', async () => {
    const attacker = '203.0.113.66';
    for (let i = 0; i < 12; i++) await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: `bad-${i}` }, {}, attacker);
    const owner = await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret }, {}, '192.0.2.8');
    expect(owner.statusCode).toBe(200);
    const limited = await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret }, {}, attacker);
    expect([limited.statusCode, limited.headers['retry-after'], limited.json()])
      .toEqual([429, '900', { error: 'rate_limited', error_description: 'Too many failed client authentications; try again later.' }]);
    // The wait left in the window, not a fixed 15 minutes.
    h.clock.advance(600_000);
    expect((await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: 'x' }, {}, attacker)).headers['retry-after']).toBe('300');
    // A neighbour in the attacker's IPv6 /64 is the same host as far as the throttle knows.
    for (let i = 0; i < 10; i++) await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: 'x' }, {}, `2001:db8:5:6::${i + 1}`);
    expect((await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret }, {}, '2001:db8:5:6::ff')).statusCode).toBe(429);
    const failed = await h.deps.store.audit.list(h.tenant.id, { type: 'application.token_failed', limit: 1 });
    expect(failed[0]?.data).toEqual({ error: 'invalid_client', client_id: h.admin.client_id, reason: 'wrong_secret' });
    await h.close();
  });

  it('audits a spray from many addresses once at the per-client ceiling and still answers a correct secret', async () => {
    await h.close();
    h = await createHarness({ env: { PORTCULLIS_CLIENT_AUTH_LIMIT: '2' } }); // 2 per client+address, 20 per address, ceiling 200
    const spray = (i: number) => token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: `guess-${i}` }, {}, `198.18.${i >> 8}.${i & 255}`);
    for (let i = 0; i < 200; i++) expect((await spray(Math.floor(i / 2))).statusCode).toBe(401);
    expect((await spray(5000)).statusCode).toBe(401); // past the ceiling a wrong secret is still just wrong
    const owner = await token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret }, {}, '192.0.2.8');
    expect(owner.statusCode).toBe(200);
    const rows = await h.deps.store.audit.list(h.tenant.id, { type: 'application.token_failed', limit: 500 });
    expect(rows).toHaveLength(201);
    const ceiling = rows.filter((r) => r.data['reason'] === 'client_ceiling');
    expect(ceiling.map((r) => r.data)).toEqual([{ error: 'invalid_client', client_id: h.admin.client_id, reason: 'client_ceiling', failures: 200, window_s: 900 }]);
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
    expect(res.json()).toEqual({ error: 'unsupported_grant_type', error_description: 'Supported grant types: authorization_code, client_credentials, refresh_token.' });
    await h.close();
  });
});
