import type { Insertable, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AuditInput, AuditRecord, StoreOps } from '../../ports/store.js';
import type { AuditChainMac } from '../../ports/audit-chain.js';
import { GENESIS_HASH, headMessage, linkTemplate } from '../../domain/audit/hash-chain.js';
import { newId } from '../crypto/random.js';
import { toAudit } from './rows.js';
import { enqueueDeliveries, type SubscriptionCache } from './webhook-repo.js';

type Db = Kysely<Database>;

/** The migration after which links are keyed; `compose` seals legacy heads when it has just applied it. */
export const KEYED_AUDIT_CHAIN_MIGRATION = '0004-keyed-audit-chain';

/**
 * Appends events to their tenants' chains: per tenant one head bump, one multi-row insert and one
 * head update, however many events (the group commit of `createAuditWriter` relies on this).
 */
async function appendMany(db: Db, chain: AuditChainMac, inputs: readonly AuditInput[], webhooks?: SubscriptionCache): Promise<AuditRecord[]> {
  const mac = chain.mac;
  const byTenant = new Map<string, AuditInput[]>();
  for (const input of inputs) byTenant.set(input.tenantId, [...(byTenant.get(input.tenantId) ?? []), input]);
  const out = new Map<AuditInput, AuditRecord>();
  for (const [tenantId, events] of byTenant) {
    // Everything that does not depend on the chain position is prepared before the head is locked.
    const prepared = events.map((input) => {
      const id = newId('evt');
      return { input, id, message: linkTemplate({ ...input, id }), data: JSON.stringify(input.data), context: JSON.stringify(input.context) };
    });
    // The subscription list is read (or found cached) now, so the outbox write below needs no lookup under the lock.
    if (webhooks) await webhooks.get(db, tenantId);
    // Bumping the head row locks it (PostgreSQL) for the rest of the transaction, so concurrent
    // appends for one tenant queue here instead of forking the chain.
    const bump = () => db.updateTable('audit_heads').set((eb) => ({ seq: eb('seq', '+', events.length) }))
      .where('tenant_id', '=', tenantId).returning(['seq', 'hash', 'plain_until']).executeTakeFirst();
    let head = await bump();
    if (!head) {
      await db.insertInto('audit_heads').values({ tenant_id: tenantId, seq: 0, hash: GENESIS_HASH, plain_until: 0, mac: null })
        .onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
      head = await bump();
    }
    let seq = Number(head!.seq) - events.length;
    let prevHash = head!.hash;
    const rows: Array<Insertable<Database['audit_events']>> = [];
    for (const { input, id, message, data, context } of prepared) {
      seq += 1;
      const event = { ...input, id, seq, prevHash };
      const hash = mac(tenantId, message(seq, prevHash)); // = keyedLink(mac, event)
      out.set(input, { ...event, hash });
      rows.push({
        tenant_id: event.tenantId, seq: event.seq, id: event.id, type: event.type, occurred_at: event.occurredAt,
        actor_kind: event.actor.kind, actor_id: event.actor.id, target_kind: event.target.kind, target_id: event.target.id,
        outcome: event.outcome, ip: typeof event.context['ip'] === 'string' ? event.context['ip'] : null,
        data, context, prev_hash: event.prevHash, hash,
      });
      prevHash = hash;
    }
    await db.insertInto('audit_events').values(rows).execute();
    // The webhook outbox: queued in this transaction, so an event is delivered if and only if it committed.
    if (webhooks) await enqueueDeliveries(db, webhooks, tenantId, events.map((input) => out.get(input)!));
    const sealed = mac(tenantId, headMessage(tenantId, { seq, hash: prevHash, plainUntil: Number(head!.plain_until) }));
    await db.updateTable('audit_heads').set({ hash: prevHash, mac: sealed }).where('tenant_id', '=', tenantId).execute();
  }
  return inputs.map((input) => out.get(input)!);
}

/** MACs each unsealed head as it stands, in one transaction; a head sealed meanwhile by an append is left alone. */
async function sealLegacyHeads(db: Db, chain: AuditChainMac): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const heads = await trx.selectFrom('audit_heads').selectAll().where('mac', 'is', null).execute();
    let sealed = 0;
    for (const h of heads) {
      const head = { seq: Number(h.seq), hash: h.hash, plainUntil: Number(h.plain_until) };
      const res = await trx.updateTable('audit_heads').set({ mac: chain.mac(h.tenant_id, headMessage(h.tenant_id, head)) })
        .where('tenant_id', '=', h.tenant_id).where('mac', 'is', null).where('seq', '=', head.seq).executeTakeFirst();
      sealed += Number(res.numUpdatedRows);
    }
    return sealed;
  });
}

export function auditRepo(db: Db, chain: AuditChainMac, webhooks?: SubscriptionCache): StoreOps['audit'] {
  return {
    async append(input) {
      const [record] = await appendMany(db, chain, [input], webhooks);
      return record!;
    },
    appendMany: (inputs) => appendMany(db, chain, inputs, webhooks),
    async list(tenantId, f) {
      let q = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
      if (f.type) q = q.where('type', '=', f.type);
      if (f.outcome) q = q.where('outcome', '=', f.outcome);
      if (f.actor) q = q.where('actor_id', '=', f.actor);
      if (f.ip) q = q.where('ip', '=', f.ip);
      if (f.since) q = q.where('occurred_at', '>=', f.since);
      if (f.until) q = q.where('occurred_at', '<', f.until);
      if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
      return (await q.orderBy('seq', 'desc').limit(f.limit).execute()).map(toAudit);
    },
    async head(tenantId) {
      const row = await db.selectFrom('audit_heads').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      return row && { seq: Number(row.seq), hash: row.hash, plainUntil: Number(row.plain_until), mac: row.mac };
    },
    sealLegacyHeads: () => sealLegacyHeads(db, chain),
    async chain(tenantId, afterSeq, limit) {
      const rows = await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId)
        .where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(limit).execute();
      return rows.map(toAudit);
    },
  };
}
