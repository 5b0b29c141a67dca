import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { HUMAN_DEVICE, createHarness, type Harness } from './support/harness.js';

const FORM = 'application/x-www-form-urlencoded';
const REQUEST_ID = /^req_[0-9A-Z]{26}$/;
/** What a leaked stack frame or source path looks like in a body. */
const STACK = /\bat \S*\(?\/?[\w./-]+\.(?:ts|js|mjs|cjs):\d+|node_modules|\/work\/|file:\/\//;

describe('error envelopes and request ids', () => {
  let h: Harness;
  const seen: LightMyRequestResponse[] = [];
  /** Every response in this suite goes through here, so the last test can check all of them for leaks. */
  const send = async (options: InjectOptions) => {
    const res = await h.app.inject(options);
    seen.push(res);
    return res;
  };
  const api = (options: InjectOptions) => send({ ...options, headers: { 'x-tenant': 'acme', ...options.headers } });
  const oauth = (payload: string, headers: Record<string, string> = {}) =>
    send({ method: 'POST', url: '/oauth2/token', payload, headers: { 'x-tenant': 'acme', 'content-type': FORM, ...headers } });
  const apiError = (res: LightMyRequestResponse, error: string, message: string, details?: Record<string, unknown>) =>
    ({ error, message, ...(details ? { details } : {}), request_id: res.headers['x-request-id'] });

  beforeAll(async () => {
    h = await createHarness({ env: { PORTCULLIS_BODY_LIMIT: '2048' } });
    await h.createUser('anita@example.com', 'correct horse battery');
  });
  afterAll(() => h.close());

  describe('X-Request-Id', () => {
    it('is on every response, fresh each time, and the same id as the error body names', async () => {
      const responses = [
        await send({ url: '/healthz' }),
        await send({ url: '/openapi.json' }),
        await api({ url: '/.well-known/jwks.json' }),
        await api({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'anita@example.com', password: 'correct horse battery', device: HUMAN_DEVICE } }),
        await api({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'anita@example.com', password: 'wrong password', device: HUMAN_DEVICE } }),
        await api({ url: '/api/v1/users' }),
        await send({ url: '/nowhere' }),
        await oauth('grant_type=client_credentials'),
      ];
      const ids = responses.map((r) => r.headers['x-request-id']);
      for (const id of ids) expect(id).toMatch(REQUEST_ID);
      expect(new Set(ids).size).toBe(ids.length);
      for (const res of responses.filter((r) => r.statusCode >= 400 && !r.body.includes('error_description'))) {
        expect(res.json().request_id).toBe(res.headers['x-request-id']);
      }
    });

    it('never takes the id from the client', async () => {
      const res = await api({ url: '/api/v1/users', headers: { 'x-request-id': 'req_chosen-by-client' } });
      expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
      expect(res.json().request_id).toBe(res.headers['x-request-id']);
    });
  });

  describe('/api/v1 envelopes', () => {
    it('answers an unknown route with not_found, without echoing the query string', async () => {
      const res = await send({ url: '/api/v1/nope?token=secret-value' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json()).toEqual(apiError(res, 'not_found', 'No route for GET /api/v1/nope.'));
      const method = await send({ method: 'PUT', url: '/api/v1/auth/login' });
      expect(method.statusCode).toBe(404);
      expect(method.json()).toEqual(apiError(method, 'not_found', 'No route for PUT /api/v1/auth/login.'));
    });

    it('answers a body over PORTCULLIS_BODY_LIMIT with 413 payload_too_large', async () => {
      const big = JSON.stringify({ email: 'anita@example.com', password: 'x'.repeat(3000) });
      const res = await api({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: big });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toEqual(apiError(res, 'payload_too_large', 'The request body is too large.'));
      const justUnder = JSON.stringify({ email: 'anita@example.com', password: 'x'.repeat(1000), device: HUMAN_DEVICE });
      expect((await api({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: justUnder })).statusCode).toBe(401);
    });

    it('answers a content type it does not read with 415 unsupported_media_type', async () => {
      for (const type of ['application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
        const res = await api({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': type }, payload: '<login/>' });
        expect(res.statusCode, type).toBe(415);
        expect(res.json()).toEqual(apiError(res, 'unsupported_media_type', 'The content type is not supported here.'));
      }
    });

    // KNOWN BUG (reported, http/app.ts): Fastify's built-in text/plain parser is still registered, so a text body
    // reaches the schema and answers 400 "(body) must be object" instead of 415. Drop `.fails` once it is removed.
    it('answers a text/plain body with 415 unsupported_media_type', async () => {
      const res = await api({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/plain' }, payload: '{"email":"a@b.co","password":"x"}' });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toEqual(apiError(res, 'unsupported_media_type', 'The content type is not supported here.'));
    });

    it('answers invalid or empty JSON with 400 invalid_request', async () => {
      for (const payload of ['{"email":', '{email: "a"}', '', 'nul']) {
        const res = await api({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json()).toEqual(apiError(res, 'invalid_request', 'The body is not valid JSON.'));
      }
    });

    it('lists every bad field at once with dotted paths', async () => {
      const res = await api({ method: 'POST', url: '/api/v1/auth/login', payload: { password: 123 } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(apiError(res, 'invalid_request', 'The request is malformed or fails validation.', {
        fields: [{ path: 'email', message: "must have required property 'email'" }, { path: 'password', message: 'must be string' }],
      }));
      const nested = await api({
        method: 'POST', url: '/api/v1/auth/login',
        payload: { email: '', password: 'x', captcha: { provider: 'geetest', token: 't' }, device: { visitor_id: 5, signals: { plugins: -1, screen: [1, 2, 3, 4] } }, remember: true },
      });
      expect(nested.statusCode).toBe(400);
      expect(nested.json().details.fields).toEqual(expect.arrayContaining([
        { path: 'email', message: 'must NOT have fewer than 1 characters' },
        { path: 'captcha.provider', message: 'must be equal to one of the allowed values' },
        { path: 'device.visitor_id', message: 'must be string' },
        { path: 'device.signals.plugins', message: 'must be >= 0' },
        { path: 'device.signals.screen', message: 'must NOT have more than 3 items' },
        { path: 'remember', message: 'is not allowed' },
      ]));
      expect(nested.json().details.fields).toHaveLength(6);
      const notObject = await api({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '[1,2]' });
      expect(notObject.json()).toEqual(apiError(notObject, 'invalid_request', 'The request is malformed or fails validation.', { fields: [{ path: '(body)', message: 'must be object' }] }));
    });

    it('answers a host no tenant serves with 404 tenant_not_found', async () => {
      for (const headers of [{ 'x-tenant': 'nope' }, { 'x-tenant': 'NOT A SLUG!' }, {}]) {
        const res = await send({ method: 'POST', url: '/api/v1/auth/login', headers, payload: { email: 'anita@example.com', password: 'correct horse battery' } });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual(apiError(res, 'tenant_not_found', 'No tenant serves this host.'));
      }
    });

    it('answers an unexpected failure with a bare internal_error 500', async () => {
      const users = h.deps.store.users;
      const original = users.byEmail;
      users.byEmail = async () => { throw new Error('connection to /var/lib/db.sock lost at Object.query (/app/src/db.ts:12:3)'); };
      try {
        const res = await api({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'anita@example.com', password: 'correct horse battery', device: HUMAN_DEVICE } });
        expect(res.statusCode).toBe(500);
        expect(res.json()).toEqual(apiError(res, 'internal_error', 'An internal error occurred.'));
      } finally {
        users.byEmail = original;
      }
    });
  });

  describe('/oauth2/token RFC 6749 bodies', () => {
    const rfc = (res: LightMyRequestResponse) => {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
      expect(Object.keys(res.json()).sort()).toEqual(['error', 'error_description']);
      return res.json();
    };

    it('answers an unsupported grant with unsupported_grant_type', async () => {
      const res = await oauth('grant_type=password&username=a&password=b');
      expect(res.statusCode).toBe(400);
      expect(rfc(res)).toEqual({ error: 'unsupported_grant_type', error_description: 'Supported grant types: authorization_code, client_credentials, refresh_token.' });
    });

    it('answers a JSON body, a missing grant and an oversized body with invalid_request', async () => {
      const json = await send({ method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': 'application/json' }, payload: JSON.stringify({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret }) });
      expect(json.statusCode).toBe(400);
      expect(rfc(json)).toEqual({ error: 'invalid_request', error_description: 'The body must be application/x-www-form-urlencoded.' });
      const empty = await oauth('');
      expect(empty.statusCode).toBe(400);
      expect(rfc(empty).error).toBe('invalid_request');
      const noGrant = await oauth('client_id=x');
      expect(noGrant.statusCode).toBe(400);
      expect(rfc(noGrant)).toEqual({ error: 'invalid_request', error_description: 'The request is malformed or fails validation.' });
      const big = await oauth(`grant_type=client_credentials&scope=${'x'.repeat(3000)}`);
      expect(big.statusCode).toBe(413);
      expect(rfc(big)).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' });
      const refresh = await oauth('grant_type=refresh_token');
      expect(refresh.statusCode).toBe(400);
      expect(rfc(refresh)).toEqual({ error: 'invalid_request', error_description: 'refresh_token is required.' });
    });

    it('answers bad client credentials with invalid_client and a Basic challenge', async () => {
      const res = await oauth(`grant_type=client_credentials&client_id=${h.admin.client_id}&client_secret=nope`);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="portcullis"');
      expect(rfc(res)).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
      const malformed = await oauth('grant_type=client_credentials', { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` });
      expect(malformed.statusCode).toBe(401);
      expect(rfc(malformed)).toEqual({ error: 'invalid_client', error_description: 'Malformed Basic credentials.' });
      const both = await oauth(`grant_type=client_credentials&client_secret=x`, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
      expect(both.statusCode).toBe(400);
      expect(rfc(both)).toEqual({ error: 'invalid_request', error_description: 'Use one client authentication method, not two.' });
    });

    it('answers an unknown tenant in the RFC shape, not the API envelope', async () => {
      const res = await oauth('grant_type=client_credentials', { 'x-tenant': 'nope' });
      expect(res.statusCode).toBe(400);
      expect(rfc(res)).toEqual({ error: 'invalid_request', error_description: 'No tenant serves this host.' });
    });

    it('answers an unexpected failure with server_error and nothing else', async () => {
      const apps = h.deps.store.applications;
      const original = apps.byId;
      apps.byId = async () => { throw new Error('relation "applications" does not exist at /app/src/repo.ts:9:1'); };
      try {
        const res = await oauth(`grant_type=client_credentials&client_id=${h.admin.client_id}&client_secret=${h.admin.client_secret}`);
        expect(res.statusCode).toBe(500);
        expect(rfc(res)).toEqual({ error: 'server_error', error_description: 'An internal error occurred.' });
      } finally {
        apps.byId = original;
      }
    });
  });

  it('never put a stack trace, source path or internal message in any body above', () => {
    expect(seen.length).toBeGreaterThan(30);
    for (const res of seen) {
      expect(res.body, res.body.slice(0, 200)).not.toMatch(STACK);
      expect(res.body).not.toContain('/var/lib/db.sock');
      expect(res.body).not.toContain('does not exist');
    }
  });
});
