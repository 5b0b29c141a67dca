import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AuditChainMac } from '../../ports/audit-chain.js';
import { GENESIS_HASH, headMessage } from '../../domain/audit/hash-chain.js';
import { queryTemplate, runTemplate, type Arg } from './compiled.js';

type Db = Kysely<Database>;

export interface AuditShardConfig {
  dialect: 'sqlite' | 'postgres';
  /** Chains per tenant that new batches spread over (PostgreSQL; SQLite has one writer and uses shard 0). */
  shards: number;
}

export interface TakenHead { shard: number; seq: number; hash: string; plainUntil: number }

/** Spreads the batches that must wait over the shards, round robin, rather than queueing them all on shard 0. */
let waits = 0;

const returned = ['shard', 'seq', 'hash', 'plain_until'] as const;
type Returned = { shard: number; seq: number; hash: string; plain_until: number };
const taken = (row: Returned | undefined): TakenHead | undefined =>
  row && { shard: Number(row.shard), seq: Number(row.seq), hash: row.hash, plainUntil: Number(row.plain_until) };

/** A mark typed as the column it stands for (it is bound as a parameter, as the value was). */
const num = (arg: Arg, key: string) => arg(0, key) as unknown as number;

const bumpOnQuery = (db: Db) => (arg: Arg) => db.updateTable('audit_heads').set((eb) => ({ seq: eb('seq', '+', num(arg, 'count')) }))
  .where('tenant_id', '=', arg(0, 'tenantId')).where('shard', '=', num(arg, 'shard')).returning(returned);

const bumpFreeQuery = (db: Db) => (arg: Arg) => db.updateTable('audit_heads').set((eb) => ({ seq: eb('seq', '+', num(arg, 'count')) }))
  .where('tenant_id', '=', arg(0, 'tenantId'))
  .where('shard', '=', (eb) => eb.selectFrom('audit_heads').select('shard').where('tenant_id', '=', arg(0, 'tenantId')).where('shard', '<', num(arg, 'shards'))
    .orderBy('shard').limit(1).forUpdate().skipLocked())
  .returning(returned);

const sealQuery = (db: Db) => (arg: Arg) => db.updateTable('audit_heads').set({ hash: arg(0, 'hash'), mac: arg(0, 'mac') })
  .where('tenant_id', '=', arg(0, 'tenantId')).where('shard', '=', num(arg, 'shard'));

/**
 * Reserves `count` positions at the end of one of the tenant's chains and returns where they start.
 * Bumping a head row locks it (PostgreSQL) until the transaction ends, so two batches never share a
 * chain position (no fork). On PostgreSQL a batch takes the first head no one holds (SKIP LOCKED), so
 * concurrent batches of one tenant write different shards instead of queueing on one row; only when
 * all K are held does it wait (round robin over the shards). A tenant's first batch creates all K
 * heads at once, sealed and empty (an unused shard verifies as an empty chain); a tenant with fewer
 * (migrated from one chain, or K raised) gets the missing ones when it first finds all its heads held.
 * Rows inserted by a transaction are invisible to others until it commits, so batches racing that one
 * creation wait for it once, as first appends always did.
 */
export async function takeHead(db: Db, chain: AuditChainMac, cfg: AuditShardConfig, tenantId: string, count: number): Promise<TakenHead> {
  const shards = cfg.dialect === 'postgres' ? Math.max(1, cfg.shards) : 1;
  // The bumps and the seal run on every append: templates built once per dialect (see compiled.ts), same SQL as before.
  const bumpOn = async (shard: number) => (await runTemplate<Returned>(db, queryTemplate(db, 'audit_heads.bumpOn', bumpOnQuery(db)), [{ tenantId, shard, count }])).rows[0];
  const bumpFree = async () => (await runTemplate<Returned>(db, queryTemplate(db, 'audit_heads.bumpFree', bumpFreeQuery(db)), [{ tenantId, shards, count }])).rows[0];
  const openAll = () => db.insertInto('audit_heads')
    .values(Array.from({ length: shards }, (_, shard) => ({
      tenant_id: tenantId, shard, seq: 0, hash: GENESIS_HASH, plain_until: 0,
      mac: chain.mac(tenantId, headMessage(tenantId, { seq: 0, hash: GENESIS_HASH, plainUntil: 0 }, shard)),
    })))
    .onConflict((oc) => oc.columns(['tenant_id', 'shard']).doNothing()).execute();
  if (shards === 1) {
    const head = taken(await bumpOn(0));
    if (head) return head;
    await openAll();
    return taken(await bumpOn(0))!;
  }
  const free = taken(await bumpFree());
  if (free) return free;
  // None free: every head is held by another batch, or the tenant has fewer than K.
  const row = await db.selectFrom('audit_heads').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId).where('shard', '<', shards).executeTakeFirst();
  if (Number(row?.n ?? 0) < shards) {
    await openAll();
    const opened = taken(await bumpFree());
    if (opened) return opened;
  }
  // All K exist (the insert above made any missing) and are held: wait on one.
  waits += 1;
  return taken(await bumpOn(waits % shards))!;
}

/** Seals a chain's new head: its MAC binds tenant, shard, position, link and cut-over point. */
export async function sealHead(db: Db, chain: AuditChainMac, tenantId: string, head: TakenHead): Promise<void> {
  const mac = chain.mac(tenantId, headMessage(tenantId, head, head.shard));
  await runTemplate(db, queryTemplate(db, 'audit_heads.seal', sealQuery(db)), [{ tenantId, shard: head.shard, hash: head.hash, mac }]);
}
