import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { AuditInput, AuditRecord, StoreOps } from '../../ports/store.js';
import type { AuditChainMac } from '../../ports/audit-chain.js';
import { headMessage, linkTemplate } from '../../domain/audit/hash-chain.js';
import { sealHead, takeHead, type AuditShardConfig } from './audit-heads.js';
import { newId } from '../crypto/random.js';
import { toAudit } from './rows.js';
import { enqueueDeliveries, type SubscriptionCache } from './webhook-repo.js';
import { queryTemplate, runTemplate, type Arg } from './compiled.js';

type Db = Kysely<Database>;

/** The migration after which links are keyed; `compose` seals legacy heads when it has just applied it. */
export const KEYED_AUDIT_CHAIN_MIGRATION = '0004-keyed-audit-chain';

type EventRow = Insertable<Database['audit_events']>;
/** Every column an append writes; a template binds each row's values in this shape. */
const COLUMNS = ['tenant_id', 'shard', 'seq', 'id', 'type', 'occurred_at', 'actor_kind', 'actor_id', 'target_kind', 'target_id',
  'outcome', 'ip', 'data', 'context', 'prev_hash', 'hash'] as const satisfies ReadonlyArray<keyof EventRow>;
/** Rows per insert statement: bounds the templates (one per row count) and the parameters per statement (16 × 64). */
const ROWS_PER_INSERT = 64;

/** The multi-row insert of `n` events, built and compiled by Kysely once per dialect and row count. */
const insertQuery = (db: Db, n: number) => (arg: Arg) => db.insertInto('audit_events')
  .values(Array.from({ length: n }, (_, j) => Object.fromEntries(COLUMNS.map((c) => [c, arg(j, c)])) as unknown as EventRow));

async function insertEvents(db: Db, rows: readonly EventRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.length <= ROWS_PER_INSERT ? rows : rows.slice(i, i + ROWS_PER_INSERT);
    await runTemplate(db, queryTemplate(db, `audit_events.insert:${chunk.length}`, insertQuery(db, chunk.length)), chunk as ReadonlyArray<Record<string, unknown>>);
  }
}

/**
 * Appends events to their tenants' chains: per tenant one head bump, one multi-row insert (per 64
 * events) and one head update, however many events (the group commit of `createAuditWriter` relies on this). A
 * tenant's events of one batch go to one shard, in order; concurrent batches take other shards.
 */
async function appendMany(db: Db, chain: AuditChainMac, cfg: AuditShardConfig, inputs: readonly AuditInput[], webhooks?: SubscriptionCache): Promise<AuditRecord[]> {
  const mac = chain.mac;
  // Positions in `inputs` per tenant (one tenant per batch is the usual case): records land in the caller's order.
  const byTenant = new Map<string, number[]>();
  inputs.forEach((input, i) => {
    const at = byTenant.get(input.tenantId);
    if (at) at.push(i);
    else byTenant.set(input.tenantId, [i]);
  });
  const out = new Array<AuditRecord>(inputs.length);
  for (const [tenantId, positions] of byTenant) {
    // Everything that does not depend on the chain position is prepared before the head is locked.
    const prepared = positions.map((i) => {
      const input = inputs[i]!;
      const id = newId('evt');
      return { i, input, id, message: linkTemplate({ ...input, id }), data: JSON.stringify(input.data), context: JSON.stringify(input.context) };
    });
    // The subscription list is read (or found cached) once, now, so the outbox write below needs no lookup under the lock.
    const subs = webhooks ? await webhooks.get(db, tenantId) : [];
    const head = await takeHead(db, chain, cfg, tenantId, positions.length);
    const shard = head.shard;
    let seq = head.seq - positions.length;
    let prevHash = head.hash;
    const rows: EventRow[] = [];
    for (const { i, input, id, message, data, context } of prepared) {
      seq += 1;
      const hash = mac(tenantId, message(seq, prevHash)); // = keyedLink(mac, the record below)
      out[i] = { ...input, id, shard, seq, prevHash, hash };
      rows.push({
        tenant_id: tenantId, shard, seq, id, type: input.type, occurred_at: input.occurredAt,
        actor_kind: input.actor.kind, actor_id: input.actor.id, target_kind: input.target.kind, target_id: input.target.id,
        outcome: input.outcome, ip: typeof input.context['ip'] === 'string' ? input.context['ip'] : null,
        data, context, prev_hash: prevHash, hash,
      });
      prevHash = hash;
    }
    await insertEvents(db, rows);
    // The webhook outbox: queued in this transaction, so an event is delivered if and only if it committed.
    if (subs.length > 0) await enqueueDeliveries(db, subs, tenantId, positions.map((i) => out[i]!));
    await sealHead(db, chain, tenantId, { shard, seq, hash: prevHash, plainUntil: head.plainUntil });
  }
  return out;
}

