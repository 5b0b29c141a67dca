import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createHarness, type Harness } from '../support/harness.js';
import { codeFor, createClient, ISSUER, pkce, REDIRECT, token, USER } from './support.js';

const databases = ['sqlite', ...(process.env['TEST_DATABASE_URL'] ? ['postgres' as const] : [])] as const;

describe.each(databases)('OIDC authorization code + PKCE on %s', (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ database });
    await h.createUser(USER.email, USER.password);
  });
  afterEach(async () => { await h.close(); });

  it('redirects with code, state and iss, then exchanges the code for access, refresh and ID tokens', async () => {
    const spa = await createClient(h, 'spa');
    const { verifier, challenge } = pkce();
    const back = await codeFor(h, spa.client_id, { code_challenge: challenge, code_challenge_method: 'S256' });
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect([...back.searchParams.keys()].sort()).toEqual(['code', 'iss', 'state']);
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('iss')).toBe(ISSUER);

    const res = await token(h, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: spa.client_id, code_verifier: verifier });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'openid email' });

    const jwks = createLocalJWKSet((await h.app.inject({ url: '/tenants/acme/.well-known/jwks.json' })).json());
    const { payload: id } = await jwtVerify(body.id_token, jwks, { issuer: ISSUER, audience: spa.client_id, currentDate: new Date(h.clock.now()) });
    const user = await h.deps.store.users.byEmail(h.tenant.id, USER.email);
    const nowS = Math.floor(h.clock.now() / 1000);
    expect(id).toEqual({
      iss: ISSUER, sub: user!.id, aud: spa.client_id, iat: nowS, exp: nowS + 900, auth_time: nowS, nonce: 'n-1', amr: ['pwd'],
      sid: expect.stringMatching(/^ses_/), email: USER.email, email_verified: true,
    });
    expect(decodeProtectedHeader(body.id_token).typ).toBe('JWT');

    const info = await h.app.inject({ url: '/tenants/acme/oauth2/userinfo', headers: { authorization: `Bearer ${body.access_token}` } });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toEqual({ sub: user!.id, email: USER.email, email_verified: true });
    // The refresh token works with the existing rotation, for the client it was issued to.
    const refreshed = await token(h, { grant_type: 'refresh_token', refresh_token: body.refresh_token, client_id: spa.client_id });
    expect(refreshed.statusCode).toBe(200);
  });

  it('refuses a missing or a wrong PKCE verifier with invalid_grant', async () => {
    const spa = await createClient(h, 'spa');
    const { verifier, challenge } = pkce();
    for (const given of [undefined, pkce().verifier, `${verifier.slice(0, -1)}x`]) {
      const back = await codeFor(h, spa.client_id, { code_challenge: challenge, code_challenge_method: 'S256' });
      const res = await token(h, {
        grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: spa.client_id, ...(given ? { code_verifier: given } : {}),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_grant');
      expect(Object.keys(res.json()).sort()).toEqual(['error', 'error_description']);
    }
  });

  it('refuses a reused code and revokes the tokens its first use issued', async () => {
    const spa = await createClient(h, 'spa');
    const { verifier, challenge } = pkce();
    const back = await codeFor(h, spa.client_id, { code_challenge: challenge, code_challenge_method: 'S256' });
    const fields = { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: spa.client_id, code_verifier: verifier };
    const first = (await token(h, fields)).json();
    const again = await token(h, fields);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ error: 'invalid_grant', error_description: 'The code is invalid, expired or already used.' });
    const info = await h.app.inject({ url: '/oauth2/userinfo', headers: { 'x-tenant': 'acme', authorization: `Bearer ${first.access_token}` } });
    expect(info.statusCode).toBe(401);
    expect(info.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect((await token(h, { grant_type: 'refresh_token', refresh_token: first.refresh_token })).json().error).toBe('invalid_grant');
    const [revoked] = await h.deps.store.audit.list(h.tenant.id, { type: 'user.session_revoked', limit: 1 });
    expect(revoked?.data).toMatchObject({ reason: 'authorization_code_reuse', client_id: spa.client_id });
  });

  it('refuses an expired code, a code of another client and a different redirect_uri', async () => {
    const spa = await createClient(h, 'spa');
    const other = await createClient(h, 'spa', { redirect_uris: [REDIRECT, 'http://127.0.0.1:8765/other'] });
    const { verifier, challenge } = pkce();
    const pk = { code_challenge: challenge, code_challenge_method: 'S256' };
    const exchange = (code: string, clientId: string, redirectUri = REDIRECT) =>
      token(h, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier });
    const late = (await codeFor(h, spa.client_id, pk)).searchParams.get('code')!;
    h.clock.advance(60_001);
    expect((await exchange(late, spa.client_id)).json().error).toBe('invalid_grant');
    const stolen = (await codeFor(h, spa.client_id, pk)).searchParams.get('code')!;
    expect((await exchange(stolen, other.client_id)).json()).toEqual({ error: 'invalid_grant', error_description: 'The code was issued to another client.' });
    const moved = (await codeFor(h, other.client_id, pk)).searchParams.get('code')!;
    expect((await exchange(moved, other.client_id, 'http://127.0.0.1:8765/other')).json().error_description).toBe('redirect_uri does not match the authorization request.');
  });

  it('holds a web client to its secret, and a machine client out of the code flow', async () => {
    const web = await createClient(h, 'web');
    expect(web.client_secret).toMatch(/^pcs_/);
    const back = await codeFor(h, web.client_id);
    const fields = { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: web.client_id };
    const noSecret = await token(h, fields);
    expect(noSecret.statusCode).toBe(401);
    expect(noSecret.json().error).toBe('invalid_client');
    const basic = `Basic ${Buffer.from(`${web.client_id}:${web.client_secret}`).toString('base64')}`;
    const ok = await token(h, { ...fields, client_id: '' }, { authorization: basic });
    expect(ok.statusCode, ok.body).toBe(200);
    // The admin app is a machine client: it has no redirect URIs and cannot use this grant.
    const machine = await token(h, { ...fields, client_id: h.admin.client_id, client_secret: h.admin.client_secret });
    expect(machine.json().error).toBe('invalid_client');
  });

  it('answers the code flow at the root too (tenant by header)', async () => {
    const res = await token(h, { grant_type: 'authorization_code', code: 'pac_nothing', redirect_uri: REDIRECT, client_id: 'app_nope' });
    expect(res.statusCode).toBe(401);
    const root = await h.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=authorization_code&client_id=app_nope&code=x&redirect_uri=x' });
    expect(root.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
  });
});
