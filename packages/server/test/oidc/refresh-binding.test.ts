import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { createHarness, type Harness } from '../support/harness.js';
import { codeFor, createClient, pkce, REDIRECT, token, USER } from './support.js';

const databases = ['sqlite', ...(process.env['TEST_DATABASE_URL'] ? ['postgres' as const] : [])] as const;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe.each(databases)('refresh tokens are bound to the client of the code flow (RFC 6749 §6) on %s', (database) => {
  let h: Harness;
  let userId: string;
  beforeEach(async () => {
    h = await createHarness({ database });
    userId = (await h.createUser(USER.email, USER.password)).id;
  });
  afterEach(async () => { await h.close(); });

  async function spaTokens(clientId: string) {
    const { verifier, challenge } = pkce();
    const back = await codeFor(h, clientId, { code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await token(h, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { access_token: string; refresh_token: string };
  }

  it('answers invalid_grant to no client id and to another client\'s, without spending the token; its own client gets the code grant\'s claims', async () => {
    const spa = await createClient(h, 'spa');
    const other = await createClient(h, 'spa');
    const first = await spaTokens(spa.client_id);
    const refused = { error: 'invalid_grant', error_description: 'The refresh token was not issued to this client.' };
    for (const fields of [{}, { client_id: other.client_id }] as Record<string, string>[]) {
      const res = await token(h, { grant_type: 'refresh_token', refresh_token: first.refresh_token, ...fields });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(refused);
    }
    // The refusals rolled back: the token is not spent, so its own client's use is no "reuse".
    const ok = await token(h, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: spa.client_id });
    expect(ok.statusCode, ok.body).toBe(200);
    const before = decodeJwt(first.access_token);
    const after = decodeJwt(ok.json().access_token);
    expect(after).toMatchObject({ client_id: spa.client_id, scope: 'openid email', sid: before.sid, sub: before.sub, aud: before.aud });
    expect(await h.deps.store.audit.list(h.tenant.id, { type: 'user.session_revoked', limit: 1 })).toHaveLength(0);
  });

  it('in parallel, strangers\' presentations spend nothing: only the owner rotates, once', async () => {
    const spa = await createClient(h, 'spa');
    const other = await createClient(h, 'spa');
    const { refresh_token } = await spaTokens(spa.client_id);
    const stranger = (clientId?: string) => token(h, { grant_type: 'refresh_token', refresh_token, ...(clientId ? { client_id: clientId } : {}) });
    const strangers = await Promise.all([stranger(other.client_id), stranger(), stranger(other.client_id), stranger()]);
    expect(strangers.map((r) => r.statusCode)).toEqual([400, 400, 400, 400]);
    // Racing the owner too: exactly one rotation, the owner's. A stranger landing after it presents a
    // used token, which is a leak whoever holds it: the session may then be revoked for reuse.
    const mixed = await Promise.all([stranger(other.client_id), stranger(spa.client_id), stranger(), stranger(other.client_id)]);
    expect(mixed.map((r) => r.statusCode)).toEqual([400, 200, 400, 400]);
    const revoked = await h.deps.store.audit.list(h.tenant.id, { type: 'user.session_revoked', limit: 1 });
    for (const row of revoked) expect(row.data).toMatchObject({ reason: 'refresh_token_reuse' });
  });

  it('keeps the granted scope on refresh: an admin\'s code-flow session does not gain management scopes', async () => {
    expect((await h.api('PATCH', `/api/v1/users/${userId}`, { roles: ['admin'] })).statusCode).toBe(200);
    const spa = await createClient(h, 'spa');
    const first = await spaTokens(spa.client_id);
    const ok = await token(h, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: spa.client_id });
    expect(decodeJwt(ok.json().access_token).scope).toBe('openid email');
    const users = await h.app.inject({ url: '/api/v1/users', headers: { 'x-tenant': 'acme', authorization: `Bearer ${ok.json().access_token}` } });
    expect(users.statusCode).toBe(403);
  });

  it('makes a web client authenticate, by Basic or by body secret', async () => {
    const web = await createClient(h, 'web');
    const back = await codeFor(h, web.client_id);
    const code = await token(h, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT }, { authorization: basic(web.client_id, web.client_secret!) });
    expect(code.statusCode, code.body).toBe(200);
    const rt = code.json().refresh_token as string;
    const noSecret = await token(h, { grant_type: 'refresh_token', refresh_token: rt, client_id: web.client_id });
    expect(noSecret.statusCode).toBe(401);
    expect(noSecret.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication is required.' });
    const wrong = await token(h, { grant_type: 'refresh_token', refresh_token: rt }, { authorization: basic(web.client_id, 'pcs_wrong') });
    expect(wrong.statusCode).toBe(401);
    const viaBasic = await token(h, { grant_type: 'refresh_token', refresh_token: rt }, { authorization: basic(web.client_id, web.client_secret!) });
    expect(viaBasic.statusCode, viaBasic.body).toBe(200);
    expect(decodeJwt(viaBasic.json().access_token).client_id).toBe(web.client_id);
    const viaBody = await token(h, { grant_type: 'refresh_token', refresh_token: viaBasic.json().refresh_token, client_id: web.client_id, client_secret: web.client_secret! });
    expect(viaBody.statusCode, viaBody.body).toBe(200);
  });

  it('keeps first-party refresh tokens (POST /api/v1/auth/login) working without a client, and refuses them to a client', async () => {
    const spa = await createClient(h, 'spa');
    const login = await h.login(USER);
    const rt = login.json().data.refresh_token as string;
    const asClient = await token(h, { grant_type: 'refresh_token', refresh_token: rt, client_id: spa.client_id });
    expect(asClient.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token was not issued to this client.' });
    const ok = await token(h, { grant_type: 'refresh_token', refresh_token: rt });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(decodeJwt(ok.json().access_token).client_id).toBeUndefined();
  });
});
