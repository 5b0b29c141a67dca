import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PortcullisClientError } from '../src/index.js';
import { clientWith, scriptedFetch } from './helpers.js';

const ISSUER = 'https://id.example/tenants/banking';
const DISCOVERY = '/tenants/banking/.well-known/openid-configuration';
const TOKEN = '/tenants/banking/oauth2/token';
const discovery = { status: 200, body: { issuer: ISSUER, authorization_endpoint: `${ISSUER}/oauth2/authorize`, token_endpoint: `${ISSUER}/oauth2/token` } };
const APP = { clientId: 'app_spa', redirectUri: 'https://app.example/callback' };
const NOW_MS = 1_800_000_000_000;

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const idToken = (claims: Record<string, unknown>) => `${b64u('{"alg":"ES256"}')}.${b64u(JSON.stringify(claims))}.c2ln`;

function memoryStorage() {
  const items = new Map<string, string>();
  return { items, getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) };
}

/** Starts a redirect sign-in against the fake issuer; answers what the SPA would see on return. */
async function started(tokenReplies: Parameters<typeof scriptedFetch>[0][string] = []) {
  const storage = memoryStorage();
  const visited: string[] = [];
  const { fetch, seen } = scriptedFetch({ [DISCOVERY]: [discovery], [TOKEN]: tokenReplies });
  const client = clientWith({ baseUrl: 'https://id.example', fetch, redirectStorage: storage, navigate: (u) => void visited.push(u), now: () => NOW_MS });
  await client.signInWithRedirect({ ...APP, state: '/inbox' });
  const url = new URL(visited[0]!);
  const state = url.searchParams.get('state')!;
  const pending = JSON.parse(storage.items.get(`portcullis.redirect.${state}`)!) as { verifier: string; nonce: string };
  const claims = { iss: ISSUER, sub: 'usr_9', aud: APP.clientId, exp: NOW_MS / 1000 + 300, iat: NOW_MS / 1000, nonce: pending.nonce, sid: 'ses_9', email: 'p@example.com' };
  const back = (params: Record<string, string>) => `${APP.redirectUri}?${new URLSearchParams(params)}`;
  return { client, url, state, pending, claims, storage, seen, back };
}

const tokenOk = (token: string) => ({ status: 200, body: { access_token: 'at_x', token_type: 'Bearer', expires_in: 900, refresh_token: 'rt_x', id_token: token } });

describe('signInWithRedirect', () => {
  it('reads discovery, keeps verifier, state and nonce in storage, and goes to the authorization endpoint with S256', async () => {
    const { url, state, pending, seen } = await started();
    expect(seen.map((s) => s.path)).toEqual([DISCOVERY]);
    expect(seen[0]?.headers['x-tenant']).toBeUndefined(); // a simple GET: no preflight across origins
    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code', client_id: APP.clientId, redirect_uri: APP.redirectUri, scope: 'openid email', state, nonce: pending.nonce,
      code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'), code_challenge_method: 'S256',
    });
    // RFC 7636 §4.1: 43–128 characters; 256 random bits each, and all three distinct.
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set([state, pending.nonce, pending.verifier]).size).toBe(3);
    // The app's own state never travels on the wire.
    expect(url.search).not.toContain('inbox');
  });
});

