import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { compose } from '../src/compose.js';
import { DATABASES, requirePostgresInCi } from './support/database.js';
import { openTamperable, type TamperableDb } from './support/audit-db.js';
import { canonicalJson, hashedFields, headMessage, keyedLink, plainLink, type ChainMac } from '../src/domain/audit/hash-chain.js';
import { createAuditChainMac } from '../src/adapters/crypto/audit-chain-mac.js';
import { createSecretBox } from '../src/adapters/crypto/secret-box.js';
import { createEs256Signer } from '../src/adapters/crypto/es256-signer.js';
import { createKeyRing, type KeyRing } from '../src/services/keys.js';
import { verifyAuditChain, type ChainPosition } from '../src/services/audit-verify.js';
import { createCheckpoint, openCheckpoint } from '../src/services/audit-checkpoint.js';
import type { AuditInput, AuditRecord, TenantRecord } from '../src/ports/store.js';

requirePostgresInCi();

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const clock = { now: () => T0 };
const tenantRecord = (id: string): TenantRecord => ({ id, slug: id.replace('tnt_', '').replace(/_/g, '-'), domains: [], allowedOrigins: [], settings: {}, createdAt: new Date(T0).toISOString() });

const event = (tenantId: string, i: number): AuditInput => ({
  tenantId, type: 'user.signed_in', occurredAt: new Date(T0 + i * 1000).toISOString(),
  actor: { kind: 'user', id: `usr_${i}` }, target: { kind: 'session', id: `ses_${i}` }, outcome: 'success',
  data: { amr: ['pwd'], i }, context: { ip: '192.0.2.1', request_id: `req_${i}` },
});

/** What the code before keyed links checked, from `fromSeq` on: consecutive plain SHA-256 links and a head matching the last. */
function plainLinksConsistent(rows: AuditRecord[], head: { seq: number; hash: string }, fromSeq: number): boolean {
  for (const [i, row] of rows.entries()) {
    if (row.seq !== i + 1 || (i > 0 && row.prevHash !== rows[i - 1]!.hash)) return false;
    if (row.seq >= fromSeq && plainLink(row) !== row.hash) return false;
  }
  return head.seq === rows.length && head.hash === rows[rows.length - 1]!.hash;
}

