import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { decodeJwt } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { HUMAN_DEVICE, createHarness, type Harness } from './support/harness.js';
import { DATABASES, requirePostgresInCi } from './support/database.js';
import { createTenant } from '../src/services/tenants.js';
import { seedDemo } from '../src/services/demo-seed.js';

requirePostgresInCi();

const ALL_SCOPES = ['users:read', 'users:write', 'applications:read', 'applications:write', 'risk:read', 'risk:write', 'audit:read', 'webhooks:read', 'webhooks:write', 'settings:read', 'settings:write'];
const PASSWORD = 'a long passphrase';

function envelope(res: LightMyRequestResponse, error: string, message: string, details?: Record<string, unknown>) {
  return { error, message, ...(details ? { details } : {}), request_id: res.headers['x-request-id'] };
}

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`tenant admins (roles) on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  const as = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, slug = 'acme') => h.app.inject({
    method, url, headers: { 'x-tenant': slug, authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}),
  });
  const signIn = async (email: string) => {
    const res = await h.login({ email, password: PASSWORD });
    expect(res.statusCode).toBe(200);
    return res.json().data as { access_token: string; refresh_token: string; session: { id: string } };
  };

  beforeAll(async () => {
    h = await createHarness({ database: database as 'sqlite' | 'postgres' });
  });
  afterAll(() => h.close());

  it('PATCH { roles: ["admin"] } makes a user an admin, answers the user with its roles and audits the change', async () => {
    const { id } = await h.createUser('ada@example.com', PASSWORD);
    const res = await h.api('PATCH', `/api/v1/users/${id}`, { roles: ['admin'] });
    expect(res.statusCode).toBe(200);
    const at = new Date(h.clock.now()).toISOString();
    expect(res.json()).toEqual({ data: { id, email: 'ada@example.com', disabled: false, roles: ['admin'], created_at: at, updated_at: at } });
    const audit = (await h.api('GET', '/api/v1/audit/events?type=user.updated')).json().data;
    expect(audit[0]).toMatchObject({
      type: 'user.updated', outcome: 'success', actor: { kind: 'application', id: h.admin.client_id }, target: { kind: 'user', id },
      data: { fields: ['roles'], roles: { from: [], to: ['admin'], added: ['admin'], removed: [] } },
    });
    expect((await h.api('GET', `/api/v1/users/${id}`)).json().data.roles).toEqual(['admin']);
  });

  it('refuses unknown or repeated roles with invalid_request naming the field', async () => {
    const { id } = await h.createUser('bad-roles@example.com', PASSWORD);
    for (const roles of [['root'], ['admin', 'admin'], 'admin']) {
      const res = await h.api('PATCH', `/api/v1/users/${id}`, { roles });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('invalid_request');
      expect(res.json().details.fields[0].path).toMatch(/^roles/);
    }
    expect((await h.api('GET', `/api/v1/users/${id}`)).json().data.roles).toEqual([]);
  });

  it("gives an admin's access token every management scope and a plain user's none", async () => {
    const { id } = await h.createUser('grace@example.com', PASSWORD);
    await h.api('PATCH', `/api/v1/users/${id}`, { roles: ['admin'] });
    await h.createUser('plain@example.com', PASSWORD);
    expect(decodeJwt((await signIn('grace@example.com')).access_token).scope).toBe(['openid', ...ALL_SCOPES].join(' '));
    expect(decodeJwt((await signIn('plain@example.com')).access_token).scope).toBe('openid');
  });

  it("lets an admin's token call the management API, acting as that user in the audit log", async () => {
    const { access_token } = await signIn('grace@example.com');
    const list = await as(access_token, 'GET', '/api/v1/users?limit=100');
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((u: { email: string }) => u.email)).toContain('plain@example.com');
    const grace = list.json().data.find((u: { email: string }) => u.email === 'grace@example.com');
    const created = await as(access_token, 'POST', '/api/v1/users', { email: 'made-by-grace@example.com' });
    expect(created.statusCode).toBe(201);
    const audit = (await as(access_token, 'GET', '/api/v1/audit/events?type=user.created')).json().data;
    expect(audit[0]).toMatchObject({ actor: { kind: 'user', id: grace.id }, target: { id: created.json().data.id } });
  });

  it("answers a plain user's token 403 forbidden with the required scopes", async () => {
    const { access_token } = await signIn('plain@example.com');
    for (const [url, scope] of [['/api/v1/users', 'users:read'], ['/api/v1/risk/policy', 'risk:read'], ['/api/v1/audit/events', 'audit:read']] as const) {
      const res = await as(access_token, 'GET', url);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual(envelope(res, 'forbidden', 'The token lacks a required scope.', { required_scopes: [scope] }));
    }
  });

  it('refuses the very next call once the admin role is removed, though the token still names the scopes', async () => {
    const { id } = await h.createUser('demoted@example.com', PASSWORD);
    await h.api('PATCH', `/api/v1/users/${id}`, { roles: ['admin'] });
    const { access_token, refresh_token } = await signIn('demoted@example.com');
    expect((await as(access_token, 'GET', '/api/v1/users')).statusCode).toBe(200);
    const demoted = await h.api('PATCH', `/api/v1/users/${id}`, { roles: [] });
    expect(demoted.json().data.roles).toEqual([]);
    const audit = (await h.api('GET', '/api/v1/audit/events?type=user.updated')).json().data;
    expect(audit[0].data.roles).toEqual({ from: ['admin'], to: [], added: [], removed: ['admin'] });
    const res = await as(access_token, 'GET', '/api/v1/users');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual(envelope(res, 'forbidden', 'The token lacks a required scope.', { required_scopes: ['users:read'] }));
    // A refresh mints the scopes the user holds now, not the ones it held at sign-in.
    const refreshed = await h.app.inject({
      method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token }).toString(),
    });
    expect(refreshed.statusCode).toBe(200);
    expect(decodeJwt(refreshed.json().access_token).scope).toBe('openid');
  });

  it('answers 401 unauthorized once the admin is disabled, deleted or signed out', async () => {
    const ids: Record<string, string> = {};
    for (const who of ['off', 'gone', 'out']) {
      ids[who] = (await h.createUser(`${who}@example.com`, PASSWORD)).id;
      await h.api('PATCH', `/api/v1/users/${ids[who]}`, { roles: ['admin'] });
    }
    const tokens = { off: (await signIn('off@example.com')).access_token, gone: (await signIn('gone@example.com')).access_token, out: (await signIn('out@example.com')).access_token };
    await h.api('PATCH', `/api/v1/users/${ids.off}`, { disabled: true });
    await h.api('DELETE', `/api/v1/users/${ids.gone}`);
    const logout = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { 'x-tenant': 'acme', authorization: `Bearer ${tokens.out}` } });
    expect(logout.statusCode).toBe(204);
    for (const token of Object.values(tokens)) {
      const res = await as(token, 'GET', '/api/v1/users');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(envelope(res, 'unauthorized', 'A valid bearer token is required.'));
    }
  });

  it("answers tenant A's admin user token unauthorized on tenant B", async () => {
    await createTenant(h.deps, { slug: 'other' });
    const { access_token } = await signIn('grace@example.com');
    const res = await as(access_token, 'GET', '/api/v1/users', undefined, 'other');
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('unauthorized');
  });
});
}

describe('demo admin', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());

  it('seeds admin@example.com as an admin of the demo tenant and keeps its password in demo-credentials.json', async () => {
    const seeded = await seedDemo(h.deps);
    expect(seeded.created).toBe(true);
    const file = join(h.deps.config.PORTCULLIS_DATA_DIR, 'demo-credentials.json');
    const kept = JSON.parse(readFileSync(file, 'utf8'));
    expect(kept.admin).toEqual({ email: 'admin@example.com', password: expect.stringMatching(/^admin-[A-Za-z0-9_-]{12}$/) });
    expect(seeded.credentials?.admin).toEqual(kept.admin);
    const tenant = (await h.deps.store.tenants.bySlug('demo'))!;
    expect((await h.deps.store.users.byEmail(tenant.id, 'admin@example.com'))?.roles).toEqual(['admin']);
    expect((await h.deps.store.users.byEmail(tenant.id, 'demo@example.com'))?.roles).toEqual([]);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-tenant': 'demo' }, payload: { email: kept.admin.email, password: kept.admin.password, device: HUMAN_DEVICE } });
    expect(res.statusCode).toBe(200);
    expect(decodeJwt(res.json().data.access_token).scope).toBe(['openid', ...ALL_SCOPES].join(' '));
    expect((await seedDemo(h.deps)).credentials?.admin).toEqual(kept.admin);
  });
});

describe('portcullis user create --admin', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  let dataDir: string;
  const cli = (args: string[]) => spawnSync(process.execPath, [join(root, 'packages/server/dist/cli.js'), ...args], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent', PORTCULLIS_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 30_000,
  });
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: root, stdio: 'pipe', timeout: 120_000 });
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-cli-admin-'));
  }, 150_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates an admin user (and a plain one without the flag), stored with its role', () => {
    expect(cli(['tenant', 'create', 'shop']).status).toBe(0);
    const admin = cli(['user', 'create', '--tenant', 'shop', '--email', 'boss@shop.example', '--password', PASSWORD, '--admin', '--json']);
    expect(admin.stderr).toBe('');
    expect(JSON.parse(admin.stdout).user).toMatchObject({ email: 'boss@shop.example', roles: ['admin'] });
    const plain = cli(['user', 'create', '--tenant', 'shop', '--email', 'clerk@shop.example', '--password', PASSWORD]);
    expect(plain.stdout).toMatch(/^user clerk@shop\.example \(usr_[0-9A-Z]{26}\) in shop$/m);
    const text = cli(['user', 'create', '--tenant', 'shop', '--email', 'boss2@shop.example', '--password', PASSWORD, '--admin']);
    expect(text.stdout).toMatch(/^user boss2@shop\.example \(usr_[0-9A-Z]{26}\) in shop \[admin\]$/m);
    const db = join(dataDir, 'portcullis.db');
    expect(existsSync(db)).toBe(true);
    const sqlite = new Sqlite(db, { readonly: true });
    const rows = sqlite.prepare('select email, roles from users order by email').all();
    sqlite.close();
    expect(rows).toEqual([
      { email: 'boss2@shop.example', roles: '["admin"]' }, { email: 'boss@shop.example', roles: '["admin"]' }, { email: 'clerk@shop.example', roles: '[]' },
    ]);
  }, 120_000);
});
