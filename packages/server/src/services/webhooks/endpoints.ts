import { PortcullisError, type CreateWebhookBody, type PatchWebhookBody, type Webhook, type WebhookDelivery } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { Principal, RequestContext } from '../context.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../../ports/webhooks.js';
import { unknownEventFilters } from '../../domain/webhooks/event-filter.js';
import { newId } from '../../ports/ids.js';
import { decodeCursor, isoTime, paged } from '../context.js';
import { recordEvent } from '../audit.js';
import { checkWebhookUrl } from './target.js';
import { newWebhookSecret } from './secrets.js';

/** Both secrets sign for this long after a rotation (DESIGN §17), so receivers can roll without a gap. */
export const ROTATION_OVERLAP_MS = 24 * 3600e3;

export function webhookView(e: WebhookEndpointRecord): Webhook {
  return {
    id: e.id, url: e.url, events: e.events, description: e.description, status: e.status, disabled_reason: e.disabledReason,
    created_at: e.createdAt, updated_at: e.updatedAt, secret_rotated_at: e.secretRotatedAt, previous_secret_expires_at: e.previousSecretExpiresAt,
  };
}

export function deliveryView(d: WebhookDeliveryRecord): WebhookDelivery {
  const iso = (ms: number | null) => (ms === null ? null : isoTime(ms));
  return {
    id: d.id, webhook_id: d.endpointId, event_id: d.eventId, event_type: d.eventType, status: d.status, attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptMs) : null, last_attempt_at: iso(d.lastAttemptMs),
    last_status: d.lastStatus, last_error: d.lastError, created_at: d.createdAt,
  };
}

function checkInput(deps: Deps, input: { url?: string | undefined; events?: string[] | undefined }): void {
  if (input.url !== undefined) checkWebhookUrl(input.url, deps.config.NODE_ENV === 'production');
  const unknown = unknownEventFilters(input.events ?? []);
  if (unknown.length > 0) throw new PortcullisError('invalid_request', { details: { fields: unknown.map((u) => ({ path: `events.${u.index}`, message: u.message })) } });
}

const notFound = () => new PortcullisError('not_found', { message: 'No such webhook.' });

export async function getWebhook(deps: Deps, ctx: RequestContext, id: string): Promise<WebhookEndpointRecord> {
  const endpoint = await deps.store.webhooks.byId(ctx.tenant.id, id);
  if (!endpoint) throw notFound();
  return endpoint;
}

export async function createWebhook(deps: Deps, ctx: RequestContext, actor: Principal, input: CreateWebhookBody) {
  checkInput(deps, input);
  const secret = newWebhookSecret();
  const now = isoTime(deps.clock.now());
  const record: WebhookEndpointRecord = {
    id: newId('whk'), tenantId: ctx.tenant.id, url: input.url, events: input.events, description: input.description ?? null, status: 'enabled',
    disabledReason: null, secretSealed: deps.box.seal(secret), previousSecretSealed: null, previousSecretExpiresAt: null, secretRotatedAt: null,
    createdAt: now, updatedAt: now,
  };
  await deps.store.transaction(async (tx) => {
    await tx.webhooks.insert(record);
    await recordEvent(tx, deps.clock, ctx, { type: 'webhook.created', outcome: 'success', actor, target: { kind: 'webhook', id: record.id }, data: { url: record.url, events: record.events } });
  });
  return { ...webhookView(record), secret };
}

export async function listWebhooks(deps: Deps, ctx: RequestContext, cursor: string | undefined, limit: number) {
  const rows = await deps.store.webhooks.list(ctx.tenant.id, decodeCursor(cursor), limit + 1);
  return paged(rows, limit, webhookView, (row) => row.id);
}

export async function updateWebhook(deps: Deps, ctx: RequestContext, actor: Principal, id: string, patch: PatchWebhookBody) {
  checkInput(deps, patch);
  await getWebhook(deps, ctx, id);
  await deps.store.transaction(async (tx) => {
    await tx.webhooks.update(ctx.tenant.id, id, {
      url: patch.url, events: patch.events, description: patch.description, status: patch.status, updatedAt: isoTime(deps.clock.now()),
      ...(patch.status === 'enabled' ? { disabledReason: null } : patch.status === 'disabled' ? { disabledReason: 'disabled by an administrator' } : {}),
    });
    await recordEvent(tx, deps.clock, ctx, { type: 'webhook.updated', outcome: 'success', actor, target: { kind: 'webhook', id }, data: { fields: Object.keys(patch) } });
  });
  return webhookView(await getWebhook(deps, ctx, id));
}

export async function deleteWebhook(deps: Deps, ctx: RequestContext, actor: Principal, id: string): Promise<void> {
  await deps.store.transaction(async (tx) => {
    if (!(await tx.webhooks.delete(ctx.tenant.id, id))) throw notFound();
    await recordEvent(tx, deps.clock, ctx, { type: 'webhook.deleted', outcome: 'success', actor, target: { kind: 'webhook', id } });
  });
}

/** A new secret, shown once; the old one keeps signing beside it for 24 h. */
export async function rotateWebhookSecret(deps: Deps, ctx: RequestContext, actor: Principal, id: string) {
  const endpoint = await getWebhook(deps, ctx, id);
  const secret = newWebhookSecret();
  const now = deps.clock.now();
  const patch = {
    secretSealed: deps.box.seal(secret), previousSecretSealed: endpoint.secretSealed,
    previousSecretExpiresAt: isoTime(now + ROTATION_OVERLAP_MS), secretRotatedAt: isoTime(now), updatedAt: isoTime(now),
  };
  await deps.store.transaction(async (tx) => {
    await tx.webhooks.update(ctx.tenant.id, id, patch);
    await recordEvent(tx, deps.clock, ctx, { type: 'webhook.updated', outcome: 'success', actor, target: { kind: 'webhook', id }, data: { fields: ['secret'], previous_valid_until: patch.previousSecretExpiresAt } });
  });
  return { ...webhookView({ ...endpoint, ...patch }), secret };
}

export async function listDeliveries(deps: Deps, ctx: RequestContext, id: string, cursor: string | undefined, limit: number) {
  await getWebhook(deps, ctx, id);
  const rows = await deps.store.webhooks.deliveries(ctx.tenant.id, id, decodeCursor(cursor), limit + 1);
  return paged(rows, limit, deliveryView, (row) => row.id);
}

/** Sends a delivery again (whatever its state) with the same `webhook-id`, so receivers can deduplicate. */
export async function redeliver(deps: Deps, ctx: RequestContext, id: string, deliveryId: string) {
  await getWebhook(deps, ctx, id);
  if (!(await deps.store.webhooks.redeliver(ctx.tenant.id, id, deliveryId, deps.clock.now()))) {
    throw new PortcullisError('not_found', { message: 'No such delivery.' });
  }
  return deliveryView((await deps.store.webhooks.delivery(ctx.tenant.id, id, deliveryId))!);
}