for (const { name: database, available } of DATABASES) {
(available ? describe : describe.skip)(`keyed audit chain on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let t: TamperableDb;
  let keys: KeyRing;
  beforeAll(async () => {
    t = await openTamperable(database);
    keys = createKeyRing(t.store, createSecretBox(t.masterKey), clock, { signer: createEs256Signer });
  });
  afterAll(async () => {
    await t.store.close();
    await t.cleanup();
  });

  async function chainOf(tenantId: string, length: number, from = 1): Promise<AuditRecord[]> {
    const records = [];
    for (let i = from; i < from + length; i++) records.push(await t.store.transaction((tx) => tx.audit.append(event(tenantId, i))));
    return records;
  }
  const rowsOf = (tenantId: string) => t.store.audit.chain(tenantId, 0, 1000);

  /** What an intruder with write access does: edit a row, recompute every link from it on, move the head along. */
  async function relink(tenantId: string, fromSeq: number, link: (row: AuditRecord) => string, headMac?: ChainMac) {
    let prev: string | undefined;
    for (const row of await rowsOf(tenantId)) {
      if (row.seq < fromSeq) { prev = row.hash; continue; }
      const relinked = { ...row, prevHash: prev ?? row.prevHash };
      const hash = link(relinked);
      await t.raw('update audit_events set prev_hash = $1, hash = $2 where tenant_id = $3 and seq = $4', [relinked.prevHash, hash, tenantId, row.seq]);
      prev = hash;
    }
    const head = (await t.store.audit.head(tenantId))!;
    const mac = headMac ? headMac(tenantId, headMessage(tenantId, { ...head, hash: prev! })) : head.mac;
    await t.raw('update audit_heads set hash = $1, mac = $2 where tenant_id = $3 and shard = 0', [prev, mac, tenantId]);
  }
  const rewriteData = (tenantId: string, seq: number) =>
    t.raw('update audit_events set data = $1, outcome = $2 where tenant_id = $3 and seq = $4', [JSON.stringify({ amr: ['pwd'], i: 99 }), 'denied', tenantId, seq]);

  it('finds a rewritten row even when the plain hashes after it and the head were recomputed (issue 9 #10)', async () => {
    const records = await chainOf('tnt_plain', 5);
    await rewriteData('tnt_plain', 3);
    await relink('tnt_plain', 3, plainLink);
    // Under the plain-hash rule every link from the edit on checks out and the head matches: that was the hole.
    expect(plainLinksConsistent(await rowsOf('tnt_plain'), (await t.store.audit.head('tnt_plain'))!, 3)).toBe(true);
    expect(await verifyAuditChain(t, 'tnt_plain')).toEqual({
      tenantId: 'tnt_plain', events: 2, ok: false, brokenAt: { seq: 3, id: records[2]!.id, reason: 'hash does not match the entry' },
    });
  });

  it('cannot be fooled by a keyed recomputation under any key but the one derived from the master key', async () => {
    const records = await chainOf('tnt_keyed', 5);
    const guesses: ChainMac[] = [
      createAuditChainMac(randomBytes(32)).mac,
      createAuditChainMac(Buffer.alloc(32)).mac,
      (tenantId, message) => createHmac('sha256', tenantId).update(message).digest('hex'),
      (_tenantId, message) => createHash('sha256').update(message).digest('hex'),
    ];
    await rewriteData('tnt_keyed', 3);
    for (const guess of guesses) {
      await relink('tnt_keyed', 3, (row) => keyedLink(guess, row), guess);
      expect(await verifyAuditChain(t, 'tnt_keyed')).toEqual({
        tenantId: 'tnt_keyed', events: 2, ok: false, brokenAt: { seq: 3, id: records[2]!.id, reason: 'hash does not match the entry' },
      });
    }
    // The same recomputation under the real key passes: what stops the forgeries above is the key alone.
    await relink('tnt_keyed', 3, (row) => keyedLink(t.auditChain.mac, row), t.auditChain.mac);
    expect(await verifyAuditChain(t, 'tnt_keyed')).toEqual({ tenantId: 'tnt_keyed', events: 5, ok: true });
  });

  it('finds a cut-over moved to pass recomputed plain links off as old ones, a deleted head and an unsealed head', async () => {
    await chainOf('tnt_cutover', 4);
    await rewriteData('tnt_cutover', 2);
    await relink('tnt_cutover', 1, plainLink);
    await t.raw('update audit_heads set plain_until = 4 where tenant_id = $1 and shard = 0', ['tnt_cutover']);
    expect((await verifyAuditChain(t, 'tnt_cutover')).brokenAt)
      .toEqual({ seq: 4, id: '', reason: 'the chain head does not match its MAC (rewritten without the master key)' });
    await t.raw('update audit_heads set mac = null where tenant_id = $1 and shard = 0', ['tnt_cutover']);
    expect((await verifyAuditChain(t, 'tnt_cutover')).brokenAt).toEqual({ seq: 4, id: '', reason: 'the chain head carries no MAC' });
    const [first] = await rowsOf('tnt_cutover');
    await t.raw('delete from audit_heads where tenant_id = $1', ['tnt_cutover']);
    expect((await verifyAuditChain(t, 'tnt_cutover')).brokenAt).toEqual({ seq: 1, id: first!.id, reason: 'no chain head records these events' });
  });

  it('finds the newest events deleted with the head moved back to the new last row', async () => {
    const records = await chainOf('tnt_tail', 4);
    await t.raw('delete from audit_events where tenant_id = $1 and seq = 4', ['tnt_tail']);
    await t.raw('update audit_heads set seq = 3, hash = $1 where tenant_id = $2 and shard = 0', [records[2]!.hash, 'tnt_tail']);
    expect((await verifyAuditChain(t, 'tnt_tail')).brokenAt)
      .toEqual({ seq: 3, id: '', reason: 'the chain head does not match its MAC (rewritten without the master key)' });
  });

  describe('signed checkpoints', () => {
    async function checkpointOf(tenant: TenantRecord): Promise<{ jws: string; position: ChainPosition }> {
      const { checkpoint } = await createCheckpoint({ ...t, keys, clock }, tenant);
      const position = await openCheckpoint(keys, tenant, checkpoint!.jws);
      return { jws: checkpoint!.jws, position: position! };
    }

    it('signs the verified head with the tenant key, and the position stays in place as the chain grows', async () => {
      const tenant = tenantRecord('tnt_cp_grow');
      const records = await chainOf(tenant.id, 5);
      const { report, checkpoint } = await createCheckpoint({ ...t, keys, clock }, tenant);
      expect(report).toEqual({ tenantId: tenant.id, events: 5, ok: true });
      expect(checkpoint).toEqual({
        tenant_id: tenant.id, tenant_slug: 'cp-grow', seq: 5, last_event_id: records[4]!.id, head: records[4]!.hash,
        checkpointed_at: '2026-11-24T10:00:00.000Z', kid: (await keys.jwks(tenant)).keys[0]!.kid, jws: expect.any(String),
      });
      const [header] = checkpoint!.jws.split('.');
      expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'ES256', kid: checkpoint!.kid, typ: 'portcullis-audit-checkpoint+jwt' });
      const position = await openCheckpoint(keys, tenant, checkpoint!.jws);
      expect(position).toEqual({ seq: 5, hash: records[4]!.hash, lastEventId: records[4]!.id });
      await chainOf(tenant.id, 2, 6);
      expect(await verifyAuditChain(t, tenant.id, position!)).toEqual({
        tenantId: tenant.id, events: 7, ok: true, checkpoint: { seq: 5, lastEventId: records[4]!.id, ok: true },
      });
      // A key rotation does not orphan the checkpoints signed before it.
      await keys.rotate(tenant);
      expect(await openCheckpoint(keys, tenant, checkpoint!.jws)).toEqual(position);
    });

    it('finds the tail deleted and the head rolled back to an older copy of itself, which the chain alone cannot', async () => {
      const tenant = tenantRecord('tnt_cp_tail');
      await chainOf(tenant.id, 3);
      const [old] = await t.rows<{ seq: number; hash: string; mac: string }>('select seq, hash, mac from audit_heads where tenant_id = $1 and shard = 0', [tenant.id]);
      const records = await chainOf(tenant.id, 2, 4);
      const { position } = await checkpointOf(tenant);
      await t.raw('delete from audit_events where tenant_id = $1 and seq > 3', [tenant.id]);
      await t.raw('update audit_heads set seq = $1, hash = $2, mac = $3 where tenant_id = $4 and shard = 0', [old!.seq, old!.hash, old!.mac, tenant.id]);
      expect(await verifyAuditChain(t, tenant.id)).toEqual({ tenantId: tenant.id, events: 3, ok: true });
      expect(await verifyAuditChain(t, tenant.id, position)).toEqual({
        tenantId: tenant.id, events: 3, ok: false,
        checkpoint: { seq: 5, lastEventId: records[1]!.id, ok: false, reason: 'the chain now ends at seq 3: the checkpointed events are gone' },
      });
    });

    it('finds a whole log deleted, head included', async () => {
      const tenant = tenantRecord('tnt_cp_gone');
      await chainOf(tenant.id, 2);
      const { position } = await checkpointOf(tenant);
      await t.raw('delete from audit_events where tenant_id = $1', [tenant.id]);
      await t.raw('delete from audit_heads where tenant_id = $1', [tenant.id]);
      expect((await verifyAuditChain(t, tenant.id)).ok).toBe(true);
      expect((await verifyAuditChain(t, tenant.id, position)).checkpoint).toMatchObject({ seq: 2, ok: false });
    });

    it('finds a history rewritten by someone holding the master key', async () => {
      const tenant = tenantRecord('tnt_cp_insider');
      const records = await chainOf(tenant.id, 5);
      const { position } = await checkpointOf(tenant);
      await rewriteData(tenant.id, 4);
      await relink(tenant.id, 4, (row) => keyedLink(t.auditChain.mac, row), t.auditChain.mac);
      expect((await verifyAuditChain(t, tenant.id)).ok).toBe(true);
      expect(await verifyAuditChain(t, tenant.id, position)).toEqual({
        tenantId: tenant.id, events: 5, ok: false,
        checkpoint: { seq: 5, lastEventId: records[4]!.id, ok: false, reason: 'the event at the checkpointed position is not the one checkpointed (history rewritten)' },
      });
    });

    it("accepts no checkpoint but the tenant's own: not another tenant's, not an access token, not an edited one", async () => {
      const mine = tenantRecord('tnt_cp_mine');
      const theirs = tenantRecord('tnt_cp_theirs');
      await chainOf(mine.id, 1);
      await chainOf(theirs.id, 1);
      const { jws } = await checkpointOf(theirs);
      expect(await openCheckpoint(keys, mine, jws)).toBeNull();
      const token = await keys.sign(mine, { tenant_id: mine.id, tenant_slug: mine.slug, seq: 0, head: '0'.repeat(64), last_event_id: null }, 60);
      expect(await openCheckpoint(keys, mine, token)).toBeNull();
      const own = (await checkpointOf(mine)).jws;
      const [h, payload, sig] = own.split('.');
      const edited = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), seq: 0 };
      expect(await openCheckpoint(keys, mine, `${h}.${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${sig}`)).toBeNull();
      expect(await openCheckpoint(keys, mine, own)).toMatchObject({ seq: 1 });
    });

    it('refuses to checkpoint a chain that is already broken', async () => {
      const tenant = tenantRecord('tnt_cp_broken');
      await chainOf(tenant.id, 3);
      await rewriteData(tenant.id, 2);
      const { report, checkpoint } = await createCheckpoint({ ...t, keys, clock }, tenant);
      expect(checkpoint).toBeUndefined();
      expect(report.brokenAt).toMatchObject({ seq: 2, reason: 'hash does not match the entry' });
    });
  });
});

(available ? describe : describe.skip)(`a chain begun before keyed links (migration 0004) on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  let t: TamperableDb;
  let legacy: AuditRecord[];
  beforeAll(async () => {
    t = await openTamperable(database, '0003-email-otp');
    legacy = await writePlainChain(t, 'tnt_legacy', 4);
  });
  afterAll(async () => {
    await t.store.close();
    await t.cleanup();
  });

  it('verifies after the migration and the seal, and the first keyed link binds the last plain one', async () => {
    expect((await t.upgrade())[0]).toBe('0004-keyed-audit-chain');
    expect(await t.store.audit.head('tnt_legacy')).toEqual({ seq: 4, hash: legacy[3]!.hash, plainUntil: 4, mac: null });
    expect(await t.store.audit.sealLegacyHeads()).toBe(1);
    expect(await t.store.audit.sealLegacyHeads()).toBe(0);
    expect(await verifyAuditChain(t, 'tnt_legacy')).toEqual({ tenantId: 'tnt_legacy', events: 4, ok: true });
    const [fifth] = await t.store.transaction((tx) => tx.audit.appendMany([event('tnt_legacy', 5), event('tnt_legacy', 6)]));
    expect(fifth!.prevHash).toBe(legacy[3]!.hash);
    expect(fifth!.hash).toBe(keyedLink(t.auditChain.mac, fifth!));
    expect(await verifyAuditChain(t, 'tnt_legacy')).toEqual({ tenantId: 'tnt_legacy', events: 6, ok: true });
  });

  it('finds a pre-migration row rewritten with the plain links up to the cut-over recomputed', async () => {
    await t.raw('update audit_events set outcome = $1 where tenant_id = $2 and seq = 2', ['denied', 'tnt_legacy']);
    let prev = legacy[0]!.hash;
    for (const row of (await t.store.audit.chain('tnt_legacy', 1, 3))) {
      const hash = plainLink({ ...row, prevHash: prev });
      await t.raw('update audit_events set prev_hash = $1, hash = $2 where tenant_id = $3 and seq = $4', [prev, hash, 'tnt_legacy', row.seq]);
      prev = hash;
    }
    const fifth = (await t.store.audit.chain('tnt_legacy', 4, 1))[0]!;
    expect(await verifyAuditChain(t, 'tnt_legacy')).toEqual({
      tenantId: 'tnt_legacy', events: 4, ok: false, brokenAt: { seq: 5, id: fifth.id, reason: 'prev_hash does not match the previous entry' },
    });
  });
});
(available ? describe : describe.skip)(`compose and the keyed-chain migration on ${database}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
  it('seals the old heads when it applies migration 0004, and never a head found unsealed later', async () => {
    const t = await openTamperable(database, '0003-email-otp');
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-compose-'));
    const config = loadConfig({ PORTCULLIS_DATA_DIR: dataDir, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent', PORTCULLIS_MASTER_KEY: t.masterKey.toString('base64') });
    try {
      await writePlainChain(t, 'tnt_boot', 3);
      const first = await compose(config, { clock, database: t.target });
      expect(await verifyAuditChain(first.deps, 'tnt_boot')).toEqual({ tenantId: 'tnt_boot', events: 3, ok: true });
      await first.close();
      // Someone with write access strips the MAC hoping the next start seals a head of their making.
      await t.raw('update audit_heads set mac = null where tenant_id = $1', ['tnt_boot']);
      const second = await compose(config, { clock, database: t.target });
      expect((await verifyAuditChain(second.deps, 'tnt_boot')).brokenAt).toEqual({ seq: 3, id: '', reason: 'the chain head carries no MAC' });
      await second.close();
    } finally {
      await t.store.close();
      await t.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
}

/** Rows exactly as the code before migration 0004 wrote them: SHA-256 over `prev ‖ "\n" ‖ canonical JSON`, head without a MAC. */
async function writePlainChain(t: TamperableDb, tenantId: string, length: number): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let prevHash = '0'.repeat(64);
  for (let seq = 1; seq <= length; seq++) {
    const e = { ...event(tenantId, seq), id: `evt_legacy${seq}`, shard: 0, seq, prevHash };
    const hash = createHash('sha256').update(prevHash).update('\n').update(canonicalJson(hashedFields(e))).digest('hex');
    await t.raw(
      'insert into audit_events (tenant_id, seq, id, type, occurred_at, actor_kind, actor_id, target_kind, target_id, outcome, ip, data, context, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)',
      [tenantId, seq, e.id, e.type, e.occurredAt, e.actor.kind, e.actor.id, e.target.kind, e.target.id, e.outcome, '192.0.2.1', JSON.stringify(e.data), JSON.stringify(e.context), prevHash, hash],
    );
    records.push({ ...e, hash });
    prevHash = hash;
  }
  await t.raw('insert into audit_heads (tenant_id, seq, hash) values ($1, $2, $3)', [tenantId, length, prevHash]);
  return records;
}
