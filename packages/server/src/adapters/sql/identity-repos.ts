import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { StoreOps } from '../../ports/store.js';
import { toApplication, toTenant, toUser } from './rows.js';
import { queryTemplate, runTemplate } from './compiled.js';

type Db = Kysely<Database>;

export function tenantRepo(db: Db): StoreOps['tenants'] {
  const withDomains = async (row: Parameters<typeof toTenant>[0] | undefined) => {
    if (!row) return undefined;
    const domains = await db.selectFrom('tenant_domains').select('host').where('tenant_id', '=', row.id).execute();
    return toTenant(row, domains.map((d) => d.host));
  };
  return {
    async insert(t) {
      await db.insertInto('tenants').values({
        id: t.id, slug: t.slug, allowed_origins: JSON.stringify(t.allowedOrigins), settings: JSON.stringify(t.settings), created_at: t.createdAt,
      }).execute();
      for (const host of t.domains) await db.insertInto('tenant_domains').values({ host, tenant_id: t.id }).execute();
    },
    bySlug: async (slug) => withDomains(await db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst()),
    async byDomain(host) {
      const row = await db.selectFrom('tenants').innerJoin('tenant_domains', 'tenant_domains.tenant_id', 'tenants.id')
        .selectAll('tenants').where('tenant_domains.host', '=', host).executeTakeFirst();
      return withDomains(row);
    },
    async list() {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('slug').execute();
      return Promise.all(rows.map((r) => withDomains(r))) as Promise<NonNullable<Awaited<ReturnType<typeof withDomains>>>[]>;
    },
    async updateSettings(tenantId, settings) {
      await db.updateTable('tenants').set({ settings: JSON.stringify(settings) }).where('id', '=', tenantId).execute();
    },
  };
}

export function userRepo(db: Db): StoreOps['users'] {
  return {
    async insert(u) {
      await db.insertInto('users').values({
        id: u.id, tenant_id: u.tenantId, email: u.email, password_hash: u.passwordHash, disabled: u.disabled ? 1 : 0, roles: JSON.stringify(u.roles ?? []),
        created_at: u.createdAt, updated_at: u.updatedAt, email_verified_at: u.emailVerifiedAt === undefined ? u.createdAt : u.emailVerifiedAt,
      }).execute();
    },
    byId: async (tenantId, id) => {
      const r = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    byEmail: async (tenantId, email) => {
      const r = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('email', '=', email).executeTakeFirst();
      return r && toUser(r);
    },
    async list(tenantId, afterId, limit) {
      let q = db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
      if (afterId) q = q.where('id', '>', afterId);
      return (await q.orderBy('id').limit(limit).execute()).map(toUser);
    },
    async update(tenantId, id, patch) {
      const set: Partial<Database['users']> = {};
      if (patch.email !== undefined) set.email = patch.email;
      if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
      if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
      if (patch.roles !== undefined) set.roles = JSON.stringify(patch.roles);
      if (patch.updatedAt !== undefined) set.updated_at = patch.updatedAt;
      if (patch.emailVerifiedAt !== undefined) set.email_verified_at = patch.emailVerifiedAt;
      const r = await db.updateTable('users').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('users').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export function applicationRepo(db: Db): StoreOps['applications'] {
  return {
    async insert(a) {
      await db.insertInto('applications').values({
        id: a.id, tenant_id: a.tenantId, name: a.name, scopes: JSON.stringify(a.scopes), secret_hash: a.secretHash,
        previous_secret_hash: a.previousSecretHash, previous_secret_expires_at: a.previousSecretExpiresAt,
        secret_rotated_at: a.secretRotatedAt, token_ttl_s: a.tokenTtlS, created_at: a.createdAt,
        type: a.type ?? 'machine', redirect_uris: JSON.stringify(a.redirectUris ?? []), post_logout_redirect_uris: JSON.stringify(a.postLogoutRedirectUris ?? []),
      }).execute();
    },
    byId: async (tenantId, id) => {
      // Read on every client-credentials token: built once (compiled.ts).
      const query = queryTemplate(db, 'applications.byId', (arg) => db.selectFrom('applications').selectAll().where('tenant_id', '=', arg(0, 'tenantId')).where('id', '=', arg(0, 'id')));
      const [r] = (await runTemplate<Selectable<Database['applications']>>(db, query, [{ tenantId, id }])).rows;
      return r && toApplication(r);
    },
    async list(tenantId, afterId, limit) {
      let q = db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId);
      if (afterId) q = q.where('id', '>', afterId);
      return (await q.orderBy('id').limit(limit).execute()).map(toApplication);
    },
    async update(tenantId, id, p) {
      const set: Partial<Database['applications']> = {};
      if (p.name !== undefined) set.name = p.name;
      if (p.scopes !== undefined) set.scopes = JSON.stringify(p.scopes);
      if (p.tokenTtlS !== undefined) set.token_ttl_s = p.tokenTtlS;
      if (p.secretHash !== undefined) set.secret_hash = p.secretHash;
      if (p.previousSecretHash !== undefined) set.previous_secret_hash = p.previousSecretHash;
      if (p.previousSecretExpiresAt !== undefined) set.previous_secret_expires_at = p.previousSecretExpiresAt;
      if (p.secretRotatedAt !== undefined) set.secret_rotated_at = p.secretRotatedAt;
      if (p.redirectUris !== undefined) set.redirect_uris = JSON.stringify(p.redirectUris);
      if (p.postLogoutRedirectUris !== undefined) set.post_logout_redirect_uris = JSON.stringify(p.postLogoutRedirectUris);
      const r = await db.updateTable('applications').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('applications').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