/** MACs each unsealed head as it stands, in one transaction; a head sealed meanwhile by an append is left alone. */
async function sealLegacyHeads(db: Db, chain: AuditChainMac): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const heads = await trx.selectFrom('audit_heads').selectAll().where('mac', 'is', null).execute();
    let sealed = 0;
    for (const h of heads) {
      const head = { seq: Number(h.seq), hash: h.hash, plainUntil: Number(h.plain_until) };
      const shard = Number(h.shard);
      const res = await trx.updateTable('audit_heads').set({ mac: chain.mac(h.tenant_id, headMessage(h.tenant_id, head, shard)) })
        .where('tenant_id', '=', h.tenant_id).where('shard', '=', shard).where('mac', 'is', null).where('seq', '=', head.seq).executeTakeFirst();
      sealed += Number(res.numUpdatedRows);
    }
    return sealed;
  });
}

export function auditRepo(db: Db, chain: AuditChainMac, webhooks?: SubscriptionCache, cfg: AuditShardConfig = { dialect: 'sqlite', shards: 1 }): StoreOps['audit'] {
  const headOf = (row: Selectable<Database['audit_heads']>) => ({ seq: Number(row.seq), hash: row.hash, plainUntil: Number(row.plain_until), mac: row.mac });
  return {
    async append(input) {
      const [record] = await appendMany(db, chain, cfg, [input], webhooks);
      return record!;
    },
    appendMany: (inputs) => appendMany(db, chain, cfg, inputs, webhooks),
    async list(tenantId, f) {
      let q = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
      if (f.type) q = q.where('type', '=', f.type);
      if (f.outcome) q = q.where('outcome', '=', f.outcome);
      if (f.actor) q = q.where('actor_id', '=', f.actor);
      if (f.ip) q = q.where('ip', '=', f.ip);
      if (f.since) q = q.where('occurred_at', '>=', f.since);
      if (f.until) q = q.where('occurred_at', '<', f.until);
      if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
      // Newest first across shards: ids are ULIDs, time-ordered (monotonic within a process) and unique, so a cursor on them is exact.
      return (await q.orderBy('id', 'desc').limit(f.limit).execute()).map(toAudit);
    },
    async head(tenantId, shard = 0) {
      const row = await db.selectFrom('audit_heads').selectAll().where('tenant_id', '=', tenantId).where('shard', '=', shard).executeTakeFirst();
      return row && headOf(row);
    },
    async heads(tenantId) {
      const rows = await db.selectFrom('audit_heads').selectAll().where('tenant_id', '=', tenantId).orderBy('shard').execute();
      return rows.map((row) => ({ shard: Number(row.shard), ...headOf(row) }));
    },
    async unheaded(tenantId, shards) {
      let q = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
      if (shards.length > 0) q = q.where('shard', 'not in', [...shards]);
      const row = await q.orderBy('shard').orderBy('seq').limit(1).executeTakeFirst();
      return row && toAudit(row);
    },
    sealLegacyHeads: () => sealLegacyHeads(db, chain),
    async chain(tenantId, afterSeq, limit, shard = 0) {
      const rows = await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).where('shard', '=', shard)
        .where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(limit).execute();
      return rows.map(toAudit);
    },
  };
}
