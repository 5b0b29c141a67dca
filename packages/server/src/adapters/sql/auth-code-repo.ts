import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { AuthCodeRecord, StoreOps } from '../../ports/store.js';

type Db = Kysely<Database>;

const toAuthCode = (r: Selectable<Database['auth_codes']>): AuthCodeRecord => ({
  codeHash: r.code_hash, tenantId: r.tenant_id, clientId: r.client_id, redirectUri: r.redirect_uri, codeChallenge: r.code_challenge,
  nonce: r.nonce, scope: r.scope, userId: r.user_id, sessionId: r.session_id, amr: JSON.parse(r.amr) as string[],
  authTimeS: Number(r.auth_time_s), expiresMs: Number(r.expires_ms), createdAt: r.created_at,
});

/** Authorization codes (DESIGN §19): hashed, single use, spent by one conditional UPDATE. */
export function authCodeRepo(db: Db): StoreOps['authCodes'] {
  return {
    async insert(c) {
      await db.insertInto('auth_codes').values({
        code_hash: c.codeHash, tenant_id: c.tenantId, client_id: c.clientId, redirect_uri: c.redirectUri, code_challenge: c.codeChallenge,
        nonce: c.nonce, scope: c.scope, user_id: c.userId, session_id: c.sessionId, amr: JSON.stringify(c.amr),
        auth_time_s: c.authTimeS, expires_ms: c.expiresMs, used_ms: null, created_at: c.createdAt,
      }).execute();
    },
    async use(tenantId, codeHash, nowMs) {
      // Of two parallel exchanges of one code exactly one spends it; the other is a reuse.
      const spent = await db.updateTable('auth_codes').set({ used_ms: nowMs })
        .where('tenant_id', '=', tenantId).where('code_hash', '=', codeHash)
        .where('used_ms', 'is', null).where('expires_ms', '>', nowMs)
        .returningAll().executeTakeFirst();
      if (spent) return { outcome: 'redeemed', code: toAuthCode(spent) };
      const seen = await db.selectFrom('auth_codes').selectAll()
        .where('tenant_id', '=', tenantId).where('code_hash', '=', codeHash).executeTakeFirst();
      if (seen && seen.used_ms !== null) return { outcome: 'reused', code: toAuthCode(seen) };
      return { outcome: 'unknown' };
    },
  };
}
