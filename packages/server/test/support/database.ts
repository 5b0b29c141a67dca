import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { SqlTarget } from '../../src/adapters/sql/connect.js';

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
