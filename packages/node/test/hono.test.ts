import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono, type MiddlewareHandler } from 'hono';
import { authenticate, bearerErrorResponse, BearerError, type AccessClaims, type AuthOptions } from '../src/index.js';
import { keysRotate } from '../../server/src/cli/commands.js';
import { createTenant } from '../../server/src/services/tenants.js';
import { freePort } from '../../server/test/support/tcp-proxy.js';
import { invalidToken, startPortcullis, type RunningPortcullis } from './support/portcullis.js';

type Env = { Variables: { auth: AccessClaims } };

/** What the README shows: `authenticate` in a Hono middleware, the claims on the context. */
function portcullis(options: AuthOptions): MiddlewareHandler<Env> {
  return async (c, next) => {
    try {
      c.set('auth', await authenticate(c.req.raw, options));
    } catch (err) {
      if (err instanceof BearerError) return bearerErrorResponse(err);
      throw err;
    }
    await next();
  };
}

function honoApp(options: AuthOptions) {
  const app = new Hono<Env>();
  app.use('/api/*', portcullis(options));
  app.get('/api/me', (c) => c.json({ sub: c.get('auth').sub, scope: c.get('auth').scope }));
  return app;
}

/** What a client of the Hono app sees. */
async function call(app: Hono<Env>, authorization?: string) {
  const res = await app.request('/api/me', { headers: authorization ? { authorization } : {} });
  return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate'), body: await res.json().catch(() => null) as Record<string, unknown> | null };
}

const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;

describe('a Hono app behind authenticate()', () => {
  let p: RunningPortcullis;
  let app: Hono<Env>;
  beforeAll(async () => {
    p = await startPortcullis();
    app = honoApp({ issuer: p.issuer, scopes: ['openid'] });
  });
  afterAll(() => p.close());

  it('lets a token Portcullis issued through, with its claims on the context', async () => {
    const res = await call(app, `Bearer ${await p.userToken()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: expect.stringMatching(/^usr_/), scope: 'openid' });
  });

  it('answers 401 with a bare challenge and no-store when no bearer token came', async () => {
    const res = await app.request('/api/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'unauthorized', error_description: 'A bearer token is required' });
  });

  it('answers 401 invalid_token to an expired, a tampered and another tenant\'s token', async () => {
    const acme = (await p.h.deps.store.tenants.bySlug('acme'))!;
    const now = p.h.clock.now();
    p.h.clock.set(Date.now() - 3600_000);
    const expired = await p.h.deps.keys.sign(acme, { iss: p.issuer, aud: p.issuer, sub: 'usr_01JEXPIRED', scope: 'openid' }, 900);
    p.h.clock.set(now);
    const good = await p.userToken();
    const [head, body, sig] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, scope: 'openid admin' })).toString('base64url')}.${sig}`;
    const { tenant } = await createTenant(p.h.deps, { slug: 'hono-other' });
    const other = (await p.h.deps.store.tenants.bySlug(tenant.slug))!;
    const foreign = await p.h.deps.keys.sign(other, { iss: p.issuer, aud: p.issuer, sub: 'usr_01JFOREIGN', scope: 'openid' }, 900);
    const ownIssuer = await p.h.deps.keys.sign(other, { iss: `${p.origin}/tenants/${tenant.slug}`, aud: `${p.origin}/tenants/${tenant.slug}`, sub: 'usr_01JFOREIGN', scope: 'openid' }, 900);

    for (const [token, description] of [
      [expired, 'The access token expired'],
      [tampered, 'The access token signature is invalid'],
      [foreign, 'The access token is signed by an unknown key'],
      // Its own tenant's genuine token: the key is looked up before any claim is read.
      [ownIssuer, 'The access token is signed by an unknown key'],
    ] as const) {
      expect(await call(app, `Bearer ${token}`), description).toEqual({
        status: 401, wwwAuthenticate: invalidToken(description), body: { error: 'invalid_token', error_description: description },
      });
    }
  });

  it('answers 400 invalid_request to a header that is not one bearer token', async () => {
    expect(await call(app, 'Bearer a b')).toEqual({
      status: 400,
      wwwAuthenticate: 'Bearer error="invalid_request", error_description="The Authorization header does not hold one bearer token"',
      body: { error: 'invalid_request', error_description: 'The Authorization header does not hold one bearer token' },
    });
  });

  it('answers 403 insufficient_scope, naming the scopes, to a token without them', async () => {
    const strict = honoApp({ issuer: p.issuer, scopes: ['openid', 'orders:write'] });
    expect(await call(strict, `Bearer ${await p.userToken()}`)).toEqual({
      status: 403,
      wwwAuthenticate: 'Bearer error="insufficient_scope", error_description="The access token lacks a required scope", scope="openid orders:write"',
      body: { error: 'insufficient_scope', error_description: 'The access token lacks a required scope' },
    });
  });

  it('picks up a key rotation with no restart: the new kid refetches the JWKS (cooldown 0 here, 30 s by default)', async () => {
    const rotating = honoApp({ issuer: p.issuer, scopes: ['openid'], jwks: { cooldownDuration: 0 } });
    const before = await p.userToken();
    expect((await call(rotating, `Bearer ${before}`)).status).toBe(200);
    await keysRotate(p.h.deps, { positionals: ['keys', 'rotate'], values: { tenant: 'acme' } });
    const after = await p.userToken();
    expect(kidOf(after)).not.toBe(kidOf(before));
    expect((await call(rotating, `Bearer ${after}`)).status).toBe(200);
    // Tokens signed before the rotation stay good until they expire: the JWKS keeps the previous key.
    expect((await call(rotating, `Bearer ${before}`)).status).toBe(200);
  });

  it('lets nothing through when the issuer cannot be reached: Hono\'s error handler answers 500', async () => {
    const down = honoApp({ issuer: `http://127.0.0.1:${await freePort()}/tenants/acme` });
    const res = await down.request('/api/me', { headers: { authorization: `Bearer ${await p.userToken()}` } });
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('usr_');
  });
});
