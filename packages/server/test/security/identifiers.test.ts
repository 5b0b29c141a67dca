import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

const MESSAGE = 'must not contain control or bidirectional-override characters';

/** What an attacker puts in a name so that a terminal, a log viewer or the console shows something else. */
const HOSTILE = {
  BEL: '\u0007', ESC: '\u001b[31m', DEL: '\u007f', 'U+0085 (NEL)': '\u0085', 'U+009B (CSI)': '\u009b',
  'U+202E (RLO)': '\u202e', 'U+202A (LRE)': '\u202a', 'U+2066 (LRI)': '\u2066', 'U+2069 (PDI)': '\u2069',
  'U+200E (LRM)': '\u200e', 'U+200F (RLM)': '\u200f', 'U+061C (ALM)': '\u061c',
};

// Issue 9 #8: BEL, ESC, DEL and U+202E were accepted in emails (terminal escapes in `outbox`
// output and logs, misleading text in the console). One schema rule serves every route.
describe('identifiers refuse control characters and bidirectional overrides', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());

  const invalid = (res: { statusCode: number; body: string; json(): unknown; headers: Record<string, unknown> }, path: string) => {
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request', message: 'The request is malformed or fails validation.',
      details: { fields: [{ path, message: MESSAGE }] }, request_id: res.headers['x-request-id'],
    });
  };

  it.each(Object.entries(HOSTILE))('POST /api/v1/users refuses %s in the email', async (_name, ch) => {
    invalid(await h.api('POST', '/api/v1/users', { email: `eve${ch}@example.com`, password: 'long enough password' }), 'email');
  });

  it('refuses them in sign-in emails, visitor ids, application names and scopes, patch emails and query filters', async () => {
    invalid(await h.login({ email: 'a\u001b[2J@example.com', password: 'x' }), 'email');
    invalid(await h.login({ email: 'a@example.com', password: 'x', device: { visitor_id: 'vis\u202e' } }), 'device.visitor_id');
    invalid(await h.api('POST', '/api/v1/applications', { name: 'billing\u202etxt.exe', scopes: [] }), 'name');
    invalid(await h.api('POST', '/api/v1/applications', { name: 'ok', scopes: ['users:read\u0007'] }), 'scopes.0');
    const user = await h.createUser('plain@example.com', 'correct horse battery');
    invalid(await h.api('PATCH', `/api/v1/users/${user.id}`, { email: 'x\u0085@example.com' }), 'email');
    invalid(await h.api('GET', `/api/v1/audit/events?actor=${encodeURIComponent('usr_\u001b')}`), 'actor');
    invalid(await h.api('GET', `/api/v1/users/${encodeURIComponent('usr_\u2066x')}`), 'id');
  });

  it('refuses them in client ids, form body and Basic alike', async () => {
    const form = await h.app.inject({
      method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: `${h.admin.client_id}\u202e`, client_secret: 'x' }).toString(),
    });
    expect(form.statusCode).toBe(400);
    expect(form.json()).toEqual({ error: 'invalid_request', error_description: 'The request is malformed or fails validation.' });
    const basic = await h.app.inject({
      method: 'POST', url: '/oauth2/token', payload: 'grant_type=client_credentials',
      headers: { 'x-tenant': 'acme', 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`app_x\u001b:secret`).toString('base64')}` },
    });
    expect(basic.statusCode).toBe(401);
    expect(basic.json()).toEqual({ error: 'invalid_client', error_description: 'Malformed Basic credentials.' });
  });

  it('still accepts ordinary international text', async () => {
    const res = await h.api('POST', '/api/v1/users', { email: 'zoë.müller@exämple.com', password: 'long enough password' });
    expect(res.statusCode, res.body).toBe(201);
    const app = await h.api('POST', '/api/v1/applications', { name: 'Facturation — émise (עברית)', scopes: [] });
    expect(app.statusCode, app.body).toBe(201);
  });
});
