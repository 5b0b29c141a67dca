import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, TEST_DATABASE_URL, requirePostgresInCi } from './support/database.js';
import { openTamperable, type TamperableDb } from './support/audit-db.js';
import { connectDatabase } from '../src/adapters/sql/connect.js';
import { createSqlStore } from '../src/adapters/sql/sql-store.js';
import { headMessage, keyedLink } from '../src/domain/audit/hash-chain.js';
import { createSecretBox } from '../src/adapters/crypto/secret-box.js';
import { createEs256Signer } from '../src/adapters/crypto/es256-signer.js';
import { createKeyRing, type KeyRing } from '../src/services/keys.js';
import { verifyAuditChain } from '../src/services/audit-verify.js';
import { createCheckpoint, openCheckpoint } from '../src/services/audit-checkpoint.js';
import { listAuditEvents } from '../src/services/audit-query.js';
import { loadConfig } from '../src/config/load.js';
import { auditCheckpoint, auditVerify } from '../src/cli/commands.js';
import type { Checkpoint } from '../src/services/audit-checkpoint.js';
import type { Deps } from '../src/services/deps.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditInput, AuditRecord, Store, TenantRecord } from '../src/ports/store.js';

requirePostgresInCi();

const T0 = Date.parse('2026-12-04T10:00:00.000Z');
const clock = { now: () => T0 };
const tenantRecord = (id: string): TenantRecord => ({ id, slug: id.replace('tnt_', '').replace(/_/g, '-'), domains: [], allowedOrigins: [], settings: {}, createdAt: new Date(T0).toISOString() });
const event = (tenantId: string, i: number): AuditInput => ({
  tenantId, type: 'user.signed_in', occurredAt: new Date(T0 + i * 1000).toISOString(),
  actor: { kind: 'user', id: `usr_${i}` }, target: { kind: 'session', id: `ses_${i}` }, outcome: 'success',
  data: { i }, context: { ip: '192.0.2.1', request_id: `req_${i}` },
});

/** Each shard's seqs: every one must run 1..n. */
async function shardSeqs(store: Store, tenantId: string): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const h of await store.audit.heads(tenantId)) out.set(h.shard, (await store.audit.chain(tenantId, 0, 10_000, h.shard)).map((e) => e.seq));
  return out;
}

