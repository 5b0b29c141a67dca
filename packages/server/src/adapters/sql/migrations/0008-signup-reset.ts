import { sql, type Kysely } from 'kysely';

/**
 * Why: people sign up, verify their address and reset a forgotten password (DESIGN §19). Users
 * gain the time their address was proved (accounts that exist already were made by an admin or
 * operator: verified at creation); mailed single-use tokens are kept hashed, with their purpose.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email_verified_at', 'text').execute();
  await sql`update users set email_verified_at = created_at`.execute(db);
  await db.schema.createTable('account_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('expires_ms', 'bigint', (c) => c.notNull())
    .addColumn('used_ms', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .execute();
  // The decision log covers the new doors too: each row says which one.
  await db.schema.alterTable('risk_attempts').addColumn('kind', 'text', (c) => c.notNull().defaultTo('login')).execute();
  await db.schema.createIndex('account_tokens_user').on('account_tokens').columns(['tenant_id', 'user_id', 'purpose']).execute();
}
