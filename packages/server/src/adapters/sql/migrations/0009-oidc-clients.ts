import { sql, type Kysely } from 'kysely';

/**
 * Why: apps that sign people in through the hosted page (OIDC code flow, DESIGN §19) need a client
 * type, exactly registered redirect URIs, and single-use authorization codes that survive a restart
 * and work on any instance. Codes are kept hashed, like every other secret.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('applications').addColumn('type', 'text', (c) => c.notNull().defaultTo('machine')).execute();
  await db.schema.alterTable('applications').addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo(sql`'[]'`)).execute();
  await db.schema.alterTable('applications').addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo(sql`'[]'`)).execute();
  await db.schema.createTable('auth_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text')
    .addColumn('nonce', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('auth_time_s', 'bigint', (c) => c.notNull())
    .addColumn('expires_ms', 'bigint', (c) => c.notNull())
    .addColumn('used_ms', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_codes_expiry').on('auth_codes').columns(['expires_ms']).execute();
}
