import { describe, expect, it } from 'vitest';
import { apiError, clientWith, scriptedFetch, signInOk } from './helpers.js';

const LOGIN = '/api/v1/auth/login';
const TOKEN = '/oauth2/token';
const LOGOUT = '/api/v1/auth/logout';
const creds = { email: 'anita@example.com', password: 'pw' };
const rotated = (n: number) => ({ status: 200, body: { access_token: `at${n}`, token_type: 'Bearer', expires_in: 900, refresh_token: `rt${n}` } });

/** A client signed in at t=0 with a 900 s access token, and a clock the test moves. */
async function signedIn(script: Record<string, Parameters<typeof scriptedFetch>[0][string]>) {
  const clock = { t: 0 };
  const server = scriptedFetch({ [LOGIN]: [signInOk(1)], ...script });
  const client = clientWith({ fetch: server.fetch, now: () => clock.t });
  await client.signIn(creds);
  return { client, clock, seen: server.seen };
}

describe('getAccessToken', () => {
  it('returns the token as is until 30 s before expiry', async () => {
    const { client, clock, seen } = await signedIn({});
    clock.t = 869_000;
    expect(await client.getAccessToken()).toBe('at1');
    expect(seen).toHaveLength(1);
  });

  it('rotates within 30 s of expiry: form-encoded refresh_token grant with X-Tenant, then uses the new refresh token', async () => {
    const { client, clock, seen } = await signedIn({ [TOKEN]: [rotated(2), rotated(3)] });
    const changes: unknown[] = [];
    client.onChange((s) => changes.push(s));
    clock.t = 871_000;
    expect(await client.getAccessToken()).toBe('at2');
    expect(seen[1]).toEqual({
      path: TOKEN,
      headers: expect.objectContaining({ 'content-type': 'application/x-www-form-urlencoded', 'x-tenant': 'banking' }),
      body: { grant_type: 'refresh_token', refresh_token: 'rt1' },
    });
    expect(client.session).toEqual({ id: 'ses_1', userId: 'usr_1', accessToken: 'at2', expiresAt: 871_000 + 900_000 });
    expect(changes).toEqual([client.session]);
    clock.t = 2_000_000;
    expect(await client.getAccessToken()).toBe('at3');
    expect(seen[2]?.body).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt2' });
  });

  it('sends one refresh for concurrent callers: a second use of a rotated token would revoke the session', async () => {
    const { client, clock, seen } = await signedIn({ [TOKEN]: [rotated(2)] });
    clock.t = 900_000;
    const tokens = await Promise.all([client.getAccessToken(), client.getAccessToken(), client.getAccessToken()]);
    expect(tokens).toEqual(['at2', 'at2', 'at2']);
    expect(seen.filter((s) => s.path === TOKEN)).toHaveLength(1);
  });

  it('on invalid_grant forgets the session and answers null', async () => {
    const { client, clock } = await signedIn({ [TOKEN]: [{ status: 400, body: { error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or already used.' } }] });
    const changes: unknown[] = [];
    client.onChange((s) => changes.push(s));
    clock.t = 1_000_000;
    expect(await client.getAccessToken()).toBeNull();
    expect(client.session).toBeNull();
    expect(changes).toEqual([null]);
  });

  it('keeps the unexpired token on a transient failure, and rejects once it has expired', async () => {
    const { client, clock } = await signedIn({ [TOKEN]: [new TypeError('offline'), { status: 503, body: { error: 'temporarily_unavailable', error_description: 'x' } }] });
    clock.t = 880_000;
    expect(await client.getAccessToken()).toBe('at1');
    clock.t = 901_000;
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'temporarily_unavailable', status: 503, recoverable: true });
    expect(client.session?.accessToken).toBe('at1');
  });

  it('is null when signed out, without a request', async () => {
    const { fetch, seen } = scriptedFetch({});
    expect(await clientWith({ fetch }).getAccessToken()).toBeNull();
    expect(seen).toEqual([]);
  });
});

describe('signOut', () => {
  it('calls logout with the Bearer token and no body, then clears the session', async () => {
    const { client, seen } = await signedIn({ [LOGOUT]: [{ status: 204 }] });
    const changes: unknown[] = [];
    client.onChange((s) => changes.push(s));
    await client.signOut();
    expect(seen[1]).toEqual({ path: LOGOUT, headers: expect.objectContaining({ authorization: 'Bearer at1', 'x-tenant': 'banking' }), body: undefined });
    expect(seen[1]?.headers['content-type']).toBeUndefined();
    expect(client.session).toBeNull();
    expect(changes).toEqual([null]);
  });

  it('refreshes an expired access token first, so the server can revoke the session it names', async () => {
    const { client, clock, seen } = await signedIn({ [TOKEN]: [rotated(2)], [LOGOUT]: [{ status: 204 }] });
    clock.t = 1_000_000;
    await client.signOut();
    expect(seen.map((s) => s.path)).toEqual([LOGIN, TOKEN, LOGOUT]);
    expect(seen[2]?.headers['authorization']).toBe('Bearer at2');
  });

  it('clears locally even when the server call fails, and tolerates an already-ended session', async () => {
    const { client } = await signedIn({ [LOGOUT]: [new TypeError('offline')] });
    await expect(client.signOut()).rejects.toMatchObject({ code: 'network_error' });
    expect(client.session).toBeNull();
    const again = await signedIn({ [LOGOUT]: [apiError(401, 'unauthorized')] });
    await again.client.signOut();
    expect(again.client.session).toBeNull();
  });

  it('unsubscribed listeners hear nothing more', async () => {
    const { client } = await signedIn({ [LOGOUT]: [{ status: 204 }] });
    const changes: unknown[] = [];
    const off = client.onChange((s) => changes.push(s));
    off();
    await client.signOut();
    expect(changes).toEqual([]);
  });
});
