import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { HUMAN_DEVICE, createHarness, type Harness } from './support/harness.js';
import { createTenant, type CreatedTenant } from '../src/services/tenants.js';
import { createUser } from '../src/services/users.js';

const FORM = 'application/x-www-form-urlencoded';
const BASE = 'http://127.0.0.1:3000';

/** Which tenant answered: discovery names it in its issuer. */
async function tenantFor(h: Harness, headers: Record<string, string>): Promise<string> {
  const res = await h.app.inject({ url: '/.well-known/openid-configuration', headers });
  if (res.statusCode !== 200) return `${res.statusCode} ${res.json().error}`;
  return (res.json().issuer as string).replace(`${BASE}/tenants/`, '');
}

describe('tenant resolution (DESIGN §3)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { PORTCULLIS_BASE_DOMAIN: 'auth.example' } });
    await createTenant(h.deps, { slug: 'globex', domains: ['login.globex.test', 'Globex.Example'] });
    await createTenant(h.deps, { slug: 'initech' });
    // A tenant whose own domain happens to look like another tenant's subdomain: the exact match must win.
    await createTenant(h.deps, { slug: 'shadow', domains: ['initech.auth.example'] });
  });
  afterAll(() => h.close());

  it('serves a tenant on its own domains, ignoring case and port', async () => {
    expect(await tenantFor(h, { host: 'login.globex.test' })).toBe('globex');
    expect(await tenantFor(h, { host: 'LOGIN.Globex.TEST:8443' })).toBe('globex');
    expect(await tenantFor(h, { host: 'globex.example' })).toBe('globex');
  });

  it('serves <slug>.<base domain> as that tenant', async () => {
    expect(await tenantFor(h, { host: 'acme.auth.example' })).toBe('acme');
    expect(await tenantFor(h, { host: 'globex.auth.example:443' })).toBe('globex');
  });

  it('serves X-Tenant when the host names no tenant', async () => {
    expect(await tenantFor(h, { host: 'localhost:3000', 'x-tenant': 'initech' })).toBe('initech');
    expect(await tenantFor(h, { 'x-tenant': ' INITECH ' })).toBe('initech');
  });

  it('applies the order: exact domain, then base-domain subdomain, then X-Tenant', async () => {
    expect(await tenantFor(h, { host: 'login.globex.test', 'x-tenant': 'acme' })).toBe('globex');
    expect(await tenantFor(h, { host: 'acme.auth.example', 'x-tenant': 'globex' })).toBe('acme');
    expect(await tenantFor(h, { host: 'initech.auth.example' })).toBe('shadow');
    // A subdomain naming no tenant, or no valid slug, falls through to the header.
    expect(await tenantFor(h, { host: 'nobody.auth.example', 'x-tenant': 'initech' })).toBe('initech');
    expect(await tenantFor(h, { host: 'a.b.auth.example', 'x-tenant': 'globex' })).toBe('globex');
    // The base domain itself, and look-alikes that merely end in it, are not subdomains.
    expect(await tenantFor(h, { host: 'auth.example' })).toBe('404 tenant_not_found');
    expect(await tenantFor(h, { host: 'acmeauth.example' })).toBe('404 tenant_not_found');
  });

  it('answers 404 tenant_not_found when nothing resolves and no default is configured', async () => {
    for (const headers of [{ host: 'unknown.test' }, { 'x-tenant': 'nope' }, { 'x-tenant': '../acme' }, {}]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers, payload: { email: 'a@b.co', password: 'x' } });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'tenant_not_found', message: 'No tenant serves this host.', request_id: res.headers['x-request-id'] });
    }
  });

  it('serves a tenant created after the host was first asked for within the 5 s resolver cache', async () => {
    expect(await tenantFor(h, { host: 'late.example' })).toBe('404 tenant_not_found');
    await createTenant(h.deps, { slug: 'late', domains: ['late.example'] });
    h.clock.advance(5001);
    expect(await tenantFor(h, { host: 'late.example' })).toBe('late');
  });
});

describe('the default tenant', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { PORTCULLIS_DEFAULT_TENANT: 'acme', PORTCULLIS_BASE_DOMAIN: 'auth.example' } });
    await createTenant(h.deps, { slug: 'globex', domains: ['login.globex.test'] });
  });
  afterAll(() => h.close());

  it('answers requests no other rule resolves', async () => {
    expect(await tenantFor(h, {})).toBe('acme');
    expect(await tenantFor(h, { host: 'unknown.test' })).toBe('acme');
    expect(await tenantFor(h, { host: 'nobody.auth.example' })).toBe('acme');
  });

  it('never outranks a domain, a subdomain or an X-Tenant header', async () => {
    expect(await tenantFor(h, { host: 'login.globex.test' })).toBe('globex');
    expect(await tenantFor(h, { host: 'globex.auth.example' })).toBe('globex');
    expect(await tenantFor(h, { 'x-tenant': 'globex' })).toBe('globex');
  });

  it('does not stand in for a tenant the client named explicitly but that does not exist', async () => {
    expect(await tenantFor(h, { 'x-tenant': 'nope' })).toBe('404 tenant_not_found');
  });
});

describe('a default tenant that does not exist', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness({ env: { PORTCULLIS_DEFAULT_TENANT: 'ghost' } }); });
  afterAll(() => h.close());

  it('resolves nothing rather than failing', async () => {
    expect(await tenantFor(h, {})).toBe('404 tenant_not_found');
    expect(await tenantFor(h, { 'x-tenant': 'acme' })).toBe('acme');
  });
});

