import { PortcullisError, type AuditEvent, type AuditQuery } from '@portcullis/protocol';
import type { AuditRecord, Store } from '../ports/store.js';
import { decodeCursor, paged } from './context.js';

export function auditView(e: AuditRecord): AuditEvent {
  return {
    id: e.id, type: e.type, occurred_at: e.occurredAt, tenant_id: e.tenantId, actor: e.actor, target: e.target,
    outcome: e.outcome, data: e.data, context: e.context,
  };
}

function filterOf(q: AuditQuery, limit: number) {
  const before = decodeCursor(q.cursor);
  // A cursor we did not issue must not silently restart from the newest event: a client walking pages would loop forever.
  // Cursors are event ids (time-ordered ULIDs): events of several chain shards interleave, so no shard's seq can order them.
  if (before !== undefined && !/^evt_[0-9A-HJKMNP-TV-Z]{26}$/.test(before)) {
    throw new PortcullisError('invalid_request', { details: { fields: [{ path: 'cursor', message: 'is not a cursor this API issued' }] } });
  }
  return {
    type: q.type, outcome: q.outcome, actor: q.actor, ip: q.ip, limit,
    since: q.since ? new Date(q.since).toISOString() : undefined,
    until: q.until ? new Date(q.until).toISOString() : undefined,
    beforeId: before,
  };
}

/** One page, newest first; the cursor continues below the last event shown. */
export async function listAuditEvents(store: Store, tenantId: string, q: AuditQuery) {
  const limit = q.limit ?? 50;
  const rows = await store.audit.list(tenantId, filterOf(q, limit + 1));
  return paged(rows, limit, auditView, (row) => row.id);
}

/** Every matching event, page by page, so an export never holds the whole log in memory. */
export async function* exportAuditEvents(store: Store, tenantId: string, q: AuditQuery): AsyncGenerator<AuditEvent> {
  let filter = filterOf({ ...q, cursor: undefined }, 500);
  for (;;) {
    const rows = await store.audit.list(tenantId, filter);
    for (const row of rows) yield auditView(row);
    if (rows.length < filter.limit) return;
    filter = { ...filter, beforeId: rows[rows.length - 1]!.id };
  }
}
