import type { AuditEventType, AuditOutcome } from '@portcullis/protocol';
import type { AuditInput, StoreOps } from '../ports/store.js';
import type { GroupCommit } from './group-commit.js';
import type { Clock } from '../ports/clock.js';
import type { Principal, RequestContext } from './context.js';
import { isoTime } from './context.js';

export interface AuditEntry {
  type: AuditEventType;
  outcome: AuditOutcome;
  actor: Principal;
  target: { kind: string; id: string | null };
  data?: Record<string, unknown>;
  risk?: { score: number; action: string; reasons: unknown[] } | undefined;
}

/** Builds the stored event from a request's context: every row carries tenant, IP, user agent and request id. */
export function auditInput(ctx: RequestContext | { tenantId: string }, entry: AuditEntry, now: number): AuditInput {
  const isRequest = 'tenant' in ctx;
  return {
    tenantId: isRequest ? ctx.tenant.id : ctx.tenantId,
    type: entry.type,
    occurredAt: isoTime(now),
    actor: entry.actor,
    target: entry.target,
    outcome: entry.outcome,
    data: entry.data ?? {},
    context: isRequest
      ? { ip: ctx.ip, user_agent: ctx.userAgent ?? null, request_id: ctx.requestId, visitor_id: ctx.visitorId ?? null, ...(entry.risk ? { risk: entry.risk } : {}) }
      : {},
  };
}

/** Appends inside the caller's transaction: the event and the change it records commit together. */
export async function recordEvent(tx: StoreOps, clock: Clock, ctx: RequestContext | { tenantId: string }, entry: AuditEntry): Promise<void> {
  await tx.audit.append(auditInput(ctx, entry, clock.now()));
}

/**
 * Events that record no state change (a refused sign-in, an issued client token) are group-committed:
 * callers wait until their batch is durable, so nothing is acknowledged before its audit row is on disk,
 * while one fsync serves many requests.
 */
export interface AuditWriter {
  record(ctx: RequestContext | { tenantId: string }, entry: AuditEntry): Promise<void>;
}

export function createAuditWriter(commit: GroupCommit, clock: Clock): AuditWriter {
  return {
    record: (ctx, entry) => commit.audit([auditInput(ctx, entry, clock.now())]),
  };
}
