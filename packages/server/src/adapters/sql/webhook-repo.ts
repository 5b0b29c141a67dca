import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { AuditRecord } from '../../ports/store.js';
import type { ClaimedDelivery, WebhookDeliveryRecord, WebhookEndpointRecord, WebhookStore } from '../../ports/webhooks.js';
import { subscribes } from '../../domain/webhooks/event-filter.js';
import { newId } from '../crypto/random.js';
import { toAudit } from './rows.js';

type Db = Kysely<Database>;
const num = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));

const toEndpoint = (r: Selectable<Database['webhook_endpoints']>): WebhookEndpointRecord => ({
  id: r.id, tenantId: r.tenant_id, url: r.url, events: JSON.parse(r.events) as string[], description: r.description,
  status: r.status as WebhookEndpointRecord['status'], disabledReason: r.disabled_reason, secretSealed: r.secret_sealed,
  previousSecretSealed: r.previous_secret_sealed, previousSecretExpiresAt: r.previous_secret_expires_at,
  secretRotatedAt: r.secret_rotated_at, createdAt: r.created_at, updatedAt: r.updated_at,
});

const toDelivery = (r: Selectable<Database['webhook_deliveries']>): WebhookDeliveryRecord => ({
  id: r.id, tenantId: r.tenant_id, endpointId: r.endpoint_id, eventId: r.event_id, eventType: r.event_type,
  status: r.status as WebhookDeliveryRecord['status'], attempts: Number(r.attempts), nextAttemptMs: num(r.next_attempt_ms),
  lastAttemptMs: num(r.last_attempt_ms), lastStatus: r.last_status === null ? null : Number(r.last_status), lastError: r.last_error, createdAt: r.created_at,
});

/**
 * The tenants' enabled subscriptions, cached so the audit append (every sign-in) costs no query
 * for a tenant without webhooks. Writes through this process drop the entry at once; another
 * instance's writes are seen within `ttlMs` (DESIGN §12: a tenant change takes effect within 1 s).
 */
export interface SubscriptionCache {
  get(db: Db, tenantId: string): Promise<ReadonlyArray<{ id: string; events: string[] }>>;
  drop(tenantId: string): void;
}

export function createSubscriptionCache(ttlMs = 1000, now: () => number = Date.now): SubscriptionCache {
  const entries = new Map<string, { at: number; subs: Array<{ id: string; events: string[] }> }>();
  return {
    async get(db, tenantId) {
      const hit = entries.get(tenantId);
      if (hit && now() - hit.at < ttlMs) return hit.subs;
      const rows = await db.selectFrom('webhook_endpoints').select(['id', 'events'])
        .where('tenant_id', '=', tenantId).where('status', '=', 'enabled').execute();
      const subs = rows.map((r) => ({ id: r.id, events: JSON.parse(r.events) as string[] }));
      entries.set(tenantId, { at: now(), subs });
      return subs;
    },
    drop: (tenantId) => { entries.delete(tenantId); },
  };
}

/**
 * The outbox write: one pending delivery per matching endpoint of `subs` (the tenant's subscriptions as the
 * append read them from the cache), in the audit append's own transaction, due when the event occurred (the services' clock).
 */
export async function enqueueDeliveries(db: Db, subs: ReadonlyArray<{ id: string; events: string[] }>, tenantId: string, events: readonly AuditRecord[]): Promise<void> {
  const rows = events.flatMap((e) => subs.filter((s) => subscribes(s.events, e.type)).map((s) => ({
    id: newId('dlv'), tenant_id: tenantId, endpoint_id: s.id, event_id: e.id, event_seq: e.seq, event_type: e.type, status: 'pending',
    attempts: 0, next_attempt_ms: Date.parse(e.occurredAt), last_attempt_ms: null, last_status: null, last_error: null, locked_until_ms: null,
    lock_owner: null, created_at: e.occurredAt,
  })));
  if (rows.length > 0) await db.insertInto('webhook_deliveries').values(rows).execute();
}

