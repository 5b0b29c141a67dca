import { MANAGEMENT_SCOPES, PortcullisError } from '@portcullis/protocol';
import type { Store, TenantRecord } from '../ports/store.js';
import type { Clock } from '../ports/clock.js';
import type { Config } from '../config/schema.js';
import type { KeyRing } from './keys.js';
import type { ChangeBus } from '../ports/change-bus.js';
import { ConflictError } from '../ports/store.js';
import { newId, newSecret } from '../ports/ids.js';
import { hashSecret } from '../domain/secret-hash.js';
import { isoTime } from './context.js';
import { recordEvent } from './audit.js';
import { newTenantSettings } from './risk/policy.js';

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Finds the tenant a request is for (DESIGN §3), with a short cache so every request is not a query. */
export interface TenantResolver {
  resolve(host: string | undefined, tenantHeader: string | undefined): Promise<TenantRecord>;
  /** After a committed change: drops the tenant here and announces it to the other instances. */
  forget(tenantId?: string): void;
  /** A change announced by another instance: drops the tenant (`undefined`: everything) here only. */
  drop(tenantId?: string): void;
}

/**
 * The TTL is the fallback: changes reach the other instances through the bus within
 * milliseconds, and a lost message still heals within `ttlMs`.
 */
export function createTenantResolver(store: Store, config: Readonly<Config>, clock: Clock, bus: ChangeBus, ttlMs = 5000): TenantResolver {
  const cache = new Map<string, { at: number; tenant: TenantRecord | undefined }>();
  // Bumped by every drop: a load that started before the change may have read the old row, and must not be cached after it.
  let generation = 0;
  async function cached(key: string, load: () => Promise<TenantRecord | undefined>) {
    const hit = cache.get(key);
    if (hit && clock.now() - hit.at < ttlMs) return hit.tenant;
    const started = generation;
    const tenant = await load();
    if (started !== generation) return tenant;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: clock.now(), tenant });
    return tenant;
  }
  function drop(tenantId?: string) {
    generation += 1;
    if (tenantId === undefined) return cache.clear();
    // Unknown names go too: the change may be this tenant's creation or a new domain.
    for (const [key, entry] of cache) if (!entry.tenant || entry.tenant.id === tenantId) cache.delete(key);
  }
  const base = config.PORTCULLIS_BASE_DOMAIN?.toLowerCase();
  return {
    async resolve(hostHeader, tenantHeader) {
      const host = (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '');
      if (host) {
        const byHost = await cached(`host:${host}`, () => store.tenants.byDomain(host));
        if (byHost) return byHost;
        if (base && host.endsWith(`.${base}`)) {
          const slug = host.slice(0, -(base.length + 1));
          const bySub = SLUG.test(slug) ? await cached(`slug:${slug}`, () => store.tenants.bySlug(slug)) : undefined;
          if (bySub) return bySub;
        }
      }
      const slug = tenantHeader?.trim().toLowerCase() || config.PORTCULLIS_DEFAULT_TENANT;
      if (slug && SLUG.test(slug)) {
        const bySlug = await cached(`slug:${slug}`, () => store.tenants.bySlug(slug));
        if (bySlug) return bySlug;
      }
      throw new PortcullisError('tenant_not_found');
    },
    forget(tenantId) {
      drop(tenantId);
      void bus.publish(tenantId);
    },
    drop,
  };
}

export interface CreatedTenant {
  tenant: { id: string; slug: string };
  application: { client_id: string; client_secret: string; scopes: string[] };
}

/** Creates a tenant with its signing key and a first admin application holding every management scope. */
export async function createTenant(
  deps: { store: Store; clock: Clock; keys: KeyRing; config: Readonly<Config>; tenants: Pick<TenantResolver, 'forget'> },
  input: { slug: string; domains?: string[]; allowedOrigins?: string[] },
): Promise<CreatedTenant> {
  if (!SLUG.test(input.slug)) throw new PortcullisError('invalid_request', { details: { fields: [{ path: 'slug', message: 'must be lowercase letters, digits and dashes' }] } });
  const badOrigin = (input.allowedOrigins ?? []).find((o) => { try { return new URL(o).origin !== o; } catch { return true; } });
  if (badOrigin !== undefined) throw new PortcullisError('invalid_request', { details: { fields: [{ path: 'origin', message: `must be an exact scheme://host[:port] origin, got ${badOrigin}` }] } });
  if (await deps.store.tenants.bySlug(input.slug)) throw new PortcullisError('conflict', { message: `Tenant ${input.slug} already exists.` });
  const now = isoTime(deps.clock.now());
  const tenant: TenantRecord = {
    id: newId('tnt'), slug: input.slug, domains: (input.domains ?? []).map((d) => d.toLowerCase()),
    allowedOrigins: input.allowedOrigins ?? [], settings: newTenantSettings(), createdAt: now,
  };
  const secret = newSecret('pcs');
  const appId = newId('app');
  const scopes = [...MANAGEMENT_SCOPES];
  await deps.store.transaction(async (tx) => {
    await tx.tenants.insert(tenant).catch((error: unknown) => {
      // Two creators racing past the check above: the unique slug decides, and the loser hears `conflict`.
      if (error instanceof ConflictError) throw new PortcullisError('conflict', { message: `Tenant ${input.slug} already exists.` });
      throw error;
    });
    await tx.applications.insert({
      id: appId, tenantId: tenant.id, name: 'Admin', scopes, secretHash: hashSecret(secret), previousSecretHash: null,
      previousSecretExpiresAt: null, secretRotatedAt: null, tokenTtlS: deps.config.PORTCULLIS_APP_TOKEN_TTL_S, createdAt: now,
    });
    const operator = { kind: 'operator' as const, id: null };
    await recordEvent(tx, deps.clock, { tenantId: tenant.id }, { type: 'tenant.created', outcome: 'success', actor: operator, target: { kind: 'tenant', id: tenant.id }, data: { slug: tenant.slug, domains: tenant.domains } });
    await recordEvent(tx, deps.clock, { tenantId: tenant.id }, { type: 'application.created', outcome: 'success', actor: operator, target: { kind: 'application', id: appId }, data: { name: 'Admin', scopes } });
  });
  await deps.keys.ensureKey(tenant);
  // Instances that were asked for this slug or domain before it existed cached "no such tenant".
  deps.tenants.forget(tenant.id);
  return { tenant: { id: tenant.id, slug: tenant.slug }, application: { client_id: appId, client_secret: secret, scopes } };
}
