import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StoreOps } from '../../ports/store.js';

/** Mailed single-use tokens (verification, reset). Spending is one conditional update: two racing uses cannot both win. */
export function accountTokenRepo(db: Kysely<Database>): StoreOps['accountTokens'] {
  return {
    async insert(t) {
      await db.insertInto('account_tokens').values({
        token_hash: t.tokenHash, tenant_id: t.tenantId, user_id: t.userId, purpose: t.purpose,
        expires_ms: t.expiresMs, used_ms: null, created_at: t.createdAt, password_hash: t.passwordHash ?? null,
      }).execute();
    },
    async consume(tenantId, tokenHash, purpose, nowMs) {
      const row = await db.updateTable('account_tokens').set({ used_ms: nowMs })
        .where('token_hash', '=', tokenHash).where('tenant_id', '=', tenantId).where('purpose', '=', purpose)
        .where('used_ms', 'is', null).where('expires_ms', '>', nowMs)
        .returning(['user_id', 'password_hash']).executeTakeFirst();
      return row && { userId: row.user_id, passwordHash: row.password_hash };
    },
    async voidForUser(tenantId, userId, purpose, nowMs) {
      const r = await db.updateTable('account_tokens').set({ used_ms: nowMs })
        .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('purpose', '=', purpose)
        .where('used_ms', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
