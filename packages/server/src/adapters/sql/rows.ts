import type { Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { ApplicationRecord, AuditRecord, SessionRecord, TenantRecord, UserRecord } from '../../ports/store.js';

/** Row ↔ record mapping in one place, so JSON and boolean encodings cannot drift between repos. */
export const toUser = (r: Selectable<Database['users']>): UserRecord => ({
  id: r.id, tenantId: r.tenant_id, email: r.email, passwordHash: r.password_hash,
  disabled: Number(r.disabled) === 1, roles: JSON.parse(r.roles) as UserRecord['roles'], createdAt: r.created_at, updatedAt: r.updated_at, emailVerifiedAt: r.email_verified_at,
});

export const toTenant = (r: Selectable<Database['tenants']>, domains: string[]): TenantRecord => ({
  id: r.id, slug: r.slug, domains, allowedOrigins: JSON.parse(r.allowed_origins) as string[],
  settings: JSON.parse(r.settings) as Record<string, unknown>, createdAt: r.created_at,
});

export const toSession = (r: Selectable<Database['sessions']>): SessionRecord => ({
  id: r.id, tenantId: r.tenant_id, userId: r.user_id, amr: JSON.parse(r.amr) as string[],
  createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at, revokedReason: r.revoked_reason,
  clientId: r.client_id ?? null, scope: r.scope ?? null,
});

export const toApplication = (r: Selectable<Database['applications']>): ApplicationRecord => ({
  id: r.id, tenantId: r.tenant_id, name: r.name, scopes: JSON.parse(r.scopes) as string[], secretHash: r.secret_hash,
  previousSecretHash: r.previous_secret_hash, previousSecretExpiresAt: r.previous_secret_expires_at,
  secretRotatedAt: r.secret_rotated_at, tokenTtlS: Number(r.token_ttl_s), createdAt: r.created_at,
  type: r.type as NonNullable<ApplicationRecord['type']>, redirectUris: JSON.parse(r.redirect_uris) as string[],
  postLogoutRedirectUris: JSON.parse(r.post_logout_redirect_uris) as string[],
});

export const toAudit = (r: Selectable<Database['audit_events']>): AuditRecord => ({
  id: r.id, shard: Number(r.shard), seq: Number(r.seq), tenantId: r.tenant_id, type: r.type as AuditRecord['type'], occurredAt: r.occurred_at,
  actor: { kind: r.actor_kind, id: r.actor_id }, target: { kind: r.target_kind, id: r.target_id },
  outcome: r.outcome as AuditRecord['outcome'], data: JSON.parse(r.data) as Record<string, unknown>,
  context: JSON.parse(r.context) as Record<string, unknown>, prevHash: r.prev_hash, hash: r.hash,
});
