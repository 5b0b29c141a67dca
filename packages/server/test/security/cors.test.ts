import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';
import { createTenant } from '../../src/services/tenants.js';

const APP = 'https://app.acme.example';
const OTHER = 'https://app.other.example';

// DESIGN §13: exact origins, echoed, never `*`, credentials allowed; per tenant (issue 10 #13: @fastify/cors with a delegator).
describe('CORS per tenant', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await createTenant(h.deps, { slug: 'shop', allowedOrigins: [APP] });
  });
  afterAll(() => h.close());

  it('answers a preflight from an allowed origin with the exact origin, credentials and the allowed methods and headers', async () => {
    const res = await h.app.inject({ method: 'OPTIONS', url: '/api/v1/auth/login', headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-tenant' } });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE');
    expect(res.headers['access-control-allow-headers']).toBe('authorization, content-type, x-tenant');
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(String(res.headers['vary'])).toMatch(/origin/i);
  });

  it('gives a real request from the tenant origin the CORS headers, and none to another origin', async () => {
    const ok = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: APP, 'x-tenant': 'shop' }, payload: { email: 'a@example.com', password: 'x' } });
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(ok.headers['access-control-expose-headers']).toBe('x-request-id, retry-after');
    const other = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: OTHER, 'x-tenant': 'shop' }, payload: { email: 'a@example.com', password: 'x' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(other.headers['vary'])).toMatch(/origin/i);
    // Allowed by one tenant is not allowed by another.
    const elsewhere = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: APP, 'x-tenant': 'acme' }, payload: { email: 'a@example.com', password: 'x' } });
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('never answers `*` or an origin no tenant allows on a preflight', async () => {
    const res = await h.app.inject({ method: 'OPTIONS', url: '/api/v1/auth/login', headers: { origin: OTHER, 'access-control-request-method': 'POST' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
