import type { Kysely } from 'kysely';

/**
 * Why: an operator must be able to see who is challenged and why, and replay a candidate policy
 * over what the engine saw (DESIGN §15). Signals the replay reads are columns, not JSON, so
 * 100,000 attempts replay without parsing 100,000 documents.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('risk_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('occurred_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('visitor_id', 'text')
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('monitor_only', 'integer', (c) => c.notNull())
    .addColumn('reason_codes', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('ip_hits', 'text', (c) => c.notNull())
    .addColumn('trusted', 'integer', (c) => c.notNull())
    .addColumn('c_ip_failures', 'integer')
    .addColumn('c_account_failures', 'integer')
    .addColumn('c_lockout_account_ip', 'integer')
    .addColumn('c_lockout_account', 'integer')
    .addColumn('c_lockout_ip', 'integer')
    .addColumn('lock_account_ip_ms', 'bigint')
    .addColumn('lock_account_ms', 'bigint')
    .addColumn('lock_ip_ms', 'bigint')
    .addColumn('device_confidence', 'real', (c) => c.notNull())
    .addColumn('device_factors', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('challenge', 'text')
    .addColumn('challenge_result', 'text')
    .addColumn('challenge_id', 'text')
    .addColumn('captcha_result', 'text')
    .addColumn('captcha_latency_ms', 'integer')
    .execute();
  await db.schema.createIndex('risk_attempts_tenant_time').on('risk_attempts').columns(['tenant_id', 'occurred_ms']).execute();
  await db.schema.createIndex('risk_attempts_tenant_email').on('risk_attempts').columns(['tenant_id', 'email', 'occurred_ms']).execute();
  await db.schema.createIndex('risk_attempts_tenant_ip').on('risk_attempts').columns(['tenant_id', 'ip', 'occurred_ms']).execute();
  await db.schema.createIndex('risk_attempts_challenge').on('risk_attempts').columns(['tenant_id', 'challenge_id']).execute();
  await db.schema.createIndex('risk_attempts_time').on('risk_attempts').column('occurred_ms').execute();
}
