import type { DeliveryStatus, WebhookStatus } from '@portcullis/protocol';
import type { AuditRecord } from './store.js';

/** A tenant's webhook endpoint as stored; secrets are sealed with the SecretBox, never kept in clear. */
export interface WebhookEndpointRecord {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  description: string | null;
  status: WebhookStatus;
  disabledReason: string | null;
  secretSealed: string;
  /** During a rotation the old secret signs too, until `previousSecretExpiresAt`. */
  previousSecretSealed: string | null;
  previousSecretExpiresAt: string | null;
  secretRotatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryRecord {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptMs: number | null;
  lastAttemptMs: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
}

/** A delivery a dispatcher holds the lease on, with what it needs to send it. */
export interface ClaimedDelivery extends WebhookDeliveryRecord {
  endpoint: WebhookEndpointRecord | undefined;
  event: AuditRecord | undefined;
}

/** How an attempt ended; `retryAtMs: null` on a failure means the schedule is exhausted. */
export type DeliveryOutcome =
  | { kind: 'delivered'; atMs: number; status: number }
  | { kind: 'failed'; atMs: number; status: number | null; error: string; retryAtMs: number | null };

export type EndpointPatch = Partial<Pick<WebhookEndpointRecord,
  'url' | 'events' | 'description' | 'status' | 'disabledReason' | 'secretSealed' | 'previousSecretSealed' | 'previousSecretExpiresAt' | 'secretRotatedAt' | 'updatedAt'>>;

/** Endpoints and their delivery outbox. Rows of the outbox itself are written by `audit.append` (same transaction). */
export interface WebhookStore {
  insert(endpoint: WebhookEndpointRecord): Promise<void>;
  byId(tenantId: string, id: string): Promise<WebhookEndpointRecord | undefined>;
  list(tenantId: string, afterId: string | undefined, limit: number): Promise<WebhookEndpointRecord[]>;
  update(tenantId: string, id: string, patch: EndpointPatch): Promise<boolean>;
  /** Deletes the endpoint and its deliveries. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Disables an enabled endpoint; true only for the caller that disabled it (so it is audited once). */
  disable(tenantId: string, id: string, reason: string, at: string): Promise<boolean>;
  /** Newest first, below `beforeId`. */
  deliveries(tenantId: string, endpointId: string, beforeId: string | undefined, limit: number): Promise<WebhookDeliveryRecord[]>;
  delivery(tenantId: string, endpointId: string, id: string): Promise<WebhookDeliveryRecord | undefined>;
  /** Makes a delivery due now again (any status); false when there is no such delivery on that endpoint. */
  redeliver(tenantId: string, endpointId: string, id: string, nowMs: number): Promise<boolean>;
  /**
   * Leases up to `limit` due deliveries to `owner` until `nowMs + leaseMs`. A row leased to one
   * dispatcher is invisible to the others until its lease runs out (row locks with SKIP LOCKED on
   * PostgreSQL; on SQLite the single writer), so two instances never send one delivery at once.
   */
  claim(owner: string, nowMs: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt and frees the lease; false when the lease was lost (another owner's result stands). */
  settle(id: string, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
  /**
   * Records many successful attempts at once (one statement, not two per delivery): each still
   * leased to `owner` becomes `delivered` with its own time and status. Resolves with how many were.
   */
  settleDelivered(owner: string, outcomes: ReadonlyArray<{ id: string; atMs: number; status: number }>): Promise<number>;
  /** When this endpoint's current run of failures began (undefined: none since its last success). */
  failingSince(tenantId: string, endpointId: string): Promise<number | undefined>;
}

/** POSTs one signed delivery; resolves with the status, rejects on a refused target, timeout or network error. */
export type WebhookSender = (url: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<{ status: number }>;
