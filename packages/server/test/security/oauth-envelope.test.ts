import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createHarness, type Harness } from '../support/harness.js';

const FORM = 'application/x-www-form-urlencoded';

// Issue 9 #1: the issuer-path alias answered 500 internal_error (the serialiser was picked by URL
// prefix). Every alias of the token endpoint must give the same RFC 6749 bodies.
describe.each([
  { path: '/oauth2/token', headers: { 'x-tenant': 'acme' } },
  { path: '/tenants/acme/oauth2/token', headers: {} },
])('POST $path answers RFC 6749 errors', ({ path, headers }) => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness({ env: { PORTCULLIS_CLIENT_AUTH_LIMIT: '3', PORTCULLIS_BODY_LIMIT: '2048' } }); });
  afterAll(() => h.close());

  const token = (payload: string, extra: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: path, payload, headers: { ...headers, 'content-type': FORM, ...extra } });
  const rfc = (res: LightMyRequestResponse, status: number, body: Record<string, string>) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual(body);
  };

  it('issues a token with the right secret', async () => {
    const res = await token(`grant_type=client_credentials&client_id=${h.admin.client_id}&client_secret=${h.admin.client_secret}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'Bearer' });
  });

  it('invalid_client for a wrong secret, with a Basic challenge', async () => {
    const res = await token(`grant_type=client_credentials&client_id=${h.admin.client_id}&client_secret=wrong`);
    rfc(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed.' });
    expect(res.headers['www-authenticate']).toBe('Basic realm="portcullis"');
  });

  it('invalid_grant for an unknown refresh token', async () => {
    rfc(await token('grant_type=refresh_token&refresh_token=prt_unknown'), 400,
      { error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or already used.' });
  });

  it('invalid_scope for a scope the client does not hold', async () => {
    rfc(await token(`grant_type=client_credentials&client_id=${h.admin.client_id}&client_secret=${h.admin.client_secret}&scope=root`), 400,
      { error: 'invalid_scope', error_description: 'Scope not allowed for this client: root' });
  });

  it('unsupported_grant_type for the password grant', async () => {
    rfc(await token('grant_type=password&username=a&password=b'), 400,
      { error: 'unsupported_grant_type', error_description: 'Supported grant types: authorization_code, client_credentials, refresh_token.' });
  });

  it('invalid_request for a missing refresh token, a missing grant, a JSON body and a body over the limit', async () => {
    rfc(await token('grant_type=refresh_token'), 400, { error: 'invalid_request', error_description: 'refresh_token is required.' });
    rfc(await token('client_id=x'), 400, { error: 'invalid_request', error_description: 'The request is malformed or fails validation.' });
    rfc(await token('{"grant_type":"client_credentials"}', { 'content-type': 'application/json' }), 400,
      { error: 'invalid_request', error_description: 'The body must be application/x-www-form-urlencoded.' });
    rfc(await token(`grant_type=client_credentials&scope=${'x'.repeat(3000)}`), 413, { error: 'invalid_request', error_description: 'The request body is too large.' });
  });

  it('rate_limited (429 with Retry-After) once failed client authentications pass the limit', async () => {
    for (let i = 0; i < 3; i++) await token(`grant_type=client_credentials&client_id=${h.admin.client_id}&client_secret=wrong-${i}`);
    const res = await token(`grant_type=client_credentials&client_id=${h.admin.client_id}&client_secret=wrong-again`);
    rfc(res, 429, { error: 'rate_limited', error_description: 'Too many failed client authentications; try again later.' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
