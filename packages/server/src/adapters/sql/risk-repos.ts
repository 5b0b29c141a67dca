import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StoreOps } from '../../ports/store.js';
import { queryTemplate, runTemplate } from './compiled.js';

type Db = Kysely<Database>;

/** Prefix match without LIKE, whose wildcards (`_` is common in base64url subjects) would need escaping per dialect. */
const startsWith = (prefix: string) => sql<boolean>`substr(subject, 1, ${prefix.length}) = ${prefix}`;

export function lockRepo(db: Db): StoreOps['locks'] {
  return {
    async active(tenantId, subjects, nowMs) {
      if (subjects.length === 0) return [];
      // Read on every sign-in and refusal: built once per subject count (compiled.ts).
      const query = queryTemplate(db, `locks.active:${subjects.length}`, (arg) => db.selectFrom('locks').select(['scope', 'subject', 'until_ms'])
        .where('tenant_id', '=', arg(0, 'tenantId')).where('subject', 'in', subjects.map((_, i) => arg(i + 1, 'subject')))
        .where('until_ms', '>', arg(0, 'nowMs')));
      const { rows } = await runTemplate<{ scope: string; subject: string; until_ms: number | string | bigint }>(db, query, [{ tenantId, nowMs }, ...subjects]);
      return rows
        .filter((r) => subjects.some((s) => s.scope === r.scope && s.subject === r.subject))
        .map((r) => ({ scope: r.scope, subject: r.subject, untilMs: Number(r.until_ms) }));
    },
    async set(tenantId, lock, createdAt) {
      // A longer lock never shortens: two instances locking at once keep the later end.
      await db.insertInto('locks').values({ tenant_id: tenantId, scope: lock.scope, subject: lock.subject, until_ms: lock.untilMs, created_at: createdAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'scope', 'subject']).doUpdateSet({
          until_ms: sql`case when locks.until_ms > excluded.until_ms then locks.until_ms else excluded.until_ms end`,
          created_at: sql`excluded.created_at`,
        })).execute();
    },
    async clear(tenantId, match) {
      let q = db.deleteFrom('locks').where('tenant_id', '=', tenantId);
      if (match.subject !== undefined) q = q.where('subject', '=', match.subject);
      if (match.subjectPrefix !== undefined) q = q.where(startsWith(match.subjectPrefix));
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async list(tenantId, match, nowMs) {
      let q = db.selectFrom('locks').select(['scope', 'subject', 'until_ms']).where('tenant_id', '=', tenantId).where('until_ms', '>', nowMs);
      if (match.subjectPrefix !== undefined) q = q.where(startsWith(match.subjectPrefix));
      const rows = await q.execute();
      return rows.map((r) => ({ scope: r.scope, subject: r.subject, untilMs: Number(r.until_ms) }));
    },
  };
}

export function feedRepo(db: Db): StoreOps['feeds'] {
  return {
    async insert(f) {
      await db.insertInto('threat_feeds').values({ id: f.id, tenant_id: f.tenantId, name: f.name, definition: JSON.stringify(f.definition), created_at: f.createdAt }).execute();
    },
    async list(tenantId) {
      let q = db.selectFrom('threat_feeds').selectAll();
      if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
      const rows = await q.orderBy('created_at').execute();
      return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, name: r.name, definition: JSON.parse(r.definition) as Record<string, unknown>, createdAt: r.created_at }));
    },
    async delete(tenantId, id) {
      const r = await db.deleteFrom('threat_feeds').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export function captchaTokenRepo(db: Db): StoreOps['captchaTokens'] {
  return {
    async claim(tokenHash, tenantId, expiresMs) {
      // Insert-or-nothing is the whole check: of two parallel requests with one token exactly one inserts.
      const r = await db.insertInto('captcha_tokens').values({ token_hash: tokenHash, tenant_id: tenantId, expires_ms: expiresMs })
        .onConflict((oc) => oc.column('token_hash').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async purge(nowMs) {
      const r = await db.deleteFrom('captcha_tokens').where('expires_ms', '<', nowMs).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export function emailOtpRepo(db: Db): StoreOps['emailOtps'] {
  return {
    async insert(o) {
      await db.insertInto('email_otps').values({
        id: o.id, tenant_id: o.tenantId, user_id: o.userId, email: o.email, code_hash: o.codeHash, attempts: 0,
        expires_ms: o.expiresMs, consumed_ms: null, created_at: o.createdAt,
      }).execute();
    },
    async attempt(tenantId, id, nowMs, maxAttempts) {
      const row = await db.updateTable('email_otps').set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('tenant_id', '=', tenantId).where('id', '=', id).where('attempts', '<', maxAttempts)
        .where('consumed_ms', 'is', null).where('expires_ms', '>', nowMs)
        .returningAll().executeTakeFirst();
      return row && {
        id: row.id, tenantId: row.tenant_id, userId: row.user_id, email: row.email, codeHash: row.code_hash,
        attempts: Number(row.attempts), expiresMs: Number(row.expires_ms), createdAt: row.created_at,
      };
    },
    async consume(tenantId, id, nowMs) {
      const r = await db.updateTable('email_otps').set({ consumed_ms: nowMs })
        .where('tenant_id', '=', tenantId).where('id', '=', id).where('consumed_ms', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
