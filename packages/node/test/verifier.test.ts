import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVerifier, BearerError } from '../src/index.js';
import { keysRotate } from '../../server/src/cli/commands.js';
import { createTenant } from '../../server/src/services/tenants.js';
import { CHECKPOINT_TYP } from '../../server/src/services/audit-checkpoint.js';
import { invalidToken, startPortcullis, type RunningPortcullis } from './support/portcullis.js';

const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;

/** The BearerError a promise rejects with, as the fields a client sees. */
async function refusal(p: Promise<unknown>) {
  const err = await p.then(() => { throw new Error('verified, but should have been refused'); }, (e: unknown) => e);
  if (!(err instanceof BearerError)) throw err;
  return { status: err.status, code: err.code, wwwAuthenticate: err.wwwAuthenticate };
}

describe('createVerifier against a running Portcullis', () => {
  let p: RunningPortcullis;
  beforeAll(async () => { p = await startPortcullis(); });
  afterAll(() => p.close());
  afterEach(() => { vi.useRealTimers(); vi.restoreAllMocks(); });

  it('verifies a user access token Portcullis issued, keys found through discovery', async () => {
    const token = await p.userToken();
    const claims = await createVerifier({ issuer: p.issuer }).verify(token);
    expect(claims).toMatchObject({ iss: p.issuer, aud: p.issuer, scope: 'openid' });
    expect(claims.sub).toMatch(/^usr_/);
  });

  it('fetches discovery and the JWKS once, then verifies from the cache', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const verifier = createVerifier({ issuer: p.issuer });
    const token = await p.userToken();
    for (let i = 0; i < 5; i++) await verifier.verify(token);
    const urls = fetchSpy.mock.calls.map(([u]) => String(u instanceof Request ? u.url : u));
    expect(urls).toEqual([`${p.issuer}/.well-known/openid-configuration`, `${p.issuer}/.well-known/jwks.json`]);
  });

  it('refuses a management token by default: its audience is the API, not the tenant apps', async () => {
    const token = await p.h.adminToken();
    expect(await refusal(createVerifier({ issuer: p.issuer }).verify(token))).toEqual({
      status: 401, code: 'invalid_token', wwwAuthenticate: invalidToken('The access token is not meant for this audience'),
    });
    const claims = await createVerifier({ issuer: p.issuer, audience: `${p.issuer}/api` }).verify(token, { scopes: ['users:read', 'audit:read'] });
    expect(claims.sub).toMatch(/^app_/);
  });

  it('answers insufficient_scope (403) with the scopes it needs', async () => {
    const token = await p.h.adminToken('users:read');
    const verifier = createVerifier({ issuer: p.issuer, audience: `${p.issuer}/api` });
    expect(await refusal(verifier.verify(token, { scopes: ['users:read', 'users:write'] }))).toEqual({
      status: 403, code: 'insufficient_scope',
      wwwAuthenticate: 'Bearer error="insufficient_scope", error_description="The access token lacks a required scope", scope="users:read users:write"',
    });
  });

  it('refuses an expired, a tampered, a garbage, a wrong-issuer and another tenant\'s token as invalid_token', async () => {
    const verifier = createVerifier({ issuer: p.issuer });
    const acme = (await p.h.deps.store.tenants.bySlug('acme'))!;
    const sub = 'usr_01JTEST';
    const now = p.h.clock.now();
    p.h.clock.set(Date.now() - 3600_000);
    const expired = await p.h.deps.keys.sign(acme, { iss: p.issuer, aud: p.issuer, sub }, 900);
    p.h.clock.set(now);
    const good = await p.userToken();
    const [head, body, sig] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: 'usr_someone_else' })).toString('base64url')}.${sig}`;
    const otherIssuer = await p.h.deps.keys.sign(acme, { iss: 'https://evil.example/tenants/acme', aud: p.issuer, sub }, 900);
    const { tenant: beta } = await createTenant(p.h.deps, { slug: 'beta' });
    const betaTenant = (await p.h.deps.store.tenants.bySlug(beta.slug))!;
    // Another tenant's token, even one claiming acme's issuer, is signed by a key acme's JWKS does not list.
    const foreign = await p.h.deps.keys.sign(betaTenant, { iss: p.issuer, aud: p.issuer, sub }, 900);

    const cases: Array<[string, string]> = [
      [expired, 'The access token expired'],
      [tampered, 'The access token signature is invalid'],
      ['garbage', 'The access token is malformed'],
      ['a.b.c', 'The access token is malformed'],
      [otherIssuer, 'The access token has another issuer'],
      [foreign, 'The access token is signed by an unknown key'],
    ];
    for (const [token, description] of cases) {
      expect(await refusal(verifier.verify(token)), description).toEqual({ status: 401, code: 'invalid_token', wwwAuthenticate: invalidToken(description) });
    }
    // And beta's own verifier refuses acme's token the same way.
    expect((await refusal(createVerifier({ issuer: `${p.origin}/tenants/beta` }).verify(good))).wwwAuthenticate)
      .toBe(invalidToken('The access token is signed by an unknown key'));
  });

  it('refuses a JWS the tenant key signed that is not an access token (typ), e.g. an audit checkpoint', async () => {
    const acme = (await p.h.deps.store.tenants.bySlug('acme'))!;
    const nowS = Math.floor(Date.now() / 1000);
    const jws = await p.h.deps.keys.signDocument(acme, CHECKPOINT_TYP, { iss: p.issuer, aud: p.issuer, sub: 'usr_x', exp: nowS + 60 });
    expect((await refusal(createVerifier({ issuer: p.issuer }).verify(jws))).wwwAuthenticate).toBe(invalidToken('The token is not an access token'));
  });

  it('picks up `portcullis keys rotate` without a restart: a new kid refetches the JWKS once the cooldown has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const verifier = createVerifier({ issuer: p.issuer });
    const before = await p.userToken();
    await verifier.verify(before);

    await keysRotate(p.h.deps, { positionals: ['keys', 'rotate'], values: { tenant: 'acme' } });
    const after = await p.userToken();
    expect(kidOf(after)).not.toBe(kidOf(before));
    // Within jose's 30 s cooldown an unknown kid is not fetched again (forged kids cannot make us hammer the issuer).
    expect((await refusal(verifier.verify(after))).wwwAuthenticate).toBe(invalidToken('The access token is signed by an unknown key'));

    vi.setSystemTime(Date.now() + 31_000);
    expect((await verifier.verify(after)).iss).toBe(p.issuer);
    expect((await verifier.verify(before)).iss).toBe(p.issuer);
  });

  it('refuses a discovery document that names another issuer (RFC 8414 §3.3), and retries discovery after a failure', async () => {
    const aliased = p.issuer.replace('127.0.0.1', 'localhost');
    await expect(createVerifier({ issuer: aliased }).verify(await p.userToken())).rejects.toThrow(`names issuer ${p.issuer}, not ${aliased}`);

    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockRejectedValueOnce(new TypeError('fetch failed'));
    const verifier = createVerifier({ issuer: p.issuer });
    const token = await p.userToken();
    await expect(verifier.verify(token)).rejects.toThrow('fetch failed');
    expect((await verifier.verify(token)).iss).toBe(p.issuer);
    expect(fetchSpy).toHaveBeenCalledTimes(3);
  });
});
