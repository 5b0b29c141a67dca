import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { codeFor, createClient, REDIRECT, token, USER } from './support.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('one client-authentication throttle for the code grant and client credentials', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
    await h.createUser(USER.email, USER.password);
  });
  afterEach(async () => { await h.close(); });

  const exchange = (code: string, clientId: string, secret: string) =>
    token(h, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, { authorization: basic(clientId, secret) });

  it('throttles wrong web-client secrets at the code grant per client and address, audits each, and answers 429 rate_limited with Retry-After', async () => {
    const web = await createClient(h, 'web');
    const code = (await codeFor(h, web.client_id)).searchParams.get('code')!;
    for (let i = 0; i < 10; i++) expect((await exchange(code, web.client_id, `pcs_bad-${i}`)).statusCode).toBe(401);
    // Refused before the secret is compared: the right secret waits out the window too.
    const limited = await exchange(code, web.client_id, web.client_secret!);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('900');
    expect(limited.json()).toEqual({ error: 'rate_limited', error_description: 'Too many failed client authentications; try again later.' });
    const failed = await h.deps.store.audit.list(h.tenant.id, { type: 'application.token_failed', limit: 20 });
    expect(failed).toHaveLength(10);
    expect(failed[0]?.data).toMatchObject({ error: 'invalid_client', client_id: web.client_id, grant_type: 'authorization_code', reason: 'wrong_secret' });
    expect(JSON.stringify(failed)).not.toContain('pcs_bad');
    // The code was never touched: after the window it still exchanges.
    h.clock.advance(15 * 60 * 1000 + 1);
    const fresh = (await codeFor(h, web.client_id)).searchParams.get('code')!;
    expect((await exchange(fresh, web.client_id, web.client_secret!)).statusCode).toBe(200);
  });

  it('counts guesses through either grant against the same counters', async () => {
    const web = await createClient(h, 'web');
    for (let i = 0; i < 5; i++) {
      const res = await token(h, { grant_type: 'client_credentials', client_id: web.client_id, client_secret: `pcs_bad-${i}` });
      expect(res.statusCode).toBe(401);
    }
    const code = (await codeFor(h, web.client_id)).searchParams.get('code')!;
    for (let i = 0; i < 5; i++) expect((await exchange(code, web.client_id, `pcs_bad-${i}`)).statusCode).toBe(401);
    expect((await exchange(code, web.client_id, web.client_secret!)).statusCode).toBe(429);
    const viaCc = await token(h, { grant_type: 'client_credentials', client_id: web.client_id, client_secret: web.client_secret! });
    expect(viaCc.statusCode).toBe(429);
  });

  it('throttles guesses at the refresh grant the same way, and leaves other addresses alone', async () => {
    const web = await createClient(h, 'web');
    for (let i = 0; i < 10; i++) {
      const res = await token(h, { grant_type: 'refresh_token', refresh_token: 'prt_x', client_id: web.client_id, client_secret: `pcs_bad-${i}` });
      expect(res.statusCode).toBe(401);
    }
    const limited = await token(h, { grant_type: 'refresh_token', refresh_token: 'prt_x', client_id: web.client_id, client_secret: web.client_secret! });
    expect(limited.statusCode).toBe(429);
    const [last] = await h.deps.store.audit.list(h.tenant.id, { type: 'application.token_failed', limit: 1 });
    expect(last?.data).toMatchObject({ grant_type: 'refresh_token' });
    const elsewhere = await h.app.inject({
      method: 'POST', url: '/tenants/acme/oauth2/token', remoteAddress: '203.0.113.9', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'prt_x', client_id: web.client_id, client_secret: web.client_secret! }).toString(),
    });
    expect(elsewhere.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or already used.' });
  });
});
