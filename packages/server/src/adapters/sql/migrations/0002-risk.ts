import type { Kysely } from 'kysely';

/**
 * Why: brute-force locks must outlive a Redis flush (DESIGN §7), tenants bring their own threat
 * feeds, and a captcha token may be spent once across every instance (DESIGN §6 replay set).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('locks')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('until_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('locks_pk', ['tenant_id', 'scope', 'subject'])
    .execute();
  await db.schema.createTable('threat_feeds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('threat_feeds_tenant_name', ['tenant_id', 'name'])
    .execute();
  await db.schema.createTable('captcha_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('expires_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('captcha_tokens_expiry').on('captcha_tokens').column('expires_ms').execute();
}
