import { sql, type Kysely } from 'kysely';

/**
 * Why: one chain per tenant serialises that tenant's appends on its head row (docs/scaling.md §3:
 * 3 instances on one tenant waited ~0.9 backends on the lock). Each tenant now has K chains, keyed
 * (tenant, shard), each with its own per-shard `seq`. Existing rows and heads become shard 0 unchanged,
 * so their links and head MACs still verify. Neither primary key can be altered in SQLite, so both
 * tables are rebuilt (same on PostgreSQL, to keep one migration for both).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('audit_heads_sharded')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('plain_until', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mac', 'text')
    .addPrimaryKeyConstraint('audit_heads_shard_pk', ['tenant_id', 'shard'])
    .execute();
  await sql`insert into audit_heads_sharded (tenant_id, shard, seq, hash, plain_until, mac)
    select tenant_id, 0, seq, hash, plain_until, mac from audit_heads`.execute(db);
  await db.schema.dropTable('audit_heads').execute();
  await db.schema.alterTable('audit_heads_sharded').renameTo('audit_heads').execute();

  await db.schema.createTable('audit_events_sharded')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_events_shard_pk', ['tenant_id', 'shard', 'seq'])
    .execute();
  await sql`insert into audit_events_sharded (tenant_id, shard, seq, id, type, occurred_at, actor_kind, actor_id, target_kind, target_id, outcome, ip, data, context, prev_hash, hash)
    select tenant_id, 0, seq, id, type, occurred_at, actor_kind, actor_id, target_kind, target_id, outcome, ip, data, context, prev_hash, hash from audit_events`.execute(db);
  await db.schema.dropTable('audit_events').execute();
  await db.schema.alterTable('audit_events_sharded').renameTo('audit_events').execute();
  // The list API pages newest first by id (time-ordered ULIDs): seq no longer orders a tenant's events across shards.
  await db.schema.createIndex('audit_events_id').on('audit_events').columns(['id']).unique().execute();
  await db.schema.createIndex('audit_events_tenant_id').on('audit_events').columns(['tenant_id', 'id']).execute();
  await db.schema.createIndex('audit_events_type').on('audit_events').columns(['tenant_id', 'type', 'id']).execute();
  await db.schema.createIndex('audit_events_time').on('audit_events').columns(['tenant_id', 'occurred_at']).execute();
}
