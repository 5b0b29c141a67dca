import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { SqlTarget } from '../../src/adapters/sql/connect.js';
import type { Store } from '../../src/ports/store.js';
import { connectDatabase, migrateToLatest } from '../../src/adapters/sql/connect.js';
import { createSqlStore } from '../../src/adapters/sql/sql-store.js';
import { createAuditChainMac } from '../../src/adapters/crypto/audit-chain-mac.js';

/** The PostgreSQL server for tests, or a reason why suites that need it are skipped (never under CI). */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];

export function requirePostgresInCi(): void {
  if (process.env['CI'] === 'true' && !TEST_DATABASE_URL) {
    throw new Error('TEST_DATABASE_URL must be set under CI: PostgreSQL suites may not be skipped there');
  }
}

/** A fresh schema per suite, so parallel test files never see each other's rows; dropped by `drop`. */
export async function createPostgresSchema(): Promise<{ target: SqlTarget; drop(): Promise<void> }> {
  const url = TEST_DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    target: { kind: 'postgres', url, schema, max: 10 },
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/** The databases a store-level suite runs on: SQLite always, PostgreSQL when the server is configured. */
export const DATABASES: Array<{ name: string; available: boolean }> = [
  { name: 'sqlite', available: true },
  { name: 'postgres', available: !!TEST_DATABASE_URL },
];

/**
 * A migrated store on `kind` ('sqlite' in memory, or 'postgres' in a fresh schema), its audit chain keyed by
 * `auditChain` (a random key unless the suite verifies chains itself); `cleanup` drops the PostgreSQL schema.
 * Shared by the store-level contract suites.
 */
export async function openTestStore(kind: string, auditChain = createAuditChainMac(randomBytes(32))): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const db = connectDatabase({ kind: 'sqlite', file: ':memory:' });
    await migrateToLatest(db, 'sqlite');
    return { store: createSqlStore(db, 'sqlite', auditChain), cleanup: async () => {} };
  }
  const schema = await createPostgresSchema();
  const db = connectDatabase(schema.target);
  await migrateToLatest(db, 'postgres');
  return { store: createSqlStore(db, 'postgres', auditChain), cleanup: schema.drop };
}
