import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StoreOps } from '../../ports/store.js';
import { toSession } from './rows.js';

type Db = Kysely<Database>;

export function sessionRepo(db: Db): StoreOps['sessions'] {
  return {
    async insert(s) {
      await db.insertInto('sessions').values({
        id: s.id, tenant_id: s.tenantId, user_id: s.userId, amr: JSON.stringify(s.amr), created_at: s.createdAt,
        expires_at: s.expiresAt, revoked_at: s.revokedAt, revoked_reason: s.revokedReason,
        client_id: s.clientId ?? null, scope: s.scope ?? null,
      }).execute();
    },
    byId: async (tenantId, id) => {
      const r = await db.selectFrom('sessions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && toSession(r);
    },
    async revoke(tenantId, id, at, reason) {
      const r = await db.updateTable('sessions').set({ revoked_at: at, revoked_reason: reason })
        .where('tenant_id', '=', tenantId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async revokeAllForUser(tenantId, userId, at, reason) {
      const r = await db.updateTable('sessions').set({ revoked_at: at, revoked_reason: reason })
        .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}

export function refreshTokenRepo(db: Db): StoreOps['refreshTokens'] {
  return {
    async insert(t) {
      await db.insertInto('refresh_tokens').values({
        token_hash: t.tokenHash, tenant_id: t.tenantId, session_id: t.sessionId, created_at: t.createdAt, expires_at: t.expiresAt, used_at: null,
      }).execute();
    },
    async use(tenantId, tokenHash, now) {
      // One conditional UPDATE: of two parallel refreshes with the same token exactly one spends it.
      const spent = await db.updateTable('refresh_tokens').set({ used_at: now })
        .where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null).where('expires_at', '>', now)
        .returning(['session_id']).executeTakeFirst();
      if (spent) return { outcome: 'rotated', sessionId: spent.session_id, tenantId };
      const seen = await db.selectFrom('refresh_tokens').select(['session_id', 'used_at'])
        .where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
      if (seen?.used_at) return { outcome: 'reused', sessionId: seen.session_id, tenantId };
      return { outcome: 'unknown' };
    },
  };
}