describe('per-tenant issuer, keys and discovery', () => {
  let h: Harness;
  let globex: CreatedTenant;
  const clientToken = async (slug: string, app: { client_id: string; client_secret: string }) => {
    const res = await h.app.inject({
      method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': slug, 'content-type': FORM },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret }).toString(),
    });
    expect(res.statusCode).toBe(200);
    return res.json().access_token as string;
  };
  beforeAll(async () => {
    h = await createHarness();
    globex = await createTenant(h.deps, { slug: 'globex', domains: ['login.globex.test'] });
  });
  afterAll(() => h.close());

  it('publishes discovery under the issuer path, with no tenant header needed', async () => {
    const res = await h.app.inject({ url: '/tenants/globex/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const issuer = `${BASE}/tenants/globex`;
    expect(res.json()).toEqual({
      issuer,
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      token_endpoint: `${issuer}/oauth2/token`,
      userinfo_endpoint: `${issuer}/oauth2/userinfo`,
      end_session_endpoint: `${issuer}/oauth2/logout`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      id_token_signing_alg_values_supported: ['ES256'],
      subject_types_supported: ['public'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'amr', 'sid', 'email', 'email_verified'],
      scopes_supported: ['openid', 'email', 'offline_access', 'users:read', 'users:write', 'applications:read', 'applications:write', 'risk:read', 'risk:write', 'audit:read', 'webhooks:read', 'webhooks:write', 'settings:read', 'settings:write'],
    });
    const byHost = await h.app.inject({ url: '/.well-known/openid-configuration', headers: { host: 'login.globex.test' } });
    expect(byHost.json()).toEqual(res.json());
    const acme = await h.app.inject({ url: '/tenants/acme/.well-known/openid-configuration' });
    expect(acme.json().issuer).toBe(`${BASE}/tenants/acme`);
  });

  it('answers an unknown slug under /tenants with tenant_not_found', async () => {
    for (const url of ['/tenants/nope/.well-known/openid-configuration', '/tenants/nope/.well-known/jwks.json']) {
      const res = await h.app.inject({ url, headers: { 'x-tenant': 'acme' } });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'tenant_not_found', message: 'No tenant serves this host.', request_id: res.headers['x-request-id'] });
    }
  });

  it('signs each tenant with its own key: issuers and JWKS differ and never verify each other', async () => {
    const acmeJwks = (await h.app.inject({ url: '/tenants/acme/.well-known/jwks.json' })).json();
    const globexJwks = (await h.app.inject({ url: '/.well-known/jwks.json', headers: { 'x-tenant': 'globex' } })).json();
    expect(acmeJwks.keys).toHaveLength(1);
    expect(globexJwks.keys).toHaveLength(1);
    expect(acmeJwks.keys[0]).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' });
    expect(acmeJwks.keys[0].kid).not.toBe(globexJwks.keys[0].kid);
    expect(acmeJwks.keys[0].x).not.toBe(globexJwks.keys[0].x);
    expect(JSON.stringify([acmeJwks, globexJwks])).not.toMatch(/"d"/);

    const acmeToken = await clientToken('acme', h.admin);
    const globexToken = await clientToken('globex', globex.application);
    expect(decodeProtectedHeader(globexToken).kid).toBe(globexJwks.keys[0].kid);
    const now = new Date(h.clock.now());
    const { payload } = await jwtVerify(globexToken, createLocalJWKSet(globexJwks), { currentDate: now });
    expect(payload.iss).toBe(`${BASE}/tenants/globex`);
    expect((await jwtVerify(acmeToken, createLocalJWKSet(acmeJwks), { currentDate: now })).payload.iss).toBe(`${BASE}/tenants/acme`);
    await expect(jwtVerify(globexToken, createLocalJWKSet(acmeJwks), { currentDate: now })).rejects.toThrow();
  });

  it('keeps users apart: the same email is two accounts in two tenants', async () => {
    await h.createUser('same@example.com', 'acme password here');
    const globexTenant = (await h.deps.store.tenants.bySlug('globex'))!;
    await createUser(h.deps, { tenant: globexTenant }, { kind: 'operator', id: null }, { email: 'same@example.com', password: 'globex password here' });
    expect((await h.login({ email: 'same@example.com', password: 'acme password here' })).statusCode).toBe(200);
    expect((await h.login({ email: 'same@example.com', password: 'globex password here' })).statusCode).toBe(401);
    const viaHost = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { host: 'login.globex.test' }, payload: { email: 'same@example.com', password: 'globex password here', device: HUMAN_DEVICE } });
    expect(viaHost.statusCode).toBe(200);
    const jwks = (await h.app.inject({ url: '/tenants/globex/.well-known/jwks.json' })).json();
    const { payload } = await jwtVerify(viaHost.json().data.access_token, createLocalJWKSet(jwks), { currentDate: new Date(h.clock.now()) });
    expect(payload).toMatchObject({ iss: `${BASE}/tenants/globex`, aud: `${BASE}/tenants/globex` });
  });

  // KNOWN BUG (reported, http/routes/well-known.ts + oauth.ts): discovery under /tenants/<slug> advertises the root
  // /oauth2/token, which resolves the tenant from Host/X-Tenant, not from the issuer a client discovered. A standard
  // OAuth client that follows discovery (no X-Tenant) reaches the wrong tenant or none. Drop `.fails` once fixed.
  it('serves the token endpoint that discovery advertises for the tenant it was discovered for', async () => {
    const discovery = (await h.app.inject({ url: '/tenants/globex/.well-known/openid-configuration' })).json();
    const res = await h.app.inject({
      method: 'POST', url: new URL(discovery.token_endpoint).pathname, headers: { 'content-type': FORM },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: globex.application.client_id, client_secret: globex.application.client_secret }).toString(),
    });
    expect(res.statusCode).toBe(200);
  });
});
