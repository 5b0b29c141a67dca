import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { TEST_DATABASE_URL, createPostgresSchema } from './database.js';
import { connectDatabase, migrateToLatest, type SqlTarget } from '../../src/adapters/sql/connect.js';
import { migrations } from '../../src/adapters/sql/migrations/index.js';
import { createSqlStore } from '../../src/adapters/sql/sql-store.js';
import { createAuditChainMac } from '../../src/adapters/crypto/audit-chain-mac.js';
import type { Database } from '../../src/adapters/sql/schema.js';
import type { AuditChainMac } from '../../src/ports/audit-chain.js';
import type { Store } from '../../src/ports/store.js';

/** A store on its own database, plus a second, raw handle to that database that edits rows behind the store's back. */
export interface TamperableDb {
  store: Store;
  auditChain: AuditChainMac;
  /** The master key the store's chain keys derive from (what an attacker does not have). */
  masterKey: Buffer;
  db: Kysely<Database>;
  target: SqlTarget;
  /** `$1`-style parameters on both databases. */
  raw(query: string, params?: unknown[]): Promise<void>;
  rows<T>(query: string, params?: unknown[]): Promise<T[]>;
  /** Applies the migrations not applied yet (after `upTo`); returns their names. */
  upgrade(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** Opens a throwaway SQLite file or PostgreSQL schema migrated to `upTo` (default: the latest migration). */
export async function openTamperable(kind: string, upTo?: string): Promise<TamperableDb> {
  const masterKey = randomBytes(32);
  const auditChain = createAuditChainMac(masterKey);
  const base = { masterKey, auditChain };
  let opened: Omit<TamperableDb, 'store' | 'upgrade' | 'masterKey' | 'auditChain'>;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-audit-'));
    const target: SqlTarget = { kind: 'sqlite', file: join(dir, 'audit.db') };
    const db = connectDatabase(target);
    const second = new Sqlite(target.file);
    const prepared = (query: string) => second.prepare(query.replace(/\$\d+/g, '?'));
    opened = {
      db, target,
      raw: async (query, params = []) => { prepared(query).run(...params); },
      rows: async <T>(query: string, params: unknown[] = []) => prepared(query).all(...params) as T[],
      cleanup: async () => { second.close(); rmSync(dir, { recursive: true, force: true }); },
    };
  } else {
    const schema = await createPostgresSchema();
    const db = connectDatabase(schema.target);
    const second = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema.target.kind === 'postgres' ? schema.target.schema : ''}` });
    await second.connect();
    opened = {
      db, target: schema.target,
      raw: async (query, params = []) => { await second.query(query, params); },
      rows: async <T>(query: string, params: unknown[] = []) => (await second.query(query, params)).rows as T[],
      cleanup: async () => { await second.end(); await schema.drop(); },
    };
  }
  const dialect = opened.target.kind;
  const upgrade = () => migrateToLatest(opened.db, dialect);
  if (upTo) {
    const schemaName = opened.target.kind === 'postgres' ? opened.target.schema : undefined;
    const migrator = new Migrator({ db: opened.db, provider: { getMigrations: async () => migrations }, ...(schemaName ? { migrationTableSchema: schemaName } : {}) });
    const { error } = await migrator.migrateTo(upTo);
    if (error) throw error;
  } else {
    await upgrade();
  }
  return { ...opened, ...base, store: createSqlStore(opened.db, dialect, auditChain), upgrade };
}
