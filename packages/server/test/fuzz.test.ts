import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { createHarness, type Harness } from './support/harness.js';
import { DATABASES, requirePostgresInCi } from './support/database.js';

requirePostgresInCi();

const RUNS = 300;
const REQUEST_ID = /^req_[0-9A-Z]{26}$/;
const ENVELOPE_KEYS = ['error', 'message', 'request_id'];

/** Strings of any code unit: NUL, lone surrogates, right-to-left marks, emoji. */
const anyString = fc.string({ unit: 'binary', maxLength: 64 });
/** Header values must be printable to be sent at all; within that, anything goes. */
const headerValue = fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
const contentType = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded',
    'multipart/form-data', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'application/problem+json', '*/*', ';', 'application/', ''),
  headerValue,
);
const looseValue = fc.oneof(anyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(anyString, { maxLength: 3 }), fc.dictionary(anyString, anyString, { maxKeys: 3 }));

/** The invariants every answer keeps, whatever was sent. */
function checkCommon(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBeLessThan(500);
  expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
}

function checkApiAnswer(res: LightMyRequestResponse): void {
  checkCommon(res);
  const body = res.json();
  if (res.statusCode === 200) {
    expect(Object.keys(body)).toEqual(['data']);
    return;
  }
  const keys = Object.keys(body).sort();
  expect(keys).toEqual(body.details === undefined ? ENVELOPE_KEYS : [...ENVELOPE_KEYS.slice(0, 2), 'details', 'request_id'].sort());
  expect(typeof body.error).toBe('string');
  expect(typeof body.message).toBe('string');
  expect(body.request_id).toBe(res.headers['x-request-id']);
  if (body.error === 'invalid_request' && body.details) {
    for (const field of body.details.fields) expect(Object.keys(field).sort()).toEqual(['message', 'path']);
  }
}

