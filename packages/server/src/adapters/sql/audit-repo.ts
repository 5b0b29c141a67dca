import type { Insertable, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { AuditInput, AuditRecord, StoreOps } from '../../ports/store.js';
import { GENESIS_HASH, chainHash } from '../../domain/audit/hash-chain.js';
import { newId } from '../crypto/random.js';
import { hashedFields, toAudit } from './rows.js';

type Db = Kysely<Database>;

/**
 * Appends events to their tenants' hash chains: per tenant one head bump, one multi-row insert and
 * one head update, however many events (the group commit of `createAuditWriter` relies on this).
 */
async function appendMany(db: Db, inputs: readonly AuditInput[]): Promise<AuditRecord[]> {
  const byTenant = new Map<string, AuditInput[]>();
  for (const input of inputs) byTenant.set(input.tenantId, [...(byTenant.get(input.tenantId) ?? []), input]);
  const out = new Map<AuditInput, AuditRecord>();
  for (const [tenantId, events] of byTenant) {
    // Bumping the head row locks it (PostgreSQL) for the rest of the transaction, so concurrent
    // appends for one tenant queue here instead of forking the chain.
    const bump = () => db.updateTable('audit_heads').set((eb) => ({ seq: eb('seq', '+', events.length) }))
      .where('tenant_id', '=', tenantId).returning(['seq', 'hash']).executeTakeFirst();
    let head = await bump();
    if (!head) {
      await db.insertInto('audit_heads').values({ tenant_id: tenantId, seq: 0, hash: GENESIS_HASH })
        .onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
      head = await bump();
    }
    let seq = Number(head!.seq) - events.length;
    let prevHash = head!.hash;
    const rows: Array<Insertable<Database['audit_events']>> = [];
    for (const input of events) {
      seq += 1;
      const event = { ...input, id: newId('evt'), seq, prevHash };
      const hash = chainHash(prevHash, hashedFields(event));
      out.set(input, { ...event, hash });
      rows.push({
        tenant_id: event.tenantId, seq: event.seq, id: event.id, type: event.type, occurred_at: event.occurredAt,
        actor_kind: event.actor.kind, actor_id: event.actor.id, target_kind: event.target.kind, target_id: event.target.id,
        outcome: event.outcome, ip: typeof event.context['ip'] === 'string' ? event.context['ip'] : null,
        data: JSON.stringify(event.data), context: JSON.stringify(event.context), prev_hash: event.prevHash, hash,
      });
      prevHash = hash;
    }
    await db.insertInto('audit_events').values(rows).execute();
    await db.updateTable('audit_heads').set({ hash: prevHash }).where('tenant_id', '=', tenantId).execute();
  }
  return inputs.map((input) => out.get(input)!);
}

export function auditRepo(db: Db): StoreOps['audit'] {
  return {
    async append(input) {
      const [record] = await appendMany(db, [input]);
      return record!;
    },
    appendMany: (inputs) => appendMany(db, inputs),
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
      const row = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId).executeTakeFirst();
      return row && { seq: Number(row.seq), hash: row.hash };
    },
    async chain(tenantId, afterSeq, limit) {
      const rows = await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId)
        .where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(limit).execute();
      return rows.map(toAudit);
    },
  };
}
