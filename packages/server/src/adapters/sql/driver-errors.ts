import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import { ConflictError, StoreUnavailableError } from '../../ports/store.js';
import type { WalSync } from './wal-sync.js';

/** Network, PostgreSQL "cannot connect now / admin shutdown / connection exception", SQLite busy and disk faults. */
const OUTAGE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
  'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_FULL',
  // The WAL's own fdatasync (wal-sync.ts) fails with the system's codes.
  'EIO', 'ENOSPC', 'EDQUOT', 'EROFS',
]);
/** node-postgres reports a lost or unreachable server in messages only. */
const OUTAGE_MESSAGE = /Connection terminated|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/;
/** PostgreSQL unique_violation, SQLite's unique and primary-key constraints. */
const CONFLICT_CODES = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** A driver error as the store port's error, or the error itself when it is neither an outage nor a conflict (a bug: 500). */
export function translateDriverError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || error instanceof ConflictError) return error;
  const e = error as { code?: unknown; message?: unknown; constraint?: unknown } | null;
  if (!e || typeof e !== 'object') return error;
  const code = typeof e.code === 'string' ? e.code : '';
  if (CONFLICT_CODES.has(code)) return new ConflictError({ constraint: typeof e.constraint === 'string' ? e.constraint : undefined, cause: error });
  if (OUTAGE_CODES.has(code) || OUTAGE_MESSAGE.test(typeof e.message === 'string' ? e.message : '')) return new StoreUnavailableError({ cause: error });
  return error;
}

async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDriverError(error);
  }
}

function wrapConnection(inner: DatabaseConnection): DatabaseConnection {
  return {
    executeQuery: (query) => translated(() => inner.executeQuery(query)),
    async *streamQuery(query, chunkSize) {
      try {
        yield* inner.streamQuery(query, chunkSize);
      } catch (error) {
        throw translateDriverError(error);
      }
    },
  };
}

/**
 * Every query, connect and transaction step of the wrapped dialect fails with the store port's
 * errors: one place translates, so no repository needs a try/catch and no layer above sniffs
 * pg or SQLite codes. The driver's own connection object goes back to the driver (it keys
 * release on private state); only the caller sees the wrapper.
 */
export function withStoreErrors(dialect: Dialect, durability?: WalSync): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver(): Driver {
      const driver = dialect.createDriver();
      const inners = new WeakMap<DatabaseConnection, DatabaseConnection>();
      const inner = (c: DatabaseConnection) => inners.get(c) ?? c;
      // Writes seen when the connection was taken: a lease that wrote nothing does not wait for the disk.
      const leasedAt = new WeakMap<DatabaseConnection, number>();
      const wrapped: Driver = {
        init: () => translated(() => driver.init()),
        async acquireConnection() {
          const connection = await translated(() => driver.acquireConnection());
          const outer = wrapConnection(connection);
          inners.set(outer, connection);
          leasedAt.set(outer, durability?.written ?? 0);
          return outer;
        },
        beginTransaction: (c, settings) => translated(() => driver.beginTransaction(inner(c), settings)),
        commitTransaction: (c) => translated(() => driver.commitTransaction(inner(c))),
        rollbackTransaction: (c) => translated(() => driver.rollbackTransaction(inner(c))),
        // The caller's query or transaction resolves only once its writes are durable; the connection
        // is released first, so other requests use it during the flush.
        async releaseConnection(c) {
          const seq = durability?.written ?? 0;
          const wrote = seq !== leasedAt.get(c);
          await driver.releaseConnection(inner(c));
          const flushed = wrote ? durability?.durable(seq) : undefined;
          if (flushed) await translated(() => flushed);
        },
        async destroy() {
          await driver.destroy();
          durability?.close();
        },
      };
      if (driver.savepoint) wrapped.savepoint = (c, name, compile) => translated(() => driver.savepoint!(inner(c), name, compile));
      if (driver.rollbackToSavepoint) wrapped.rollbackToSavepoint = (c, name, compile) => translated(() => driver.rollbackToSavepoint!(inner(c), name, compile));
      if (driver.releaseSavepoint) wrapped.releaseSavepoint = (c, name, compile) => translated(() => driver.releaseSavepoint!(inner(c), name, compile));
      return wrapped;
    },
  };
}