describe('handleRedirectCallback', () => {
  it('exchanges the code with the verifier, checks the ID token and holds the session', async () => {
    let token = '';
    const s = await startedWith((claims) => (token = idToken(claims)));
    const result = await s.client.handleRedirectCallback(s.back({ code: 'code_1', state: s.state, iss: ISSUER }));
    expect(s.seen.at(-1)).toEqual({ path: TOKEN, headers: expect.not.objectContaining({ 'x-tenant': expect.anything() }), body: {
      grant_type: 'authorization_code', code: 'code_1', redirect_uri: APP.redirectUri, client_id: APP.clientId, code_verifier: s.pending.verifier,
    } });
    expect(result).toEqual({
      session: { id: 'ses_9', userId: 'usr_9', accessToken: 'at_x', expiresAt: NOW_MS + 900_000 }, idToken: token, claims: s.claims, state: '/inbox',
    });
    expect(s.client.session).toBe(result.session);
    expect(s.storage.items.size).toBe(0);
  });

  it('refuses a state this tab did not start, and a second use of the same callback', async () => {
    const s = await started([tokenOk('unused')]);
    await expect(s.client.handleRedirectCallback(s.back({ code: 'c', state: 'forged', iss: ISSUER }))).rejects.toMatchObject({ code: 'state_mismatch' });
    const t = await started([tokenOk(idToken({}))]);
    t.storage.items.clear();
    await expect(t.client.handleRedirectCallback(t.back({ code: 'c', state: t.state, iss: ISSUER }))).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(t.seen.map((x) => x.path)).toEqual([DISCOVERY]); // nothing exchanged
  });

  it('refuses a missing or foreign iss before sending the code anywhere (RFC 9207)', async () => {
    for (const iss of [undefined, 'https://evil.example/tenants/banking']) {
      const s = await started([]);
      const params: Record<string, string> = { code: 'c', state: s.state, ...(iss ? { iss } : {}) };
      await expect(s.client.handleRedirectCallback(s.back(params))).rejects.toMatchObject({ code: 'issuer_mismatch' });
      expect(s.seen.map((x) => x.path)).toEqual([DISCOVERY]);
    }
  });

  it('rejects with the authorization error the issuer sent back', async () => {
    const s = await started([]);
    const error = await s.client.handleRedirectCallback(s.back({ error: 'access_denied', error_description: 'No.', state: s.state, iss: ISSUER })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortcullisClientError);
    expect(error).toMatchObject({ code: 'access_denied', message: 'No.' });
  });

  it('refuses an ID token with another nonce, audience, issuer or an expired one, and holds no session', async () => {
    const cases: [string, (c: Record<string, unknown>) => Record<string, unknown>][] = [
      ['nonce', (c) => ({ ...c, nonce: 'replayed' })],
      ['audience', (c) => ({ ...c, aud: 'other_app' })],
      ['issuer', (c) => ({ ...c, iss: 'https://evil.example' })],
      ['expiry', (c) => ({ ...c, exp: NOW_MS / 1000 - 120 })],
    ];
    for (const [problem, change] of cases) {
      const w = await startedWith((claims) => idToken(change(claims)));
      const error = await w.client.handleRedirectCallback(w.back({ code: 'c', state: w.state, iss: ISSUER })).catch((e: unknown) => e) as PortcullisClientError;
      expect([problem, error.code]).toEqual([problem, 'id_token_invalid']);
      expect(error.details).toEqual({ claim: problem });
      expect(w.client.session).toBeNull();
    }
  });
});

/** Like {@link started}, with a token endpoint that signs what `tokenFor` makes of this attempt's claims. */
async function startedWith(tokenFor: (claims: Record<string, unknown>) => string) {
  const holder: { claims?: Record<string, unknown> } = {};
  const lazy = { status: 200, get body() { return tokenOk(tokenFor(holder.claims!)).body; } };
  const s = await started([lazy]);
  holder.claims = s.claims;
  return s;
}

describe('refresh after a redirect sign-in', () => {
  it('names the client when it refreshes: the server binds the refresh token to it (RFC 6749 §6)', async () => {
    const storage = memoryStorage();
    const visited: string[] = [];
    const holder: { token?: string } = {};
    const lazy = { status: 200, get body() { return { ...tokenOk(holder.token!).body, expires_in: 10 }; } };
    const { fetch, seen } = scriptedFetch({
      [DISCOVERY]: [discovery], [TOKEN]: [lazy],
      '/oauth2/token': [{ status: 200, body: { access_token: 'at_2', token_type: 'Bearer', expires_in: 900, refresh_token: 'rt_2' } }],
    });
    const client = clientWith({ baseUrl: 'https://id.example', fetch, redirectStorage: storage, navigate: (u) => void visited.push(u), now: () => NOW_MS });
    await client.signInWithRedirect(APP);
    const state = new URL(visited[0]!).searchParams.get('state')!;
    const pending = JSON.parse(storage.items.get(`portcullis.redirect.${state}`)!) as { nonce: string };
    holder.token = idToken({ iss: ISSUER, sub: 'usr_9', aud: APP.clientId, exp: NOW_MS / 1000 + 300, iat: NOW_MS / 1000, nonce: pending.nonce, sid: 'ses_9' });
    await client.handleRedirectCallback(`${APP.redirectUri}?${new URLSearchParams({ code: 'c', state, iss: ISSUER })}`);
    // Ten seconds left is within the refresh leeway: the next call rotates.
    expect(await client.getAccessToken()).toBe('at_2');
    expect(seen.at(-1)).toMatchObject({ path: '/oauth2/token', body: { grant_type: 'refresh_token', refresh_token: 'rt_x', client_id: APP.clientId } });
  });
});
