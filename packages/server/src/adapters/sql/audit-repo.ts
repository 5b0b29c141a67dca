import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StoreOps } from '../../ports/store.js';
import { GENESIS_HASH, chainHash } from '../../domain/audit/hash-chain.js';
import { newId } from '../crypto/random.js';
import { hashedFields, toAudit } from './rows.js';

type Db = Kysely<Database>;

export function auditRepo(db: Db): StoreOps['audit'] {
  return {
    async append(input) {
      await db.insertInto('audit_heads').values({ tenant_id: input.tenantId, seq: 0, hash: GENESIS_HASH })
        .onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
      // Bumping the head row locks it (PostgreSQL) for the rest of the transaction, so concurrent
      // appends for one tenant queue here instead of forking the chain.
      const head = await db.updateTable('audit_heads').set((eb) => ({ seq: eb('seq', '+', 1) }))
        .where('tenant_id', '=', input.tenantId).returning(['seq', 'hash']).executeTakeFirstOrThrow();
      const event = { ...input, id: newId('evt'), seq: Number(head.seq), prevHash: head.hash };
      const hash = chainHash(head.hash, hashedFields(event));
      await db.updateTable('audit_heads').set({ hash }).where('tenant_id', '=', input.tenantId).execute();
      await db.insertInto('audit_events').values({
        tenant_id: event.tenantId, seq: event.seq, id: event.id, type: event.type, occurred_at: event.occurredAt,
        actor_kind: event.actor.kind, actor_id: event.actor.id, target_kind: event.target.kind, target_id: event.target.id,
        outcome: event.outcome, ip: typeof event.context['ip'] === 'string' ? event.context['ip'] : null,
        data: JSON.stringify(event.data), context: JSON.stringify(event.context), prev_hash: event.prevHash, hash,
      }).execute();
      return { ...event, hash };
    },
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
    async chain(tenantId, afterSeq, limit) {
      const rows = await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId)
        .where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(limit).execute();
      return rows.map(toAudit);
    },
  };
}
