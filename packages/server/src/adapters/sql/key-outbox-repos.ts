import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StoreOps } from '../../ports/store.js';

type Db = Kysely<Database>;

export function signingKeyRepo(db: Db): StoreOps['signingKeys'] {
  return {
    async insert(k) {
      await db.insertInto('signing_keys').values({
        kid: k.kid, tenant_id: k.tenantId, alg: k.alg, public_jwk: JSON.stringify(k.publicJwk),
        private_jwk_sealed: k.privateJwkSealed, created_at: k.createdAt,
      }).execute();
    },
    async forTenant(tenantId) {
      const rows = await db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').execute();
      return rows.map((r) => ({
        kid: r.kid, tenantId: r.tenant_id, alg: r.alg, publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
        privateJwkSealed: r.private_jwk_sealed, createdAt: r.created_at,
      }));
    },
  };
}

export function outboxRepo(db: Db): StoreOps['outbox'] {
  return {
    async insert(m) {
      await db.insertInto('outbox').values({
        id: m.id, tenant_id: m.tenantId, recipient: m.recipient, subject: m.subject, body: m.body, created_at: m.createdAt,
      }).execute();
    },
    async list(tenantId, limit) {
      let q = db.selectFrom('outbox').selectAll();
      if (tenantId) q = q.where('tenant_id', '=', tenantId);
      const rows = await q.orderBy('created_at', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, recipient: r.recipient, subject: r.subject, body: r.body, createdAt: r.created_at }));
    },
  };
}
