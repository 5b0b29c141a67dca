import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { authorizeUrl, complete, createClient, ISSUER, LOGOUT_RETURN, openAuthorize, pkce, REDIRECT, signIn, token, USER, codeFor } from './support.js';

describe('OIDC authorize: errors, discovery, clients and logout', () => {
  let h: Harness;
  let spa: { client_id: string };
  const { challenge } = pkce();
  const valid = () => ({ response_type: 'code', client_id: spa.client_id, redirect_uri: REDIRECT, scope: 'openid', state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' });
  beforeAll(async () => {
    h = await createHarness();
    await h.createUser(USER.email, USER.password);
    spa = await createClient(h, 'spa');
  });
  afterAll(async () => { await h.close(); });

  it('never redirects to an unregistered redirect URI or for an unknown client: 400 invalid_request here', async () => {
    for (const params of [
      { ...valid(), redirect_uri: 'https://evil.example/callback' },
      { ...valid(), redirect_uri: `${REDIRECT}/` },
      { ...valid(), redirect_uri: `${REDIRECT}?x=1` },
      { ...valid(), client_id: 'app_unknown' },
      { ...valid(), client_id: h.admin.client_id },
      { ...valid(), redirect_uri: '' },
    ]) {
      const res = await h.app.inject({ url: authorizeUrl(params) });
      expect(res.statusCode, JSON.stringify(params)).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.json().error).toBe('invalid_request');
      expect(Object.keys(res.json()).sort()).toEqual(['error', 'error_description']);
    }
  });

  it('sends request errors back to a registered redirect URI with state and iss', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...valid(), response_type: 'token' }, 'unsupported_response_type'],
      [{ ...valid(), scope: 'email' }, 'invalid_scope'],
      [{ ...valid(), code_challenge_method: 'plain' }, 'invalid_request'],
      [{ ...valid(), code_challenge: 'short' }, 'invalid_request'],
    ];
    for (const [params, error] of cases) {
      const res = await h.app.inject({ url: authorizeUrl(params) });
      expect(res.statusCode).toBe(302);
      const to = new URL(res.headers.location as string);
      expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
      expect(to.searchParams.get('error')).toBe(error);
      expect(to.searchParams.get('state')).toBe('xyz');
      expect(to.searchParams.get('iss')).toBe(ISSUER);
      expect(to.searchParams.has('code')).toBe(false);
    }
  });

  it('requires PKCE of a spa', async () => {
    const { code_challenge: _c, code_challenge_method: _m, ...noPkce } = valid();
    const res = await h.app.inject({ url: authorizeUrl(noPkce) });
    const to = new URL(res.headers.location as string);
    expect(to.searchParams.get('error')).toBe('invalid_request');
    expect(to.searchParams.get('error_description')).toBe('A public client must use PKCE (code_challenge with S256).');
  });

  it('refuses a forged request and a session older than the request', async () => {
    const stale = await signIn(h);
    h.clock.advance(1000);
    const request = await openAuthorize(h, valid());
    const old = await complete(h, request, stale);
    expect(old.statusCode).toBe(403);
    expect(old.json().error).toBe('access_denied');
    const [head, body, sig] = request.split('.');
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), redirect_uri: 'https://evil.example/' })).toString('base64url')}.${sig}`;
    const res = await complete(h, forged, await signIn(h));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    // An access token is no authorization request, however it is presented.
    expect((await complete(h, await signIn(h), await signIn(h))).json().error).toBe('invalid_request');
  });

  it('serves a complete discovery document at the root and under the issuer path', async () => {
    for (const [url, headers] of [['/.well-known/openid-configuration', { 'x-tenant': 'acme' }], ['/tenants/acme/.well-known/openid-configuration', {}]] as const) {
      const doc = (await h.app.inject({ url, headers })).json();
      expect(doc).toMatchObject({
        issuer: ISSUER, authorization_endpoint: `${ISSUER}/oauth2/authorize`, token_endpoint: `${ISSUER}/oauth2/token`,
        userinfo_endpoint: `${ISSUER}/oauth2/userinfo`, end_session_endpoint: `${ISSUER}/oauth2/logout`, jwks_uri: `${ISSUER}/.well-known/jwks.json`,
        response_types_supported: ['code'], code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
        id_token_signing_alg_values_supported: ['ES256'], subject_types_supported: ['public'], authorization_response_iss_parameter_supported: true,
      });
      expect(doc.scopes_supported).toContain('openid');
    }
  });

  it('registers clients by type: a spa gets no secret, URIs are checked, a machine has none', async () => {
    const created = await h.api('POST', '/api/v1/applications', { name: 'spa', scopes: [], type: 'spa', redirect_uris: [REDIRECT] });
    expect(created.json().data).toMatchObject({ type: 'spa', redirect_uris: [REDIRECT], post_logout_redirect_uris: [] });
    expect(created.json().data).not.toHaveProperty('client_secret');
    const rotate = await h.api('POST', `/api/v1/applications/${created.json().data.id}/rotate-secret`, {});
    expect(rotate.statusCode).toBe(400);
    const bad = await h.api('POST', '/api/v1/applications', { name: 'x', scopes: [], type: 'web', redirect_uris: ['http://example.com/cb', 'https://a.example/cb#frag', 'not a uri'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.fields).toEqual([
      { path: 'redirect_uris.0', message: 'must use https (http only on loopback)' },
      { path: 'redirect_uris.1', message: 'must not contain a fragment' },
      { path: 'redirect_uris.2', message: 'must be an absolute URI' },
    ]);
    const none = await h.api('POST', '/api/v1/applications', { name: 'x', scopes: [], type: 'spa' });
    expect(none.json().details.fields).toEqual([{ path: 'redirect_uris', message: 'a spa application needs at least one redirect URI' }]);
    const machine = await h.api('POST', '/api/v1/applications', { name: 'x', scopes: [], redirect_uris: [REDIRECT] });
    expect(machine.statusCode).toBe(400);
    const unknownType = await h.api('POST', '/api/v1/applications', { name: 'x', scopes: [], type: 'native' });
    expect(unknownType.json().error).toBe('invalid_request');
  });

  it('logs out with an id_token_hint: session revoked, back to a registered URI with state only', async () => {
    const { verifier, challenge: c } = pkce();
    const back = await codeFor(h, spa.client_id, { code_challenge: c, code_challenge_method: 'S256' });
    const tokens = (await token(h, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: spa.client_id, code_verifier: verifier })).json();
    const hint = encodeURIComponent(tokens.id_token);
    const evil = await h.app.inject({ url: `/tenants/acme/oauth2/logout?id_token_hint=${hint}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}` });
    expect(evil.statusCode).toBe(400);
    expect(evil.headers.location).toBeUndefined();
    const res = await h.app.inject({ url: `/tenants/acme/oauth2/logout?id_token_hint=${hint}&post_logout_redirect_uri=${encodeURIComponent(LOGOUT_RETURN)}&state=s2` });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`${LOGOUT_RETURN}?state=s2`);
    const info = await h.app.inject({ url: '/tenants/acme/oauth2/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.statusCode).toBe(401);
    const plain = await h.app.inject({ url: '/tenants/acme/oauth2/logout' });
    expect(plain.statusCode).toBe(200);
    expect(plain.body).toContain('You are signed out');
  });
});