function checkOAuthAnswer(res: LightMyRequestResponse): void {
  checkCommon(res);
  expect(res.headers['cache-control']).toBe('no-store');
  const body = res.json();
  if (res.statusCode === 200) {
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    return;
  }
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  expect(['invalid_request', 'invalid_client', 'invalid_grant', 'invalid_scope', 'unsupported_grant_type', 'rate_limited']).toContain(body.error);
}

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`fuzzing the public endpoints on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  const send = (options: InjectOptions) => h.app.inject({ ...options, headers: { 'x-tenant': 'acme', ...options.headers } });
  beforeAll(async () => {
    h = await createHarness({ database: database as 'sqlite' | 'postgres' });
    await h.createUser('anita@example.com', 'correct horse battery');
  });
  afterAll(() => h.close());

  it('answers any JSON value posted to /api/v1/auth/login without a 5xx, in the envelope', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }), async (value) => {
      const res = await send({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(value) });
      checkApiAnswer(res);
    }), { numRuns: RUNS });
  });

  it('answers login-shaped objects with random keys and types without a 5xx, in the envelope', async () => {
    const body = fc.record({
      email: fc.oneof(fc.emailAddress(), anyString, looseValue, fc.constant('anita@example.com'), fc.constant(' ANITA@example.com\u0000')),
      password: fc.oneof(anyString, looseValue, fc.constant('correct horse battery'), fc.string({ minLength: 1000, maxLength: 1100 })),
      captcha: fc.oneof(looseValue, fc.record({ provider: fc.oneof(fc.constantFrom('turnstile', 'recaptcha', 'hcaptcha'), anyString), token: looseValue })),
      device: fc.oneof(looseValue, fc.record({ visitor_id: looseValue, signals: fc.dictionary(anyString, looseValue, { maxKeys: 8 }) })),
    }, { requiredKeys: [] }).chain((known) => fc.dictionary(anyString, looseValue, { maxKeys: 3 }).map((extra) => ({ ...extra, ...known })));
    await fc.assert(fc.asyncProperty(body, async (payload) => {
      const res = await send({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      checkApiAnswer(res);
    }), { numRuns: RUNS });
  });

  it('answers random bytes under random content types on /api/v1/auth/login without a 5xx', async () => {
    const raw = fc.oneof(anyString, fc.string({ unit: 'binary', maxLength: 400 }), fc.jsonValue().map((v) => JSON.stringify(v)), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')));
    await fc.assert(fc.asyncProperty(raw, contentType, async (payload, type) => {
      const res = await send({ method: 'POST', url: '/api/v1/auth/login', headers: type ? { 'content-type': type } : {}, payload });
      checkApiAnswer(res);
    }), { numRuns: RUNS });
  });

  it('answers random form fields and Basic headers on /oauth2/token without a 5xx, in RFC 6749 shape', async () => {
    const field = fc.oneof(fc.constantFrom('grant_type', 'client_id', 'client_secret', 'scope', 'refresh_token'), anyString);
    const value = fc.oneof(anyString, fc.constantFrom('client_credentials', 'refresh_token', 'password', h.admin.client_id, h.admin.client_secret, 'users:read', ''),
      fc.string({ minLength: 200, maxLength: 600 }));
    const basic = fc.oneof(
      fc.constant(undefined),
      fc.tuple(anyString, anyString).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
      anyString.map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
      fc.constant(`Basic ${Buffer.from(`${h.admin.client_id}:${h.admin.client_secret}`).toString('base64')}`),
      fc.constant(`Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}`),
      headerValue,
    );
    const form = fc.array(fc.tuple(field, value), { maxLength: 6 });
    await fc.assert(fc.asyncProperty(form, basic, fc.oneof(fc.constant(0), fc.nat(9)), async (pairs, authorization, typeIndex) => {
      const type = typeIndex === 0 ? 'application/json' : 'application/x-www-form-urlencoded';
      const payload = typeIndex === 0 ? JSON.stringify(Object.fromEntries(pairs)) : new URLSearchParams(pairs).toString();
      const res = await send({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': type, ...(authorization ? { authorization } : {}) }, payload });
      checkOAuthAnswer(res);
    }), { numRuns: RUNS });
  });

  it('answers random raw bodies and content types on /oauth2/token without a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), contentType, async (payload, type) => {
      const res = await send({ method: 'POST', url: '/oauth2/token', headers: type ? { 'content-type': type } : {}, payload });
      checkOAuthAnswer(res);
    }), { numRuns: RUNS });
  });

  // Found by the properties above: PostgreSQL text cannot hold U+0000, so a NUL that reached a query was a 500.
  it('answers NUL characters anywhere in a body, form, query or path with 400 invalid_request naming the field', async () => {
    const login = await send({ method: 'POST', url: '/api/v1/auth/login', payload: { email: ' ANITA@example.com\u0000', password: '\u0000' } });
    expect(login.statusCode).toBe(400);
    expect(login.json()).toEqual({
      error: 'invalid_request', message: 'The request is malformed or fails validation.', request_id: login.headers['x-request-id'],
      details: { fields: [{ path: 'email', message: 'must not contain NUL characters' }, { path: 'password', message: 'must not contain NUL characters' }] },
    });
    const nested = await send({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@b.co', password: 'pw', device: { visitor_id: 'v\u0000', signals: { ['k\u0000']: 1 } } } });
    expect(nested.json().details.fields).toEqual([
      { path: 'device.visitor_id', message: 'must not contain NUL characters' }, { path: 'device.signals.k\\0', message: 'must not contain NUL characters' },
    ]);
    const token = await send({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials&client_id=app_%00&client_secret=x' });
    expect(token.statusCode).toBe(400);
    expect(token.json()).toEqual({ error: 'invalid_request', error_description: 'The request is malformed or fails validation.' });
    const admin = await h.adminToken();
    const auth = { authorization: `Bearer ${admin}` };
    const audit = await send({ url: '/api/v1/audit/events?actor=usr_%00', headers: auth });
    expect(audit.statusCode).toBe(400);
    expect(audit.json().details).toEqual({ fields: [{ path: 'actor', message: 'must not contain NUL characters' }] });
    const user = await send({ url: '/api/v1/users/usr_%00', headers: auth });
    expect(user.statusCode).toBe(400);
    expect(user.json().details).toEqual({ fields: [{ path: 'id', message: 'must not contain NUL characters' }] });
    const created = await send({ method: 'POST', url: '/api/v1/users', headers: auth, payload: { email: 'nul\u0000@example.com' } });
    expect(created.statusCode).toBe(400);
  });

  // KNOWN BUG (reported, http/routes/oauth.ts basicCredentials): the Basic header is decoded after validation, so a
  // NUL in its client id reaches the database; on PostgreSQL that is a 500 server_error. Drop `.fails` once fixed.
  it('answers a NUL in the Basic client id with invalid_client, not a 5xx', async () => {
    const basic = await send({
      method: 'POST', url: '/oauth2/token', payload: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('app_%00:secret').toString('base64')}` },
    });
    expect(basic.statusCode).toBe(401);
    expect(basic.json()).toEqual({ error: 'invalid_client', error_description: 'Malformed Basic credentials.' });
  });

  it('still signs anita in after all that', async () => {
    h.clock.advance(24 * 3600 * 1000);
    const res = await h.login({ email: 'anita@example.com', password: 'correct horse battery' });
    expect(res.statusCode, res.body).toBe(200);
  });
});
}