describe('PORTCULLIS_AUDIT_CHAIN_SHARDS', () => {
  const base = { NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent' };
  it('defaults to 4 and accepts 1..64, nothing else', () => {
    expect(loadConfig(base).PORTCULLIS_AUDIT_CHAIN_SHARDS).toBe(4);
    expect(loadConfig({ ...base, PORTCULLIS_AUDIT_CHAIN_SHARDS: '16' }).PORTCULLIS_AUDIT_CHAIN_SHARDS).toBe(16);
    for (const bad of ['0', '65', '-1', 'many']) expect(() => loadConfig({ ...base, PORTCULLIS_AUDIT_CHAIN_SHARDS: bad }), bad).toThrow(/PORTCULLIS_AUDIT_CHAIN_SHARDS/);
  });
});

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`a single-chain database migrated to sharded chains on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let t: TamperableDb;
  beforeAll(async () => { t = await openTamperable(database, '0010-session-client'); });
  afterAll(async () => {
    await t.store.close();
    await t.cleanup();
  });

  it('verifies its old chain as shard 0 and keeps appending to it', async () => {
    // Rows and a sealed head exactly as the code before migration 0011 wrote them (keyed links, v1 head MAC, no shard column).
    let prevHash = '0'.repeat(64);
    const old: AuditRecord[] = [];
    for (let seq = 1; seq <= 4; seq++) {
      const e = { ...event('tnt_old', seq), id: `evt_01JOLD0000000000000000000${seq}`, shard: 0, seq, prevHash };
      const hash = keyedLink(t.auditChain.mac, e);
      await t.raw(
        'insert into audit_events (tenant_id, seq, id, type, occurred_at, actor_kind, actor_id, target_kind, target_id, outcome, ip, data, context, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)',
        ['tnt_old', seq, e.id, e.type, e.occurredAt, e.actor.kind, e.actor.id, e.target.kind, e.target.id, e.outcome, '192.0.2.1', JSON.stringify(e.data), JSON.stringify(e.context), prevHash, hash],
      );
      old.push({ ...e, hash });
      prevHash = hash;
    }
    const mac = t.auditChain.mac('tnt_old', headMessage('tnt_old', { seq: 4, hash: prevHash, plainUntil: 0 }));
    await t.raw('insert into audit_heads (tenant_id, seq, hash, plain_until, mac) values ($1, $2, $3, $4, $5)', ['tnt_old', 4, prevHash, 0, mac]);

    expect(await t.upgrade()).toEqual(['0011-sharded-audit-chain']);
    expect(await verifyAuditChain(t, 'tnt_old')).toEqual({ tenantId: 'tnt_old', events: 4, ok: true });
    expect(await t.store.audit.heads('tnt_old')).toEqual([{ shard: 0, seq: 4, hash: prevHash, plainUntil: 0, mac }]);
    const [fifth] = await t.store.transaction((tx) => tx.audit.appendMany([event('tnt_old', 5), event('tnt_old', 6)]));
    expect(fifth).toMatchObject({ shard: 0, seq: 5, prevHash });
    expect(await verifyAuditChain(t, 'tnt_old')).toEqual({ tenantId: 'tnt_old', events: 6, ok: true });
    // The list pages the old rows and the new ones together, newest first, by id.
    const ids = (await t.store.audit.list('tnt_old', { limit: 10 })).map((e) => e.id);
    expect(ids.slice(2)).toEqual(old.map((e) => e.id).reverse());
    // An edit to a migrated row is still caught.
    await t.raw('update audit_events set outcome = $1 where tenant_id = $2 and seq = 2', ['failure', 'tnt_old']);
    expect((await verifyAuditChain(t, 'tnt_old')).brokenAt).toEqual({ seq: 2, id: old[1]!.id, reason: 'hash does not match the entry' });
  });
});
}

(TEST_DATABASE_URL ? describe : describe.skip)(`sharded audit chains on postgres${TEST_DATABASE_URL ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let t: TamperableDb;
  let keys: KeyRing;
  beforeAll(async () => {
    t = await openTamperable('postgres');
    keys = createKeyRing(t.store, createSecretBox(t.masterKey), clock, { signer: createEs256Signer });
  });
  afterAll(async () => {
    await t.store.close();
    await t.cleanup();
  });

  /**
   * Three transactions each hold their shard's head while the next one appends: deterministically
   * shards 0, 1 and 2, `per` events each, per round.
   */
  async function spread(tenantId: string, rounds: number, per = 2): Promise<AuditRecord[]> {
    // The tenant's first event, committed: it creates the K heads, which later transactions see and skip while held.
    const out: AuditRecord[] = [await t.store.transaction((tx) => tx.audit.append(event(tenantId, 0)))];
    let i = 0;
    for (let r = 0; r < rounds; r++) {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      const open: Array<Promise<void>> = [];
      for (let w = 0; w < 3; w++) {
        let appended!: () => void;
        const done = new Promise<void>((resolve) => { appended = resolve; });
        const batch = Array.from({ length: per }, () => event(tenantId, (i += 1)));
        open.push(t.store.transaction(async (tx) => {
          out.push(...await tx.audit.appendMany(batch));
          appended();
          await gate;
        }));
        await done;
      }
      release();
      await Promise.all(open);
    }
    return out;
  }

  it('puts concurrent batches of one tenant in different shards, each an exact chain', async () => {
    const records = await spread('tnt_spread', 2);
    expect(records.map((r) => r.shard)).toEqual([0, 0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]);
    expect(await shardSeqs(t.store, 'tnt_spread')).toEqual(new Map([[0, [1, 2, 3, 4, 5]], [1, [1, 2, 3, 4]], [2, [1, 2, 3, 4]], [3, []]]));
    expect(await verifyAuditChain(t, 'tnt_spread')).toEqual({ tenantId: 'tnt_spread', events: 13, ok: true });
  });

  it('spreads parallel appends from several writers over several shards, and they verify and page exactly', async () => {
    const writers = await Promise.all([0, 1, 2].map(async () => {
      const db = connectDatabase(t.target);
      return { db, store: createSqlStore(db, 'postgres', t.auditChain, 4) };
    }));
    try {
      await Promise.all(writers.flatMap(({ store }, w) => Array.from({ length: 30 }, (_, i) =>
        store.transaction((tx) => tx.audit.appendMany([event('tnt_many', w * 100 + i), event('tnt_many', w * 100 + i + 50)])))));
    } finally {
      await Promise.all(writers.map(({ db }) => db.destroy()));
    }
    const seqs = await shardSeqs(t.store, 'tnt_many');
    expect(seqs.size).toBeGreaterThan(1);
    expect(seqs.size).toBeLessThanOrEqual(4);
    for (const [, s] of seqs) expect(s).toEqual(Array.from({ length: s.length }, (_, i) => i + 1));
    expect(await verifyAuditChain(t, 'tnt_many')).toEqual({ tenantId: 'tnt_many', events: 180, ok: true });
    // Interleaved shards page newest first by id, each event exactly once, whatever the page size.
    const all = (await t.store.audit.list('tnt_many', { limit: 1000 })).map((e) => e.id);
    expect(all).toHaveLength(180);
    expect([...all].sort().reverse()).toEqual(all);
    for (const limit of [7, 50]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await listAuditEvents(t.store, 'tnt_many', { limit, ...(cursor ? { cursor } : {}) });
        seen.push(...page.data.map((e) => e.id));
        if (!page.meta.next_cursor) break;
        cursor = page.meta.next_cursor;
      }
      expect(seen).toEqual(all);
    }
  });

  it('names the shard of a tampered row', async () => {
    const records = await spread('tnt_edit2', 2);
    const victim = records.find((r) => r.shard === 2 && r.seq === 3)!;
    expect(victim).toBeDefined();
    await t.raw('update audit_events set data = $1 where tenant_id = $2 and shard = 2 and seq = 3', [JSON.stringify({ i: 999 }), 'tnt_edit2']);
    expect((await verifyAuditChain(t, 'tnt_edit2')).brokenAt).toEqual({ shard: 2, seq: 3, id: victim.id, reason: 'hash does not match the entry' });
  });

  it("finds a shard's tail deleted", async () => {
    await spread('tnt_tail2', 2);
    await t.raw('delete from audit_events where tenant_id = $1 and shard = 1 and seq = 4', ['tnt_tail2']);
    expect((await verifyAuditChain(t, 'tnt_tail2')).brokenAt).toEqual({ shard: 1, seq: 4, id: '', reason: 'chain ends at seq 3 but the head records seq 4' });
  });

  it('finds a forked shard, even with every link and the head MACed by the master key', async () => {
    const records = await spread('tnt_fork', 2);
    // A second successor of shard 1's seq 3 (a writer that took the head without its lock), appended at seq 5 with a correct MAC.
    const third = records.find((r) => r.shard === 1 && r.seq === 3)!;
    const fork = { ...event('tnt_fork', 99), id: 'evt_01JFORK000000000000000000', shard: 1, seq: 5, prevHash: third.hash };
    const hash = keyedLink(t.auditChain.mac, fork);
    await t.raw(
      'insert into audit_events (tenant_id, shard, seq, id, type, occurred_at, actor_kind, actor_id, target_kind, target_id, outcome, ip, data, context, prev_hash, hash) values ($1, 1, 5, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)',
      ['tnt_fork', fork.id, fork.type, fork.occurredAt, fork.actor.kind, fork.actor.id, fork.target.kind, fork.target.id, fork.outcome, '192.0.2.1', JSON.stringify(fork.data), JSON.stringify(fork.context), fork.prevHash, hash],
    );
    const head = { seq: 5, hash, plainUntil: 0 };
    await t.raw('update audit_heads set seq = 5, hash = $1, mac = $2 where tenant_id = $3 and shard = 1', [hash, t.auditChain.mac('tnt_fork', headMessage('tnt_fork', head, 1)), 'tnt_fork']);
    expect((await verifyAuditChain(t, 'tnt_fork')).brokenAt).toEqual({ shard: 1, seq: 5, id: fork.id, reason: 'prev_hash does not match the previous entry' });
  });

  it('finds a whole shard relabelled as another, and rows in a shard no head records', async () => {
    await spread('tnt_move', 1);
    await t.raw('update audit_events set shard = 5 where tenant_id = $1 and shard = 2', ['tnt_move']);
    await t.raw('update audit_heads set shard = 5 where tenant_id = $1 and shard = 2', ['tnt_move']);
    expect((await verifyAuditChain(t, 'tnt_move')).brokenAt).toEqual({ shard: 5, seq: 2, id: '', reason: 'the chain head does not match its MAC (rewritten without the master key)' });
    await t.raw('delete from audit_heads where tenant_id = $1 and shard = 5', ['tnt_move']);
    const orphan = (await t.store.audit.chain('tnt_move', 0, 1, 5))[0]!;
    expect((await verifyAuditChain(t, 'tnt_move')).brokenAt).toEqual({ shard: 5, seq: 1, id: orphan.id, reason: 'no chain head records these events' });
  });

  it('signs every shard head in a checkpoint and catches a shard rolled back after it', async () => {
    const tenant = tenantRecord('tnt_cp_shards');
    await spread(tenant.id, 2);
    const { checkpoint } = await createCheckpoint({ ...t, keys, clock }, tenant);
    expect(checkpoint!.shards!.map((s) => [s.shard, s.seq])).toEqual([[0, 5], [1, 4], [2, 4]]);
    const position = (await openCheckpoint(keys, tenant, checkpoint!.jws))!;
    expect(position.shards).toHaveLength(3);
    // Later appends keep the checkpoint valid.
    await spread(tenant.id, 1);
    expect((await verifyAuditChain(t, tenant.id, position)).checkpoint).toEqual({ seq: 13, lastEventId: expect.any(String), ok: true });
    // Shard 2 cut back to seq 3 with its head restored to an older, genuinely MACed copy: the chain alone cannot tell.
    const [three] = await t.rows<{ hash: string }>('select hash from audit_events where tenant_id = $1 and shard = 2 and seq = 3', [tenant.id]);
    await t.raw('delete from audit_events where tenant_id = $1 and shard = 2 and seq > 3', [tenant.id]);
    await t.raw('update audit_heads set seq = 3, hash = $1, mac = $2 where tenant_id = $3 and shard = 2',
      [three!.hash, t.auditChain.mac(tenant.id, headMessage(tenant.id, { seq: 3, hash: three!.hash, plainUntil: 0 }, 2)), tenant.id]);
    expect((await verifyAuditChain(t, tenant.id)).ok).toBe(true);
    expect((await verifyAuditChain(t, tenant.id, position)).checkpoint).toMatchObject({
      ok: false, reason: 'shard 2: the chain now ends at seq 3: the checkpointed events are gone',
    });
    // A whole shard deleted, rows and head: only the checkpoint knows it existed.
    await t.raw('delete from audit_events where tenant_id = $1 and shard = 1', [tenant.id]);
    await t.raw('delete from audit_heads where tenant_id = $1 and shard = 1', [tenant.id]);
    expect((await verifyAuditChain(t, tenant.id, position)).checkpoint?.reason).toContain('shard 1: the chain now ends at seq 0: the checkpointed events are gone');
  });
  it('runs `audit checkpoint` and `audit verify --checkpoint` over every shard, naming the shard that breaks', async () => {
    const tenant = tenantRecord('tnt_cli_shards');
    await t.store.tenants.insert(tenant);
    await spread(tenant.id, 1);
    const deps = { store: t.store, auditChain: t.auditChain, keys, clock } as unknown as Deps;
    const args = (values: Record<string, string>) => ({ positionals: [], values: { tenant: tenant.slug, ...values } });
    const made = await auditCheckpoint(deps, args({}));
    expect(made.ok).toBe(true);
    const [cp] = (made.json as { checkpoints: Checkpoint[] }).checkpoints;
    expect(cp!.shards!.map((s) => [s.shard, s.seq])).toEqual([[0, 3], [1, 2], [2, 2]]);
    expect(made.text).toContain(`# ${tenant.slug}: 3 chains, shard 0 at seq 3`);
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-shards-'));
    try {
      const file = join(dir, 'checkpoint.txt');
      writeFileSync(file, made.text);
      await spread(tenant.id, 1);
      const fine = await auditVerify(deps, args({ checkpoint: file }));
      expect(fine.text).toBe(`ok      ${tenant.slug}: 14 events, chain intact, checkpoint at seq 7 still in place`);
      await t.raw('update audit_events set outcome = $1 where tenant_id = $2 and shard = 2 and seq = 1', ['failure', tenant.id]);
      const broken = await auditVerify(deps, args({ checkpoint: file }));
      expect(broken.ok).toBe(false);
      expect(broken.text).toMatch(new RegExp(`^BROKEN  ${tenant.slug}: at shard 2 seq 1 \\(evt_[0-9A-Z]{26}\\): hash does not match the entry$`));
      expect((broken.json as { tenants: Array<{ broken_at: unknown }> }).tenants[0]!.broken_at).toMatchObject({ shard: 2, seq: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
