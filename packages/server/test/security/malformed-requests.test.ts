import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { HUMAN_DEVICE, createHarness, type Harness } from '../support/harness.js';
import { rawRequest } from './raw-http.js';

const REQUEST_ID = /^req_[0-9A-Z]{26}$/;
const login = (headers: string, body: string) =>
  `POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nX-Tenant: acme\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nX-Tenant: acme\r\nConnection: close\r\n\r\n`;

// Issue 9 #9: framework errors escaped the envelope (FST_ERR_BAD_URL without request_id, 414
// FST_ERR_MAX_PARAM_LENGTH, Node's bare "Client Error"). Each row goes over a real socket, so
// what Node's parser refuses is covered too.
const TABLE: { name: string; bytes: string; status: number; error: string; message: string }[] = [
  { name: 'a bad %-escape in a path parameter', bytes: get('/api/v1/risk/ips/%ff'), status: 400, error: 'invalid_request', message: 'The URL is malformed.' },
  { name: 'a bad %-escape on an unknown route', bytes: get('/api/v1/%zz/x'), status: 400, error: 'invalid_request', message: 'The URL is malformed.' },
  { name: 'an overlong path parameter', bytes: get(`/api/v1/risk/ips/${'1'.repeat(2000)}`), status: 400, error: 'invalid_request', message: 'A path parameter is too long.' },
  { name: 'an overlong URL', bytes: get(`/api/v1/users?cursor=${'x'.repeat(20_000)}`), status: 431, error: 'request_headers_too_large', message: 'The request headers are too large.' },
  { name: 'a non-numeric Content-Length', bytes: 'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}', status: 400, error: 'invalid_request', message: 'The Content-Length header is malformed.' },
  { name: 'two different Content-Lengths', bytes: 'POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', status: 400, error: 'invalid_request', message: 'The Content-Length header is malformed.' },
  { name: 'garbage instead of HTTP', bytes: '\u0001\u0002 nonsense\r\n\r\n', status: 400, error: 'invalid_request', message: 'The request could not be parsed.' },
  { name: 'duplicate Content-Type headers', bytes: login('Content-Type: text/xml\r\nContent-Type: application/json\r\n', '{}'), status: 415, error: 'unsupported_media_type', message: 'The content type is not supported here.' },
  { name: 'a malformed Content-Type', bytes: login('Content-Type: ;;;\r\n', '{}'), status: 415, error: 'unsupported_media_type', message: 'The content type is not supported here.' },
  { name: 'invalid JSON', bytes: login('Content-Type: application/json\r\n', '{"email":'), status: 400, error: 'invalid_request', message: 'The body is not valid JSON.' },
  { name: 'a body of the wrong content type', bytes: login('Content-Type: application/xml\r\n', '<login/>'), status: 415, error: 'unsupported_media_type', message: 'The content type is not supported here.' },
  { name: '2,500 nested arrays at the top', bytes: login('Content-Type: application/json\r\n', `${'['.repeat(2500)}${']'.repeat(2500)}`), status: 400, error: 'invalid_request', message: 'The body nests deeper than 32 levels.' },
  { name: '2,500 nested objects in device.signals', bytes: login('Content-Type: application/json\r\n', JSON.stringify({ email: 'a@example.com', password: 'pw', device: { signals: { x: JSON.parse(`${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`) } } })), status: 400, error: 'invalid_request', message: 'The body nests deeper than 32 levels.' },
];

describe('malformed requests answer in the DESIGN envelope', () => {
  let h: Harness;
  let port = 0;
  beforeAll(async () => {
    h = await createHarness();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(() => h.close());

  it.each(TABLE)('$name → $status $error', async ({ bytes, status, error, message }) => {
    const res = await rawRequest(port, bytes);
    expect(res.status, res.body).toBe(status);
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(res.body)).toEqual({ error, message, request_id: res.headers['x-request-id'] });
    expect(res.body).not.toMatch(/FST_|fastify|statusCode/i);
  });

  it('still parses a body nested to the limit', async () => {
    const deep = JSON.parse(`${'{"a":'.repeat(28)}1${'}'.repeat(28)}`);
    const res = await h.login({ email: 'nobody@example.com', password: 'wrong password', device: { ...HUMAN_DEVICE, signals: { ...HUMAN_DEVICE.signals, deep } } });
    expect(res.statusCode, res.body).toBe(401);
  });

  it('counts brackets inside strings as text, not depth', async () => {
    const res = await h.login({ email: `${'['.repeat(3000)}@example.com`.slice(0, 300), password: 'x' });
    expect(res.statusCode, res.body).toBe(401);
  });
});
