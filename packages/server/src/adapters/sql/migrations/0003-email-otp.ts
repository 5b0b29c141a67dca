import type { Kysely } from 'kysely';

/** Why: when the captcha provider is down a tenant may fall back to a one-time email code (DESIGN §6), which must survive restarts and work on any instance. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('email_otps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_ms', 'bigint', (c) => c.notNull())
    .addColumn('consumed_ms', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
