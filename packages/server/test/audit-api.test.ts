import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { HUMAN_DEVICE, createHarness, type Harness } from './support/harness.js';
import { DATABASES, TEST_DATABASE_URL, requirePostgresInCi } from './support/database.js';
import { openTamperable, type TamperableDb } from './support/audit-db.js';
import { createTenant } from '../src/services/tenants.js';
import { verifyAuditChain } from '../src/services/audit-verify.js';
import type { AuditInput } from '../src/ports/store.js';

requirePostgresInCi();

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Event = { id: string; type: string; occurred_at: string; outcome: string; actor: { id: string | null }; context: { ip?: string } };

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`GET /api/v1/audit/events on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  let token: string;
  let anita: string;
  let start: number;
  const get = (query: string, headers: Record<string, string> = {}) =>
    h.app.inject({ url: `/api/v1/audit/events${query}`, headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}`, ...headers } });
  const loginFrom = (ip: string, email: string, password: string) =>
    h.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, headers: { 'x-tenant': 'acme' }, payload: { email, password, device: HUMAN_DEVICE } });
  /** Every acme event, newest first, straight from the store: the reference the API is compared with. */
  const everything = async () => (await h.deps.store.audit.list(h.tenant.id, { limit: 10_000 })).map((e) => e.id);

  async function walk(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pages = 0;
    let cursor: string | null = null;
    do {
      const res = await get(`?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.meta.limit).toBe(limit);
      expect(body.data.length).toBeLessThanOrEqual(limit);
      ids.push(...body.data.map((e: Event) => e.id));
      cursor = body.meta.next_cursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { ids, pages };
  }

  beforeAll(async () => {
    h = await createHarness({ database: database as 'sqlite' | 'postgres' });
    start = h.clock.now();
    token = await h.adminToken('audit:read');
    anita = (await h.createUser('anita@example.com', 'correct horse battery')).id;
    h.clock.advance(MINUTE);
    expect((await loginFrom('203.0.113.7', 'anita@example.com', 'correct horse battery')).statusCode).toBe(200);
    h.clock.advance(MINUTE);
    for (let i = 0; i < 3; i++) expect((await loginFrom('198.51.100.9', 'anita@example.com', `wrong password ${i}`)).statusCode).toBe(401);
    h.clock.advance(MINUTE);
    expect((await loginFrom('203.0.113.7', 'nobody@example.com', 'whatever it is')).statusCode).toBe(401);
    // Another tenant's events must never show up in acme's log.
    const globex = await createTenant(h.deps, { slug: 'globex' });
    const tenant = (await h.deps.store.tenants.bySlug('globex'))!;
    await h.deps.auditWriter.record({ tenant, ip: '203.0.113.7', userAgent: undefined, requestId: 'req_globex' }, {
      type: 'user.signed_in.failed', outcome: 'failure', actor: { kind: 'user', id: null }, target: { kind: 'user', id: null }, data: { error: 'invalid_credentials' },
    });
    expect(globex.tenant.id).not.toBe(h.tenant.id);
  });
  afterAll(() => h.close());

  it('answers newest first in the success envelope with the full event shape', async () => {
    const res = await get('?limit=2');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['data', 'meta']);
    expect(body.data.map((e: Event) => e.id)).toEqual((await everything()).slice(0, 2));
    expect(body.data[0]).toEqual({
      id: expect.stringMatching(/^evt_/), type: 'user.signed_in.failed', occurred_at: iso(start + 3 * MINUTE), tenant_id: h.tenant.id,
      actor: { kind: 'user', id: null }, target: { kind: 'user', id: null }, outcome: 'failure',
      data: { error: 'invalid_credentials', email: 'nobody@example.com' },
      context: { ip: '203.0.113.7', user_agent: 'lightMyRequest', request_id: expect.stringMatching(/^req_/), visitor_id: 'vis_test', risk: { score: 0, action: 'allow', reasons: [] } },
    });
    expect(body.meta).toEqual({ next_cursor: expect.any(String), limit: 2 });
    expect(res.body).not.toContain('whatever it is');
  });

  it('filters by type, outcome, actor and ip', async () => {
    const failed = (await get('?type=user.signed_in.failed')).json().data as Event[];
    expect(failed).toHaveLength(4);
    expect(failed.every((e) => e.type === 'user.signed_in.failed')).toBe(true);

    const success = (await get('?type=user.signed_in&outcome=success')).json().data as Event[];
    expect(success).toHaveLength(1);
    expect(success[0]!.actor.id).toBe(anita);

    const byActor = (await get(`?actor=${anita}`)).json().data as Event[];
    expect(byActor.map((e) => e.type)).toEqual(['user.signed_in.failed', 'user.signed_in.failed', 'user.signed_in.failed', 'user.signed_in']);

    const byIp = (await get('?ip=198.51.100.9')).json().data as Event[];
    expect(byIp).toHaveLength(3);
    expect(byIp.every((e) => e.context.ip === '198.51.100.9')).toBe(true);

    const combined = (await get('?ip=203.0.113.7&outcome=failure')).json().data as Event[];
    expect(combined.map((e) => (e as unknown as { data: { email: string } }).data.email)).toEqual(['nobody@example.com']);

    expect((await get('?ip=192.0.2.254')).json()).toEqual({ data: [], meta: { next_cursor: null, limit: 50 } });
    expect((await get('?outcome=denied')).json().data).toEqual([]);
  });

  it('filters by time: since is inclusive, until exclusive, offsets are understood', async () => {
    const window = (await get(`?since=${iso(start + 2 * MINUTE)}&until=${iso(start + 3 * MINUTE)}`)).json().data as Event[];
    expect(window.map((e) => e.occurred_at)).toEqual(Array(3).fill(iso(start + 2 * MINUTE)));
    const later = (await get(`?since=${encodeURIComponent('2026-11-24T11:03:00+01:00')}`)).json().data as Event[];
    expect(later.map((e) => e.occurred_at)).toEqual([iso(start + 3 * MINUTE)]);
    const before = (await get(`?until=${iso(start + MINUTE)}`)).json().data as Event[];
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((e) => e.occurred_at === iso(start))).toBe(true);
  });

  it('walks every event exactly once, newest first, page by page with the cursor', async () => {
    const all = await everything();
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const limit of [1, 3, all.length, all.length + 1]) {
      const { ids, pages } = await walk('', limit);
      expect(ids, `limit ${limit}`).toEqual(all);
      expect(pages).toBe(Math.max(1, Math.ceil(all.length / limit)));
    }
    const failures = await walk('&type=user.signed_in.failed', 3);
    expect(failures.pages).toBe(2);
    expect(new Set(failures.ids).size).toBe(4);
  });

  it('keeps a page walk stable while new events arrive', async () => {
    const all = await everything();
    const first = (await get('?limit=3')).json();
    await h.createUser(`late-${Date.now()}@example.com`, 'correct horse battery');
    const second = (await get(`?limit=3&cursor=${encodeURIComponent(first.meta.next_cursor)}`)).json();
    expect([...first.data, ...second.data].map((e: Event) => e.id)).toEqual(all.slice(0, 6));
  });

  it('streams every matching event as NDJSON, one object a line', async () => {
    const res = await get('?type=user.signed_in.failed', { accept: 'application/x-ndjson' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9A-Z]{26}$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.endsWith('\n')).toBe(true);
    const lines = res.body.trimEnd().split('\n').map((line) => JSON.parse(line) as Event);
    expect(lines).toEqual((await get('?type=user.signed_in.failed&limit=500')).json().data);
    expect(lines).toHaveLength(4);

    const everyEvent = (await get('', { accept: 'application/x-ndjson' })).body.trimEnd().split('\n').map((l) => (JSON.parse(l) as Event).id);
    expect(everyEvent).toEqual(await everything());
  });

  it('streams nothing but a 200 for a filter that matches nothing, and errors as JSON envelopes', async () => {
    const empty = await get('?ip=192.0.2.254', { accept: 'application/x-ndjson' });
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toBe('');
    const bad = await get('?outcome=maybe', { accept: 'application/x-ndjson' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('invalid_request');
    const anonymous = await h.app.inject({ url: '/api/v1/audit/events', headers: { 'x-tenant': 'acme', accept: 'application/x-ndjson' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({ error: 'unauthorized', message: 'A valid bearer token is required.', request_id: anonymous.headers['x-request-id'] });
  });

  it('answers 400 invalid_request naming every bad filter at once', async () => {
    const res = await get('?outcome=maybe&since=yesterday&until=2026-13-45&type=user.exploded&limit=0&colour=red');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request', message: 'The request is malformed or fails validation.', request_id: res.headers['x-request-id'],
      details: { fields: expect.any(Array) },
    });
    const paths = (res.json().details.fields as Array<{ path: string }>).map((f) => f.path);
    expect(new Set(paths)).toEqual(new Set(['colour', 'type', 'outcome', 'since', 'until', 'limit']));
    for (const [query, path] of [['?limit=501', 'limit'], ['?limit=2.5', 'limit'], [`?actor=${'a'.repeat(65)}`, 'actor']] as const) {
      const one = await get(query);
      expect(one.statusCode, query).toBe(400);
      expect(one.json().details.fields.map((f: { path: string }) => f.path)).toEqual([path]);
    }
  });

  it('refuses a cursor it did not issue instead of restarting from the newest event', async () => {
    for (const cursor of ['garbage', Buffer.from('-5').toString('base64url'), Buffer.from('1e3').toString('base64url')]) {
      const res = await get(`?cursor=${cursor}`);
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json()).toEqual({
        error: 'invalid_request', message: 'The request is malformed or fails validation.', request_id: res.headers['x-request-id'],
        details: { fields: [{ path: 'cursor', message: 'is not a cursor this API issued' }] },
      });
    }
  });

  it('keeps a chain that verifies for the tenant after all of the above', async () => {
    const report = await verifyAuditChain(h.deps, h.tenant.id);
    expect(report).toEqual({ tenantId: h.tenant.id, events: (await everything()).length, ok: true });
  });
});

(available ? describe : describe.skip)(`audit export past one store page on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness({ database: database as 'sqlite' | 'postgres' }); });
  afterAll(() => h.close());

  it('streams all 1001 events across the 500-event pages without a duplicate or a gap', async () => {
    const token = await h.adminToken('audit:read');
    const existing = (await h.deps.store.audit.list(h.tenant.id, { limit: 100 })).length;
    const batch: AuditInput[] = Array.from({ length: 1001 - existing }, (_, i) => ({
      tenantId: h.tenant.id, type: 'user.signed_in.failed', occurredAt: iso(h.clock.now()), actor: { kind: 'user', id: null },
      target: { kind: 'user', id: null }, outcome: 'failure', data: { i }, context: { ip: '192.0.2.1' },
    }));
    await h.deps.store.transaction(async (tx) => { for (const e of batch) await tx.audit.append(e); });
    const res = await h.app.inject({ url: '/api/v1/audit/events', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}`, accept: 'application/x-ndjson' } });
    const lines = res.body.trimEnd().split('\n').map((l) => JSON.parse(l) as Event & { data: { i?: number } });
    expect(lines).toHaveLength(1001);
    expect(new Set(lines.map((e) => e.id)).size).toBe(1001);
    const numbered = lines.filter((e) => e.data.i !== undefined).map((e) => e.data.i);
    expect(numbered).toEqual(batch.map((_, i) => i).reverse());
  });
});
}

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`audit hash chain verification on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let t: TamperableDb;
  beforeAll(async () => { t = await openTamperable(database); });
  afterAll(async () => {
    await t.store.close();
    await t.cleanup();
  });

  const event = (tenantId: string, i: number): AuditInput => ({
    tenantId, type: 'user.signed_in', occurredAt: iso(Date.parse('2026-11-24T10:00:00.000Z') + i * 1000),
    actor: { kind: 'user', id: `usr_${i}` }, target: { kind: 'session', id: `ses_${i}` }, outcome: 'success',
    data: { amr: ['pwd'], i }, context: { ip: '192.0.2.1', request_id: `req_${i}` },
  });
  async function chainOf(tenantId: string, length: number) {
    const records = [];
    for (let i = 1; i <= length; i++) records.push(await t.store.transaction((tx) => tx.audit.append(event(tenantId, i))));
    expect(await verifyAuditChain(t, tenantId)).toEqual({ tenantId, events: length, ok: true });
    return records;
  }

  it('finds an edited data field at the edited row', async () => {
    const records = await chainOf('tnt_edit', 5);
    await t.raw('update audit_events set data = $1 where tenant_id = $2 and seq = $3', [JSON.stringify({ amr: ['pwd'], i: 99 }), 'tnt_edit', 3]);
    expect(await verifyAuditChain(t, 'tnt_edit')).toEqual({
      tenantId: 'tnt_edit', events: 2, ok: false, brokenAt: { seq: 3, id: records[2]!.id, reason: 'hash does not match the entry' },
    });
  });

  it('finds an edit through the Kysely handle too (a success rewritten as denied)', async () => {
    const records = await chainOf('tnt_kysely', 4);
    await t.db.updateTable('audit_events').set({ outcome: 'denied' }).where('tenant_id', '=', 'tnt_kysely').where('seq', '=', 2).execute();
    expect((await verifyAuditChain(t, 'tnt_kysely')).brokenAt).toEqual({ seq: 2, id: records[1]!.id, reason: 'hash does not match the entry' });
  });

  it('finds a row whose hash was overwritten, even when its successor is patched to match', async () => {
    await chainOf('tnt_rehash', 5);
    await t.raw('update audit_events set hash = $1 where tenant_id = $2 and seq = $3', ['f'.repeat(64), 'tnt_rehash', 2]);
    const report = await verifyAuditChain(t, 'tnt_rehash');
    expect(report.ok).toBe(false);
    expect(report.brokenAt?.seq).toBe(2);
    // Same edit, but also fixing up the successor's prev_hash: the successor's own hash gives it away.
    await t.raw('update audit_events set prev_hash = $1 where tenant_id = $2 and seq = $3', ['f'.repeat(64), 'tnt_rehash', 3]);
    expect((await verifyAuditChain(t, 'tnt_rehash')).brokenAt?.seq).toBe(2);
  });

  it('finds a deleted row in the middle at the row after the gap', async () => {
    const records = await chainOf('tnt_delete', 5);
    await t.raw('delete from audit_events where tenant_id = $1 and seq = $2', ['tnt_delete', 3]);
    expect(await verifyAuditChain(t, 'tnt_delete')).toEqual({
      tenantId: 'tnt_delete', events: 2, ok: false, brokenAt: { seq: 4, id: records[3]!.id, reason: 'expected seq 3' },
    });
  });

  it('finds a deleted first row', async () => {
    const records = await chainOf('tnt_head', 3);
    await t.raw('delete from audit_events where tenant_id = $1 and seq = $2', ['tnt_head', 1]);
    expect((await verifyAuditChain(t, 'tnt_head')).brokenAt).toEqual({ seq: 2, id: records[1]!.id, reason: 'expected seq 1' });
  });

  it('finds two rows swapped', async () => {
    await chainOf('tnt_swap', 4);
    await t.raw('update audit_events set seq = 100 where tenant_id = $1 and seq = 2', ['tnt_swap']);
    await t.raw('update audit_events set seq = 2 where tenant_id = $1 and seq = 3', ['tnt_swap']);
    await t.raw('update audit_events set seq = 3 where tenant_id = $1 and seq = 100', ['tnt_swap']);
    const report = await verifyAuditChain(t, 'tnt_swap');
    expect(report.ok).toBe(false);
    expect(report.brokenAt?.seq).toBe(2);
  });

  // Deleting the newest events (the ones an intruder most wants gone) leaves a valid prefix: the recorded head gives it away.
  it('finds the newest event deleted (tail truncation)', async () => {
    await chainOf('tnt_tail', 4);
    await t.raw('delete from audit_events where tenant_id = $1 and seq = $2', ['tnt_tail', 4]);
    expect((await verifyAuditChain(t, 'tnt_tail')).ok).toBe(false);
  });

  it('keeps tenants apart: tampering with one chain leaves the other intact', async () => {
    await chainOf('tnt_clean', 3);
    expect(await verifyAuditChain(t, 'tnt_clean')).toEqual({ tenantId: 'tnt_clean', events: 3, ok: true });
    expect(await verifyAuditChain(t, 'tnt_never')).toEqual({ tenantId: 'tnt_never', events: 0, ok: true });
  });

  /** Each shard's seqs, which must run 1..n in every shard (no gap, no fork), and how many events all shards hold. */
  async function shardSeqs(tenantId: string): Promise<{ perShard: number[][]; total: number }> {
    const heads = await t.store.audit.heads(tenantId);
    const perShard = await Promise.all(heads.map(async (h) => (await t.store.audit.chain(tenantId, 0, 100, h.shard)).map((e) => e.seq)));
    return { perShard, total: perShard.reduce((n, s) => n + s.length, 0) };
  }

  it('chains 20 parallel transactional appends for one tenant, each shard as seq 1..n', async () => {
    const records = await Promise.all(Array.from({ length: 20 }, (_, i) => t.store.transaction((tx) => tx.audit.append(event('tnt_parallel', i)))));
    const { perShard, total } = await shardSeqs('tnt_parallel');
    expect(total).toBe(20);
    for (const seqs of perShard) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(new Set(records.map((r) => `${r.shard}:${r.seq}`)).size).toBe(20);
    // SQLite has one writer: one chain. PostgreSQL spreads concurrent transactions over the shards.
    if (database === 'sqlite') expect(perShard).toHaveLength(1);
    expect(await verifyAuditChain(t, 'tnt_parallel')).toEqual({ tenantId: 'tnt_parallel', events: 20, ok: true });
    const [{ n }] = (await sql<{ n: number }>`select count(*) as n from audit_events where tenant_id = 'tnt_parallel'`.execute(t.db)).rows as [{ n: number }];
    expect(Number(n)).toBe(20);
  });

  // KNOWN BUG (reported, adapters/sql/audit-repo.ts `append`): outside a caller's transaction the head bump, the hash
  // write and the insert are separate statements, so parallel appends read the same prev hash and fork the chain.
  // No service calls it that way today (all go through store.transaction), but the port promises it. Drop `.fails` once fixed.
  it('chains 20 parallel bare appends (outside a caller transaction), each shard as seq 1..n', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.store.audit.append(event('tnt_bare', i))));
    const { perShard, total } = await shardSeqs('tnt_bare');
    expect(total).toBe(20);
    for (const seqs of perShard) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(await verifyAuditChain(t, 'tnt_bare')).toEqual({ tenantId: 'tnt_bare', events: 20, ok: true });
  });
});
}

(TEST_DATABASE_URL ? describe : describe.skip)(`audit chain through the app under parallel load on postgres${TEST_DATABASE_URL ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness({ database: 'postgres' }); });
  afterAll(() => h.close());

  it('keeps one unbroken chain when sign-ins and management writes race', async () => {
    const token = await h.adminToken();
    await h.createUser('race@example.com', 'correct horse battery');
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => h.login({ email: 'race@example.com', password: `wrong ${i} password` })),
      ...Array.from({ length: 10 }, (_, i) => h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` }, payload: { email: `p${i}@example.com` } })),
    ]);
    const report = await verifyAuditChain(h.deps, h.tenant.id);
    expect(report.ok).toBe(true);
    expect(report.events).toBe((await h.deps.store.audit.list(h.tenant.id, { limit: 1000 })).length);
  });
});