export function webhookRepo(db: Db, cache: SubscriptionCache, dialect: 'sqlite' | 'postgres'): WebhookStore {
  return {
    async insert(e) {
      await db.insertInto('webhook_endpoints').values({
        id: e.id, tenant_id: e.tenantId, url: e.url, events: JSON.stringify(e.events), description: e.description, status: e.status,
        disabled_reason: e.disabledReason, secret_sealed: e.secretSealed, previous_secret_sealed: e.previousSecretSealed,
        previous_secret_expires_at: e.previousSecretExpiresAt, secret_rotated_at: e.secretRotatedAt, failing_since_ms: null,
        created_at: e.createdAt, updated_at: e.updatedAt,
      }).execute();
      cache.drop(e.tenantId);
    },
    async byId(tenantId, id) {
      const row = await db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toEndpoint(row);
    },
    async list(tenantId, afterId, limit) {
      let q = db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId);
      if (afterId) q = q.where('id', '>', afterId);
      return (await q.orderBy('id').limit(limit).execute()).map(toEndpoint);
    },
    async update(tenantId, id, p) {
      const set = {
        ...(p.url === undefined ? {} : { url: p.url }), ...(p.events === undefined ? {} : { events: JSON.stringify(p.events) }),
        ...(p.description === undefined ? {} : { description: p.description }), ...(p.status === undefined ? {} : { status: p.status }),
        ...(p.disabledReason === undefined ? {} : { disabled_reason: p.disabledReason }),
        ...(p.secretSealed === undefined ? {} : { secret_sealed: p.secretSealed }),
        ...(p.previousSecretSealed === undefined ? {} : { previous_secret_sealed: p.previousSecretSealed }),
        ...(p.previousSecretExpiresAt === undefined ? {} : { previous_secret_expires_at: p.previousSecretExpiresAt }),
        ...(p.secretRotatedAt === undefined ? {} : { secret_rotated_at: p.secretRotatedAt }),
        // Re-enabling starts a fresh failure window.
        ...(p.status === 'enabled' ? { failing_since_ms: null } : {}),
        ...(p.updatedAt === undefined ? {} : { updated_at: p.updatedAt }),
      };
      const res = await db.updateTable('webhook_endpoints').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      cache.drop(tenantId);
      return Number(res.numUpdatedRows) > 0;
    },
    async delete(tenantId, id) {
      await db.deleteFrom('webhook_deliveries').where('tenant_id', '=', tenantId).where('endpoint_id', '=', id).execute();
      const res = await db.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      cache.drop(tenantId);
      return Number(res.numDeletedRows) > 0;
    },
    async disable(tenantId, id, reason, at) {
      const res = await db.updateTable('webhook_endpoints').set({ status: 'disabled', disabled_reason: reason, updated_at: at })
        .where('tenant_id', '=', tenantId).where('id', '=', id).where('status', '=', 'enabled').executeTakeFirst();
      cache.drop(tenantId);
      return Number(res.numUpdatedRows) > 0;
    },
    async deliveries(tenantId, endpointId, beforeId, limit) {
      let q = db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId).where('endpoint_id', '=', endpointId);
      if (beforeId) q = q.where('id', '<', beforeId);
      return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toDelivery);
    },
    async delivery(tenantId, endpointId, id) {
      const row = await db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId).where('endpoint_id', '=', endpointId).where('id', '=', id).executeTakeFirst();
      return row && toDelivery(row);
    },
    async redeliver(tenantId, endpointId, id, nowMs) {
      const res = await db.updateTable('webhook_deliveries').set({ status: 'pending', next_attempt_ms: nowMs, locked_until_ms: null, lock_owner: null })
        .where('tenant_id', '=', tenantId).where('endpoint_id', '=', endpointId).where('id', '=', id).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async claim(owner, nowMs, leaseMs, limit) {
      let due = db.selectFrom('webhook_deliveries').select('id').where('status', '=', 'pending').where('next_attempt_ms', '<=', nowMs)
        .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<', nowMs)]))
        .orderBy('next_attempt_ms').limit(limit);
      // Row locks taken by a concurrent claim are skipped, not waited on: each instance takes other rows.
      if (dialect === 'postgres') due = due.forUpdate().skipLocked();
      const claimed = await db.updateTable('webhook_deliveries').set({ locked_until_ms: nowMs + leaseMs, lock_owner: owner })
        .where('id', 'in', due).returningAll().execute();
      if (claimed.length === 0) return [];
      const endpoints = await db.selectFrom('webhook_endpoints').selectAll().where('id', 'in', [...new Set(claimed.map((c) => c.endpoint_id))]).execute();
      const events = await db.selectFrom('audit_events').selectAll()
        .where('id', 'in', [...new Set(claimed.map((c) => c.event_id))]).execute(); // ids are unique; seq is only unique per chain shard
      const endpointById = new Map(endpoints.map((e) => [e.id, toEndpoint(e)]));
      const eventById = new Map(events.map((e) => [e.id, toAudit(e)]));
      return claimed.map((c): ClaimedDelivery => ({ ...toDelivery(c), endpoint: endpointById.get(c.endpoint_id), event: eventById.get(c.event_id) }));
    },
    async settle(id, owner, o) {
      const row = await db.updateTable('webhook_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1), last_attempt_ms: o.atMs, last_status: o.status, locked_until_ms: null, lock_owner: null,
          ...(o.kind === 'delivered'
            ? { status: 'delivered', next_attempt_ms: null, last_error: null }
            : { status: o.retryAtMs === null ? 'failed' : 'pending', next_attempt_ms: o.retryAtMs, last_error: o.error }),
        }))
        .where('id', '=', id).where('lock_owner', '=', owner).returning(['tenant_id', 'endpoint_id']).executeTakeFirst();
      if (!row) return false;
      // Only a change is written: a healthy endpoint's row is not rewritten once per delivery.
      await db.updateTable('webhook_endpoints')
        .set({ failing_since_ms: o.kind === 'delivered' ? null : o.atMs })
        .where('tenant_id', '=', row.tenant_id).where('id', '=', row.endpoint_id)
        .where('failing_since_ms', o.kind === 'delivered' ? 'is not' : 'is', null).execute();
      return true;
    },
    async settleDelivered(owner, outcomes) {
      if (outcomes.length === 0) return 0;
      // Per-row values through CASE, cast so PostgreSQL does not take the parameters for text.
      const each = (value: (o: (typeof outcomes)[number]) => number, type: 'bigint' | 'integer') =>
        sql<number>`case id ${sql.join(outcomes.map((o) => sql`when ${o.id} then cast(${value(o)} as ${sql.raw(type)})`), sql` `)} end`;
      const rows = await db.updateTable('webhook_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1), status: 'delivered', next_attempt_ms: null, last_error: null, locked_until_ms: null, lock_owner: null,
          last_attempt_ms: each((o) => o.atMs, 'bigint'), last_status: each((o) => o.status, 'integer'),
        }))
        .where('lock_owner', '=', owner).where('id', 'in', outcomes.map((o) => o.id)).returning(['endpoint_id']).execute();
      const endpoints = [...new Set(rows.map((r) => r.endpoint_id))];
      if (endpoints.length > 0) {
        await db.updateTable('webhook_endpoints').set({ failing_since_ms: null }).where('id', 'in', endpoints).where('failing_since_ms', 'is not', null).execute();
      }
      return rows.length;
    },
    async failingSince(tenantId, endpointId) {
      const row = await db.selectFrom('webhook_endpoints').select('failing_since_ms').where('tenant_id', '=', tenantId).where('id', '=', endpointId).executeTakeFirst();
      return num(row?.failing_since_ms ?? null) ?? undefined;
    },
  };
}
