import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AuditChainMac } from '../../ports/audit-chain.js';
import { GENESIS_HASH, headMessage } from '../../domain/audit/hash-chain.js';

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
const taken = (row: { shard: number; seq: number; hash: string; plain_until: number } | undefined): TakenHead | undefined =>
  row && { shard: Number(row.shard), seq: Number(row.seq), hash: row.hash, plainUntil: Number(row.plain_until) };

/**
 * Reserves `count` positions at the end of one of the tenant's chains and returns where they start.
 * Bumping a head row locks it (PostgreSQL) until the transaction ends, so two batches never share a
 * chain position (no fork). On PostgreSQL a batch takes the first head no one holds (SKIP LOCKED), so
 * concurrent batches of one tenant write different shards instead of queueing on one row; when all
 * heads are held it opens the next shard, up to K, and past K it waits (round robin over the shards).
 * A tenant written one batch at a time keeps a single chain. New heads are created sealed (empty,
 * MACed), so a shard that ends up unused verifies as an empty chain.
 */
export async function takeHead(db: Db, chain: AuditChainMac, cfg: AuditShardConfig, tenantId: string, count: number): Promise<TakenHead> {
  const shards = cfg.dialect === 'postgres' ? Math.max(1, cfg.shards) : 1;
  const bumpOn = (shard: number) => db.updateTable('audit_heads').set((eb) => ({ seq: eb('seq', '+', count) }))
    .where('tenant_id', '=', tenantId).where('shard', '=', shard).returning(returned).executeTakeFirst();
  const bumpFree = () => db.updateTable('audit_heads').set((eb) => ({ seq: eb('seq', '+', count) }))
    .where('tenant_id', '=', tenantId)
    .where('shard', '=', (eb) => eb.selectFrom('audit_heads').select('shard').where('tenant_id', '=', tenantId).where('shard', '<', shards)
      .orderBy('shard').limit(1).forUpdate().skipLocked())
    .returning(returned).executeTakeFirst();
  const open = (shard: number) => db.insertInto('audit_heads')
    .values({ tenant_id: tenantId, shard, seq: 0, hash: GENESIS_HASH, plain_until: 0, mac: chain.mac(tenantId, headMessage(tenantId, { seq: 0, hash: GENESIS_HASH, plainUntil: 0 }, shard)) })
    .onConflict((oc) => oc.columns(['tenant_id', 'shard']).doNothing()).execute();
  if (shards === 1) {
    const head = taken(await bumpOn(0));
    if (head) return head;
    await open(0);
    return taken(await bumpOn(0))!;
  }
  for (;;) {
    const head = taken(await bumpFree());
    if (head) return head;
    // Every existing head is held by another batch (or there is none yet): open the next shard, if any is left.
    // The highest shard + 1, not the count: each round opens a new number or stops, so the loop ends.
    const row = await db.selectFrom('audit_heads').select((eb) => eb.fn.max('shard').as('top')).where('tenant_id', '=', tenantId)
      .where('shard', '<', shards).executeTakeFirst();
    const next = row?.top === null || row?.top === undefined ? 0 : Number(row.top) + 1;
    if (next >= shards) break;
    await open(next);
  }
  waits += 1;
  return taken(await bumpOn(waits % shards))!;
}

/** Seals a chain's new head: its MAC binds tenant, shard, position, link and cut-over point. */
export async function sealHead(db: Db, chain: AuditChainMac, tenantId: string, head: TakenHead): Promise<void> {
  const mac = chain.mac(tenantId, headMessage(tenantId, head, head.shard));
  await db.updateTable('audit_heads').set({ hash: head.hash, mac }).where('tenant_id', '=', tenantId).where('shard', '=', head.shard).execute();
}
