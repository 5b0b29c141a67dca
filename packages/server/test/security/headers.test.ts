import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import helmet from '@fastify/helmet';
import { createHarness, type Harness } from '../support/harness.js';

// Issue 9 #7: no X-Content-Type-Options: nosniff on JSON answers (ASVS 14.4.4). Helmet's baseline
// on every answer; the hosted page keeps its own nonce CSP, set once.
describe('baseline security headers', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());

  it('are on JSON successes, API errors, OAuth errors and 404s', async () => {
    const answers = [
      await h.app.inject({ url: '/healthz' }),
      await h.app.inject({ url: '/.well-known/jwks.json', headers: { 'x-tenant': 'acme' } }),
      await h.app.inject({ url: '/api/v1/users', headers: { 'x-tenant': 'acme' } }),
      await h.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=nope' }),
      await h.app.inject({ url: '/nowhere' }),
    ];
    for (const res of answers) {
      expect(res.headers['x-content-type-options'], res.raw.req.url).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  // The headers are worked out once (http/security-headers.ts): they must be exactly those the
  // helmet plugin sets per request, with the same options, on every kind of answer.
  it('are exactly what @fastify/helmet sets with the same options', async () => {
    const reference = Fastify();
    await reference.register(helmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'cross-origin' } });
    reference.get('/', async () => ({ ok: true }));
    const expected = (await reference.inject({ url: '/' })).headers;
    await reference.close();
    const names = Object.keys(expected).filter((n) => !['content-type', 'content-length', 'date', 'connection', 'keep-alive'].includes(n));
    expect(names.length).toBeGreaterThan(8);
    const answers = [
      await h.app.inject({ url: '/healthz' }),
      await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-tenant': 'acme', 'content-type': 'application/json' }, payload: '{}' }),
      await h.app.inject({ url: '/nowhere' }),
    ];
    for (const res of answers) {
      for (const name of names) expect(res.headers[name], `${res.raw.req.url} ${name}`).toBe(expected[name]);
    }
  });

  it('leave the hosted page its own single nonce CSP', async () => {
    const res = await h.app.inject({ url: '/login', headers: { 'x-tenant': 'acme' } });
    expect(res.statusCode).toBe(200);
    const csp = res.headers['content-security-policy'];
    expect(typeof csp).toBe('string');
    expect(csp).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
