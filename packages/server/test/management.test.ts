import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createHarness, type Harness } from './support/harness.js';
import { DATABASES, requirePostgresInCi } from './support/database.js';
import { createTenant } from '../src/services/tenants.js';

requirePostgresInCi();

const FORM = 'application/x-www-form-urlencoded';
const HOUR = 3600 * 1000;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

function client(h: Harness, slug = 'acme') {
  return {
    call(method: Method, url: string, token?: string, payload?: unknown): Promise<LightMyRequestResponse> {
      return h.app.inject({
        method, url, headers: { 'x-tenant': slug, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
    },
    token(fields: Record<string, string>): Promise<LightMyRequestResponse> {
      return h.app.inject({
        method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': slug, 'content-type': FORM }, payload: new URLSearchParams(fields).toString(),
      });
    },
  };
}

/** The error envelope every `/api/v1` failure must answer, with this response's own request id. */
function envelope(res: LightMyRequestResponse, error: string, message: string, details?: Record<string, unknown>) {
  return { error, message, ...(details ? { details } : {}), request_id: res.headers['x-request-id'] };
}

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`management API on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    h = await createHarness({ database: database as 'sqlite' | 'postgres' });
    api = client(h);
  });
  afterAll(() => h.close());

  describe('authorisation', () => {
    it('answers 401 unauthorized without a bearer token, with a malformed one, and with a forged one', async () => {
      for (const authorization of [undefined, 'Bearer', 'Basic abc', 'Bearer not-a-jwt', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhcHBfeCJ9.']) {
        const res = await h.app.inject({ url: '/api/v1/users', headers: { 'x-tenant': 'acme', ...(authorization ? { authorization } : {}) } });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual(envelope(res, 'unauthorized', 'A valid bearer token is required.'));
      }
    });

    it('answers 403 forbidden naming the required scopes when the token lacks one', async () => {
      const token = await h.adminToken('users:read');
      const res = await api.call('POST', '/api/v1/users', token, { email: 'x@example.com' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual(envelope(res, 'forbidden', 'The token lacks a required scope.', { required_scopes: ['users:write'] }));
      const audit = await api.call('GET', '/api/v1/audit/events', token);
      expect(audit.statusCode).toBe(403);
      expect(audit.json().details).toEqual({ required_scopes: ['audit:read'] });
      expect((await api.call('GET', '/api/v1/users', token)).statusCode).toBe(200);
    });

    it('honours a token only on its own tenant: a second tenant admin token is unauthorized on acme', async () => {
      const globex = await createTenant(h.deps, { slug: 'globex' });
      const other = client(h, 'globex');
      const issued = await other.token({ grant_type: 'client_credentials', client_id: globex.application.client_id, client_secret: globex.application.client_secret });
      expect(issued.statusCode).toBe(200);
      const token = issued.json().access_token as string;
      expect((await other.call('GET', '/api/v1/users', token)).statusCode).toBe(200);
      const res = await api.call('GET', '/api/v1/users', token);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(envelope(res, 'unauthorized', 'A valid bearer token is required.'));
      // And the other way round: acme's admin credentials are not a client of globex.
      const cross = await other.token({ grant_type: 'client_credentials', client_id: h.admin.client_id, client_secret: h.admin.client_secret });
      expect(cross.statusCode).toBe(401);
      expect(cross.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
    });

    it("answers a plain (non-admin) user's access token 403 forbidden on the management API (DESIGN §14)", async () => {
      await h.createUser('staff@example.com', 'correct horse battery');
      const login = await h.login({ email: 'staff@example.com', password: 'correct horse battery' });
      expect(login.statusCode).toBe(200);
      const res = await api.call('GET', '/api/v1/users', login.json().data.access_token);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual(envelope(res, 'forbidden', 'The token lacks a required scope.', { required_scopes: ['users:read'] }));
    });

    it('refuses an expired management token', async () => {
      const token = await h.adminToken('users:read');
      h.clock.advance(HOUR + 1000);
      const res = await api.call('GET', '/api/v1/users', token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('unauthorized');
    });
  });

  describe('users', () => {
    let token: string;
    beforeAll(async () => { token = await h.adminToken(); });

    it('creates, reads, disables (ending sessions) and deletes a user, auditing every change', async () => {
      const created = await api.call('POST', '/api/v1/users', token, { email: '  Grace.Hopper@Example.COM ', password: 'cobol is forever' });
      expect(created.statusCode).toBe(201);
      const at = new Date(h.clock.now()).toISOString();
      const user = created.json().data;
      expect(created.json()).toEqual({ data: { id: expect.stringMatching(/^usr_[0-9A-Z]{26}$/), email: 'grace.hopper@example.com', disabled: false, roles: [], created_at: at, updated_at: at } });

      const duplicate = await api.call('POST', '/api/v1/users', token, { email: 'GRACE.hopper@example.com' });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json()).toEqual(envelope(duplicate, 'conflict', 'A user with this email already exists.'));

      const read = await api.call('GET', `/api/v1/users/${user.id}`, token);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual({ data: user });

      const session = (await h.login({ email: 'grace.hopper@example.com', password: 'cobol is forever' })).json().data;
      h.clock.advance(1000);
      const disabled = await api.call('PATCH', `/api/v1/users/${user.id}`, token, { disabled: true });
      expect(disabled.statusCode).toBe(200);
      expect(disabled.json()).toEqual({ data: { ...user, disabled: true, updated_at: new Date(h.clock.now()).toISOString() } });
      const refresh = await api.token({ grant_type: 'refresh_token', refresh_token: session.refresh_token });
      expect(refresh.statusCode).toBe(400);
      expect(refresh.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or already used.' });
      const signIn = await h.login({ email: 'grace.hopper@example.com', password: 'cobol is forever' });
      expect(signIn.statusCode).toBe(403);
      expect(signIn.json().error).toBe('account_disabled');

      const deleted = await api.call('DELETE', `/api/v1/users/${user.id}`, token);
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      const gone = await api.call('GET', `/api/v1/users/${user.id}`, token);
      expect(gone.statusCode).toBe(404);
      expect(gone.json()).toEqual(envelope(gone, 'not_found', 'No such user.'));
      const again = await api.call('DELETE', `/api/v1/users/${user.id}`, token);
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual(envelope(again, 'not_found', 'No such user.'));

      const events = (await h.deps.store.audit.list(h.tenant.id, { actor: h.admin.client_id, limit: 50 }))
        .filter((e) => e.target.id === user.id).reverse();
      expect(events.map((e) => [e.type, e.outcome, e.data])).toEqual([
        ['user.created', 'success', { email: 'grace.hopper@example.com' }],
        ['user.updated', 'success', { fields: ['disabled'] }],
        ['user.deleted', 'success', {}],
      ]);
      for (const e of events) {
        expect(e.actor).toEqual({ kind: 'application', id: h.admin.client_id });
        expect(e.context).toMatchObject({ ip: '127.0.0.1', request_id: expect.stringMatching(/^req_/) });
      }
      expect(events[0]!.context['request_id']).toBe(created.headers['x-request-id']);
      expect(JSON.stringify(events)).not.toContain('cobol is forever');
    });

    it('changes email and password: the old password stops working and sessions end', async () => {
      const user = (await api.call('POST', '/api/v1/users', token, { email: 'ada@example.com', password: 'analytical engine' })).json().data;
      await api.call('POST', '/api/v1/users', token, { email: 'taken@example.com' });
      const session = (await h.login({ email: 'ada@example.com', password: 'analytical engine' })).json().data;
      const clash = await api.call('PATCH', `/api/v1/users/${user.id}`, token, { email: 'Taken@example.com' });
      expect(clash.statusCode).toBe(409);
      expect(clash.json()).toEqual(envelope(clash, 'conflict', 'A user with this email already exists.'));
      const patched = await api.call('PATCH', `/api/v1/users/${user.id}`, token, { email: 'Ada@Lovelace.example', password: 'difference engine' });
      expect(patched.statusCode).toBe(200);
      expect(patched.json().data.email).toBe('ada@lovelace.example');
      expect((await api.token({ grant_type: 'refresh_token', refresh_token: session.refresh_token })).json().error).toBe('invalid_grant');
      expect((await h.login({ email: 'ada@lovelace.example', password: 'analytical engine' })).statusCode).toBe(401);
      expect((await h.login({ email: 'ada@lovelace.example', password: 'difference engine' })).statusCode).toBe(200);
    });

    it('rejects bad bodies with every bad field, and unknown ids with not_found', async () => {
      const bad = await api.call('POST', '/api/v1/users', token, { email: 7, password: 'short', admin: true });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual(envelope(bad, 'invalid_request', 'The request is malformed or fails validation.', {
        fields: expect.arrayContaining([
          { path: 'email', message: 'must be string' },
          { path: 'password', message: 'must NOT have fewer than 8 characters' },
          { path: 'admin', message: 'is not allowed' },
        ]),
      }));
      const notEmail = await api.call('POST', '/api/v1/users', token, { email: 'not-an-email' });
      expect(notEmail.statusCode).toBe(400);
      expect(notEmail.json()).toEqual(envelope(notEmail, 'invalid_request', 'The request is malformed or fails validation.', { fields: [{ path: 'email', message: 'must be an email address' }] }));
      const empty = await api.call('PATCH', '/api/v1/users/usr_nobody', token, {});
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error).toBe('invalid_request');
      const missing = await api.call('PATCH', '/api/v1/users/usr_nobody', token, { disabled: true });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual(envelope(missing, 'not_found', 'No such user.'));
    });
  });

  describe('applications', () => {
    let token: string;
    beforeAll(async () => { token = await h.adminToken(); });

    it('creates an application whose secret is shown once, then reads, renames and lists it', async () => {
      const created = await api.call('POST', '/api/v1/applications', token, { name: 'ci', scopes: ['users:read', 'audit:read'] });
      expect(created.statusCode).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const at = new Date(h.clock.now()).toISOString();
      const app = created.json().data;
      expect(created.json()).toEqual({
        data: {
          id: expect.stringMatching(/^app_[0-9A-Z]{26}$/), client_id: app.id, name: 'ci', scopes: ['users:read', 'audit:read'], token_ttl_s: 3600,
          created_at: at, secret_rotated_at: null, previous_secret_expires_at: null, client_secret: expect.stringMatching(/^pcs_[A-Za-z0-9_-]{43}$/),
          type: 'machine', redirect_uris: [], post_logout_redirect_uris: [],
        },
      });
      const { client_secret: secret, ...view } = app;
      const read = await api.call('GET', `/api/v1/applications/${app.id}`, token);
      expect(read.json()).toEqual({ data: view });
      expect(read.body).not.toContain(secret);

      const renamed = await api.call('PATCH', `/api/v1/applications/${app.id}`, token, { name: 'ci-2', scopes: ['users:read'], token_ttl_s: 600 });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toEqual({ data: { ...view, name: 'ci-2', scopes: ['users:read'], token_ttl_s: 600 } });
      const issued = await api.token({ grant_type: 'client_credentials', client_id: app.id, client_secret: secret });
      expect(issued.json()).toMatchObject({ scope: 'users:read', expires_in: 600 });

      const list = await api.call('GET', '/api/v1/applications?limit=200', token);
      expect(list.statusCode).toBe(200);
      expect(list.json().meta).toEqual({ next_cursor: null, limit: 200 });
      expect(list.json().data.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['Admin', 'ci-2']));
      expect(list.body).not.toContain('client_secret');

      const events = (await h.deps.store.audit.list(h.tenant.id, { limit: 100 })).filter((e) => e.target.id === app.id && e.actor.id === h.admin.client_id).reverse();
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ['application.created', { name: 'ci', scopes: ['users:read', 'audit:read'], type: 'machine' }],
        ['application.updated', { fields: ['name', 'scopes', 'token_ttl_s'] }],
      ]);
      expect(JSON.stringify(events)).not.toContain(secret);
    });

    it('rejects unknown scopes naming each offending entry, and creates nothing', async () => {
      const before = (await h.deps.store.audit.list(h.tenant.id, { type: 'application.created', limit: 100 })).length;
      const res = await api.call('POST', '/api/v1/applications', token, { name: 'bad', scopes: ['users:read', 'admin:all', 'root'] });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(envelope(res, 'invalid_request', 'The request is malformed or fails validation.', {
        fields: [{ path: 'scopes.1', message: 'unknown scope admin:all' }, { path: 'scopes.2', message: 'unknown scope root' }],
      }));
      const list = (await api.call('GET', '/api/v1/applications?limit=200', token)).json().data as Array<{ name: string }>;
      expect(list.map((a) => a.name)).not.toContain('bad');
      expect((await h.deps.store.audit.list(h.tenant.id, { type: 'application.created', limit: 100 })).length).toBe(before);

      const schema = await api.call('POST', '/api/v1/applications', token, { name: '', scopes: 'users:read', token_ttl_s: 5 });
      expect(schema.statusCode).toBe(400);
      expect(schema.json().details.fields).toEqual(expect.arrayContaining([
        { path: 'name', message: 'must NOT have fewer than 1 characters' },
        { path: 'scopes', message: 'must be array' },
        { path: 'token_ttl_s', message: 'must be >= 60' },
      ]));
    });

    it('rotates a secret: the new one is shown once, the old one works for 72 h and not after', async () => {
      const created = (await api.call('POST', '/api/v1/applications', token, { name: 'rotating', scopes: ['users:read'] })).json().data;
      const issue = (secret: string) => api.token({ grant_type: 'client_credentials', client_id: created.id, client_secret: secret });
      const rotatedAt = h.clock.now();
      const rotated = await api.call('POST', `/api/v1/applications/${created.id}/rotate-secret`, token);
      expect(rotated.statusCode).toBe(200);
      expect(rotated.headers['cache-control']).toBe('no-store');
      const data = rotated.json().data;
      expect(data.client_secret).toMatch(/^pcs_/);
      expect(data.client_secret).not.toBe(created.client_secret);
      expect(data).toEqual({
        ...created, client_secret: data.client_secret,
        secret_rotated_at: new Date(rotatedAt).toISOString(), previous_secret_expires_at: new Date(rotatedAt + 72 * HOUR).toISOString(),
      });
      const read = await api.call('GET', `/api/v1/applications/${created.id}`, token);
      expect(read.body).not.toContain(data.client_secret);
      expect(read.json().data.previous_secret_expires_at).toBe(data.previous_secret_expires_at);

      expect((await issue(created.client_secret)).statusCode).toBe(200);
      expect((await issue(data.client_secret)).statusCode).toBe(200);
      h.clock.advance(72 * HOUR - 1000);
      expect((await issue(created.client_secret)).statusCode).toBe(200);
      h.clock.advance(2000);
      const old = await issue(created.client_secret);
      expect(old.statusCode).toBe(401);
      expect(old.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
      expect((await issue(data.client_secret)).statusCode).toBe(200);

      const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'application.secret_rotated', limit: 1 });
      expect(event).toMatchObject({
        outcome: 'success', actor: { kind: 'application', id: h.admin.client_id }, target: { kind: 'application', id: created.id },
        data: { previous_valid_until: data.previous_secret_expires_at },
      });
      expect(JSON.stringify(event)).not.toContain(data.client_secret);
      token = await h.adminToken();
    });

    it('rotates with a custom overlap of zero: the old secret stops at once', async () => {
      const created = (await api.call('POST', '/api/v1/applications', token, { name: 'immediate', scopes: ['users:read'] })).json().data;
      const rotated = await api.call('POST', `/api/v1/applications/${created.id}/rotate-secret`, token, { overlap_s: 0 });
      expect(rotated.statusCode).toBe(200);
      expect(rotated.json().data.previous_secret_expires_at).toBe(new Date(h.clock.now()).toISOString());
      expect((await api.token({ grant_type: 'client_credentials', client_id: created.id, client_secret: created.client_secret })).statusCode).toBe(401);
    });

    it('deletes an application: its live tokens become unauthorized and it is gone', async () => {
      const created = (await api.call('POST', '/api/v1/applications', token, { name: 'doomed', scopes: ['users:read'] })).json().data;
      const doomed = (await api.token({ grant_type: 'client_credentials', client_id: created.id, client_secret: created.client_secret })).json().access_token;
      expect((await api.call('GET', '/api/v1/users', doomed)).statusCode).toBe(200);
      const deleted = await api.call('DELETE', `/api/v1/applications/${created.id}`, token);
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      const after = await api.call('GET', '/api/v1/users', doomed);
      expect(after.statusCode).toBe(401);
      expect(after.json()).toEqual(envelope(after, 'unauthorized', 'A valid bearer token is required.'));
      const gone = await api.call('GET', `/api/v1/applications/${created.id}`, token);
      expect(gone.statusCode).toBe(404);
      expect(gone.json()).toEqual(envelope(gone, 'not_found', 'No such application.'));
      expect((await api.call('DELETE', `/api/v1/applications/${created.id}`, token)).statusCode).toBe(404);
      expect((await api.token({ grant_type: 'client_credentials', client_id: created.id, client_secret: created.client_secret })).statusCode).toBe(401);
      const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'application.deleted', limit: 1 });
      expect(event).toMatchObject({ outcome: 'success', actor: { kind: 'application', id: h.admin.client_id }, target: { kind: 'application', id: created.id } });
    });
  });
});

(available ? describe : describe.skip)(`management list pagination on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness({ database: database as 'sqlite' | 'postgres' });
    token = await h.adminToken('users:read users:write');
  });
  afterAll(() => h.close());

  const page = (query: string) => h.app.inject({ url: `/api/v1/users${query}`, headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` } });

  async function walk(limit: number): Promise<{ emails: string[]; sizes: number[] }> {
    const emails: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await page(`?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(['data', 'meta']);
      expect(body.meta.limit).toBe(limit);
      emails.push(...body.data.map((u: { email: string }) => u.email));
      sizes.push(body.data.length);
      cursor = body.meta.next_cursor;
    } while (cursor && sizes.length < 50);
    return { emails, sizes };
  }

  it('walks every user exactly once with limit and next_cursor, ending without an empty page', async () => {
    const expected: string[] = [];
    for (let i = 0; i < 7; i++) {
      const email = `user${i}@example.com`;
      expected.push(email);
      expect((await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` }, payload: { email } })).statusCode).toBe(201);
    }
    const three = await walk(3);
    expect(three.sizes).toEqual([3, 3, 1]);
    expect(three.emails).toEqual(expected);
    const seven = await walk(7);
    expect(seven.sizes).toEqual([7]);
    expect(seven.emails).toEqual(expected);
    const one = await walk(1);
    expect(one.sizes).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(new Set(one.emails).size).toBe(7);
    const all = await page('');
    expect(all.json().meta).toEqual({ next_cursor: null, limit: 50 });
  });

  it('rejects a limit out of range and unknown query keys', async () => {
    for (const [query, path, message] of [
      ['?limit=0', 'limit', 'must be >= 1'], ['?limit=201', 'limit', 'must be <= 200'], ['?limit=abc', 'limit', 'must be integer'], ['?sort=email', 'sort', 'is not allowed'],
    ] as const) {
      const res = await page(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toEqual(envelope(res, 'invalid_request', 'The request is malformed or fails validation.', { fields: [{ path, message }] }));
    }
  });
});
}
