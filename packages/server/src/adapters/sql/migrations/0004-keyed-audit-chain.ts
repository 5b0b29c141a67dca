import { sql, type Kysely } from 'kysely';

/**
 * Why: plain SHA-256 links can be recomputed by anyone who can write the database (issue 9 #10).
 * From here on links are keyed (HMAC under a key derived from the master key). Existing entries keep
 * their plain links up to `plain_until`, the cut-over point; the head's `mac` (sealed at start, right
 * after this migration, by the process that holds the master key) binds that point and the last plain link.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_heads').addColumn('plain_until', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('audit_heads').addColumn('mac', 'text').execute();
  await sql`update audit_heads set plain_until = seq`.execute(db);
}
