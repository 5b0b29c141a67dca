/**
 * DESIGN §12: a change to a tenant (policy, feeds, origins, keys) takes effect on every instance
 * within 1 s. Two instances in one process share a SQLite file and an in-process change hub, and
 * their clock is frozen, so the resolver's 5 s TTL can never be what makes a change visible.
 * (The same over Redis and PostgreSQL between real processes: scale/tenant-changes.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { compose } from '../src/compose.js';
import { buildApp } from '../src/http/app.js';
import { createTenant, createTenantResolver } from '../src/services/tenants.js';
import { createUser } from '../src/services/users.js';
import { createMemoryChangeHub } from '../src/adapters/memory/memory-change-bus.js';
import type { Deps } from '../src/services/deps.js';
import type { Store, TenantRecord } from '../src/ports/store.js';
import { frozenClock, HUMAN_DEVICE, TURNSTILE_TEST_CAPTCHA } from './support/harness.js';

interface Node { app: FastifyInstance; deps: Deps; close(): Promise<void> }

describe('tenant changes between two instances', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-changes-'));
  const clock = frozenClock();
  const hub = createMemoryChangeHub();
  let a: Node;
  let b: Node;
  let admin: { client_id: string; client_secret: string };

  async function node(): Promise<Node> {
    const config = loadConfig({ PORTCULLIS_DATA_DIR: dir, PORTCULLIS_FEED_DIR: dir, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent' });
    const { deps, close } = await compose(config, { clock, database: { kind: 'sqlite', file: join(dir, 'shared.db') }, changeBus: hub.bus() });
    const app = await buildApp(deps);
    return { app, deps, close: async () => { await app.close(); await close(); } };
  }
  const login = (n: Node, ip = '198.51.100.7') => n.app.inject({
    method: 'POST', url: '/api/v1/auth/login', headers: { 'x-tenant': 'acme' }, remoteAddress: ip,
    payload: { email: 'anita@example.com', password: 'correct horse battery', device: HUMAN_DEVICE },
  });
  async function api(n: Node, method: 'PUT' | 'POST', url: string, payload: unknown) {
    const token = await n.app.inject({
      method: 'POST', url: '/oauth2/token', headers: { 'x-tenant': 'acme', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', ...admin }).toString(),
    });
    return n.app.inject({ method, url, headers: { 'x-tenant': 'acme', authorization: `Bearer ${token.json().access_token}` }, payload: payload as object });
  }

  beforeAll(async () => {
    a = await node();
    b = await node();
    const created = await createTenant(a.deps, { slug: 'acme' });
    admin = { client_id: created.application.client_id, client_secret: created.application.client_secret };
    const tenant = (await a.deps.store.tenants.bySlug('acme'))!;
    await createUser(a.deps, { tenant }, { kind: 'operator', id: null }, { email: 'anita@example.com', password: 'correct horse battery' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for a captcha on B right after A turned on "captcha on every login", with no time passing', async () => {
    expect((await login(b)).statusCode).toBe(200); // B has the tenant cached now
    const put = await api(a, 'PUT', '/api/v1/risk/policy', { captcha: { ...TURNSTILE_TEST_CAPTCHA, on_every_login: true } });
    expect(put.statusCode).toBe(200);
    const after = await login(b);
    expect(after.statusCode).toBe(403);
    expect(after.json()).toMatchObject({ error: 'captcha_required', details: { provider: 'turnstile', site_key: TURNSTILE_TEST_CAPTCHA.site_key } });
  });

  it('signs with the new key on B right after a rotation on A', async () => {
    const tenant = (await a.deps.store.tenants.bySlug('acme'))!;
    const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;
    const claims = { sub: 'usr_x', aud: 'x', iss: 'x' };
    await b.deps.keys.sign(tenant, claims, 60); // B holds the first key
    clock.advance(1000); // the newest key is the one created last; well inside the resolver's 5 s TTL
    const kid = await a.deps.keys.rotate(tenant);
    expect(kidOf(await b.deps.keys.sign(tenant, claims, 60))).toBe(kid);
  });

  it('loads a feed added on A into B at once', async () => {
    writeFileSync(join(dir, 'bots.txt'), '203.0.113.0/24\n');
    const created = await api(a, 'POST', '/api/v1/risk/feeds', { name: 'bots', category: 'known_bot', format: 'text', source: { path: 'bots.txt' } });
    expect(created.statusCode).toBe(201);
    const tenantId = (await a.deps.store.tenants.bySlug('acme'))!.id;
    // B syncs on the announcement, not on its 30 s timer.
    await expect.poll(() => b.deps.reputation.lookup(tenantId, '203.0.113.9'), { timeout: 1000, interval: 20 }).toEqual([{ feed: 'bots', category: 'known_bot' }]);
  });
});

describe('the tenant resolver', () => {
  it('does not cache a row it read before a change it was told about', async () => {
    const old: TenantRecord = { id: 'tnt_1', slug: 'acme', domains: [], allowedOrigins: [], settings: { v: 1 }, createdAt: '2026-01-01T00:00:00.000Z' };
    let row = old;
    let release: (() => void) | undefined;
    const store = { tenants: { bySlug: async () => { const seen = row; if (release === undefined) await new Promise<void>((r) => { release = r; }); return seen; }, byDomain: async () => undefined } } as unknown as Store;
    const hub = createMemoryChangeHub();
    const resolver = createTenantResolver(store, loadConfig({ NODE_ENV: 'test' }), frozenClock(), hub.bus());
    const slow = resolver.resolve(undefined, 'acme'); // reads the old row, then waits
    await new Promise((r) => setImmediate(r));
    row = { ...old, settings: { v: 2 } };
    resolver.drop('tnt_1'); // the change arrives while the read is in flight
    release!();
    expect((await slow).settings).toEqual({ v: 1 });
    expect((await resolver.resolve(undefined, 'acme')).settings).toEqual({ v: 2 });
  });

  it('announces forget to the other instances, which drop only that tenant', async () => {
    const hub = createMemoryChangeHub();
    const heard: Array<string | undefined> = [];
    const other = hub.bus();
    other.subscribe((id) => heard.push(id));
    const own = hub.bus();
    own.subscribe(() => heard.push('own endpoint must not hear itself'));
    const resolver = createTenantResolver({ tenants: { bySlug: async () => undefined, byDomain: async () => undefined } } as unknown as Store, loadConfig({ NODE_ENV: 'test' }), frozenClock(), own);
    resolver.forget('tnt_9');
    await new Promise((r) => setImmediate(r));
    expect(heard).toEqual(['tnt_9']);
  });
});
