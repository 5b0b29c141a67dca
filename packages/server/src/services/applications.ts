import { MANAGEMENT_SCOPES, PortcullisError, type Application, type ApplicationType } from '@portcullis/protocol';
import type { ApplicationRecord } from '../ports/store.js';
import type { Deps } from './deps.js';
import type { Principal, RequestContext } from './context.js';
import { newId, newSecret } from '../ports/ids.js';
import { hashSecret } from '../domain/secret-hash.js';
import { decodeCursor, isoTime, paged } from './context.js';
import { recordEvent } from './audit.js';
import { checkClientUris } from './oidc/redirect-uris.js';

const KNOWN_SCOPES = new Set<string>(MANAGEMENT_SCOPES);

/** Scopes are strict: an unknown one is an error, never silently dropped. */
export function checkScopes(scopes: readonly string[]): void {
  // Each offending entry is named by its index (`scopes.1`), like every other field error, so a client can point at it.
  const fields = scopes.flatMap((s, i) => (KNOWN_SCOPES.has(s) ? [] : [{ path: `scopes.${i}`, message: `unknown scope ${s}` }]));
  if (fields.length > 0) throw new PortcullisError('invalid_request', { details: { fields } });
}

export function applicationView(a: ApplicationRecord): Application {
  return {
    id: a.id, client_id: a.id, name: a.name, type: a.type ?? 'machine', redirect_uris: a.redirectUris ?? [], post_logout_redirect_uris: a.postLogoutRedirectUris ?? [],
    scopes: a.scopes, token_ttl_s: a.tokenTtlS, created_at: a.createdAt,
    secret_rotated_at: a.secretRotatedAt, previous_secret_expires_at: a.previousSecretExpiresAt,
  };
}

export interface ApplicationInput {
  name: string; scopes: string[]; token_ttl_s?: number | undefined;
  type?: ApplicationType | undefined; redirect_uris?: string[] | undefined; post_logout_redirect_uris?: string[] | undefined;
}

export async function createApplication(deps: Deps, ctx: RequestContext, actor: Principal, input: ApplicationInput): Promise<Application & { client_secret?: string }> {
  checkScopes(input.scopes);
  const type = input.type ?? 'machine';
  checkClientUris(type, { redirect_uris: input.redirect_uris ?? [], post_logout_redirect_uris: input.post_logout_redirect_uris });
  // A spa is a public client: it gets no secret. The column still holds the hash of one nobody
  // ever saw, so no code path can authenticate it with a secret.
  const secret = newSecret('pcs');
  const record: ApplicationRecord = {
    id: newId('app'), tenantId: ctx.tenant.id, name: input.name, scopes: input.scopes, secretHash: hashSecret(secret),
    previousSecretHash: null, previousSecretExpiresAt: null, secretRotatedAt: null,
    tokenTtlS: input.token_ttl_s ?? deps.config.PORTCULLIS_APP_TOKEN_TTL_S, createdAt: isoTime(deps.clock.now()),
    type, redirectUris: input.redirect_uris ?? [], postLogoutRedirectUris: input.post_logout_redirect_uris ?? [],
  };
  await deps.store.transaction(async (tx) => {
    await tx.applications.insert(record);
    await recordEvent(tx, deps.clock, ctx, { type: 'application.created', outcome: 'success', actor, target: { kind: 'application', id: record.id }, data: { name: record.name, scopes: record.scopes, type } });
  });
  return type === 'spa' ? applicationView(record) : { ...applicationView(record), client_secret: secret };
}

export async function getApplication(deps: Deps, ctx: RequestContext, id: string): Promise<ApplicationRecord> {
  const app = await deps.store.applications.byId(ctx.tenant.id, id);
  if (!app) throw new PortcullisError('not_found', { message: 'No such application.' });
  return app;
}

export async function listApplications(deps: Deps, ctx: RequestContext, cursor: string | undefined, limit: number) {
  const rows = await deps.store.applications.list(ctx.tenant.id, decodeCursor(cursor), limit + 1);
  return paged(rows, limit, applicationView, (row) => row.id);
}

export async function updateApplication(deps: Deps, ctx: RequestContext, actor: Principal, id: string, patch: Partial<Omit<ApplicationInput, 'type'>>) {
  if (patch.scopes) checkScopes(patch.scopes);
  const current = await getApplication(deps, ctx, id);
  checkClientUris(current.type ?? 'machine', patch);
  await deps.store.transaction(async (tx) => {
    await tx.applications.update(ctx.tenant.id, id, {
      name: patch.name, scopes: patch.scopes, tokenTtlS: patch.token_ttl_s, redirectUris: patch.redirect_uris, postLogoutRedirectUris: patch.post_logout_redirect_uris,
    });
    await recordEvent(tx, deps.clock, ctx, { type: 'application.updated', outcome: 'success', actor, target: { kind: 'application', id }, data: { fields: Object.keys(patch) } });
  });
  return applicationView(await getApplication(deps, ctx, id));
}

export async function deleteApplication(deps: Deps, ctx: RequestContext, actor: Principal, id: string): Promise<void> {
  await deps.store.transaction(async (tx) => {
    if (!(await tx.applications.delete(ctx.tenant.id, id))) throw new PortcullisError('not_found', { message: 'No such application.' });
    await recordEvent(tx, deps.clock, ctx, { type: 'application.deleted', outcome: 'success', actor, target: { kind: 'application', id } });
  });
}

/** New secret shown once; the previous one keeps working for the overlap so deployments can roll without downtime. */
export async function rotateSecret(deps: Deps, ctx: RequestContext, actor: Principal, id: string, overlapS?: number) {
  const app = await getApplication(deps, ctx, id);
  if (app.type === 'spa') throw new PortcullisError('invalid_request', { message: 'A spa application is a public client: it has no secret to rotate.' });
  const secret = newSecret('pcs');
  const now = deps.clock.now();
  const overlap = overlapS ?? deps.config.PORTCULLIS_SECRET_OVERLAP_S;
  const patch = {
    secretHash: hashSecret(secret), previousSecretHash: app.secretHash,
    previousSecretExpiresAt: isoTime(now + overlap * 1000), secretRotatedAt: isoTime(now),
  };
  await deps.store.transaction(async (tx) => {
    await tx.applications.update(ctx.tenant.id, id, patch);
    await recordEvent(tx, deps.clock, ctx, { type: 'application.secret_rotated', outcome: 'success', actor, target: { kind: 'application', id }, data: { previous_valid_until: patch.previousSecretExpiresAt } });
  });
  return { ...applicationView({ ...app, ...patch }), client_secret: secret };
}
