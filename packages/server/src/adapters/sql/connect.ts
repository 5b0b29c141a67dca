import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider } from 'kysely';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';
import { withStoreErrors } from './driver-errors.js';
import { createWalSync, type WalSync } from './wal-sync.js';

/** `flush` (tests) replaces the WAL's fdatasync, to hold a commit between its write and the disk. */
export type SqlTarget = { kind: 'sqlite'; file: string; flush?: (fd: number) => Promise<void> } | { kind: 'postgres'; url: string; schema?: string; max?: number };

/**
 * Opens the database. SQLite runs in WAL with synchronous=NORMAL plus an fdatasync of the WAL after
 * every commit, off the event loop (wal-sync.ts): the durability of FULL — a sign-in is acknowledged
 * only after its audit row is on disk — without blocking every other request on the disk's flush.
 */
export function connectDatabase(target: SqlTarget): Kysely<Database> {
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    const sqlite = new Sqlite(target.file);
    sqlite.pragma('journal_mode = WAL');
    const memory = target.file === ':memory:';
    sqlite.pragma(memory ? 'synchronous = FULL' : 'synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const durability = memory ? undefined : createWalSync(`${target.file}-wal`, target.flush);
    return new Kysely<Database>({ dialect: withStoreErrors(new SqliteDialect({ database: withStatementCache(sqlite, durability) }), durability) });
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.max ?? 10,
    connectionTimeoutMillis: 3000,
    // A database that accepts connections but never answers must turn into a 503, not a hang.
    query_timeout: 5000,
    keepAlive: true,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  // A client that loses its server, idle or mid-query, must not crash the process (DESIGN §12: the
  // process stays up); the query in flight fails on its own and is answered with a 503.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    // After a read timeout the connection still owes an answer: drop it so the pool does not hand it out again.
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((error: Error) => {
          if (/Query read timeout/.test(error?.message ?? '')) (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        });
      }
      return result;
    };
  });
  return new Kysely<Database>({ dialect: withStoreErrors(new PostgresDialect({ pool })) });
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a lookup by
 * key. Statements are cached by SQL text (bounded: parameters are bound, so the set of texts is small).
 */
function withStatementCache(sqlite: Sqlite.Database, durability: WalSync | undefined, max = 500) {
  const cache = new Map<string, Sqlite.Statement>();
  const writes = new WeakSet<Sqlite.Statement>();
  return {
    close: () => { sqlite.close(); },
    prepare(text: string) {
      let statement = cache.get(text);
      if (!statement) {
        statement = sqlite.prepare(text);
        // Not `reader`: an UPDATE … RETURNING reads rows back and still writes. SQLite calls begin/commit read-only.
        if (!statement.readonly) writes.add(statement);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(text, statement);
      }
      // Kysely prepares right before it runs: this is the write's turn (its lease then waits for the flush).
      if (durability && writes.has(statement)) durability.wrote();
      return statement;
    },
  };
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Promise<string[]> {
  // Kysely looks for its own tables across every schema it can see; pin them to ours, or a
  // database holding several Portcullis schemas would skip creating them in this one.
  const schema = dialect === 'postgres'
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
