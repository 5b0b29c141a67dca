/**
 * SQLite commits are flushed off the event loop (adapters/sql/wal-sync.ts): synchronous=NORMAL plus
 * an fdatasync of the WAL on the thread pool. What must hold is what FULL gave: nothing resolves —
 * so nothing is answered — before an fdatasync that started after its commit has completed, and
 * failures still surface as the store port's errors.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, migrateToLatest } from '../src/adapters/sql/connect.js';
import { createSqlStore } from '../src/adapters/sql/sql-store.js';
import { createWalSync } from '../src/adapters/sql/wal-sync.js';
import { createAuditChainMac } from '../src/adapters/crypto/audit-chain-mac.js';
import { ConflictError, StoreUnavailableError, type TenantRecord } from '../src/ports/store.js';
import { startServer } from './support/server-process.js';
import { HUMAN_DEVICE } from './scale/support.js';

const tenant = (id: string, slug = id): TenantRecord => ({ id, slug, domains: [], allowedOrigins: [], settings: {}, createdAt: '2026-01-01T00:00:00.000Z' });

/** A flush the test completes by hand, recording when each one started. */
function manualFlush() {
  const started: Array<{ release(): void; fail(error: Error): void }> = [];
  const state = { held: true };
  const flush = () => (state.held ? new Promise<void>((resolve, reject) => { started.push({ release: resolve, fail: reject }); }) : Promise.resolve());
  return { started, flush, state };
}

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-durable-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the WAL flush', () => {
  it('shares one flush between writes made before it started, and makes a later write wait for the next', async () => {
    const { started, flush } = manualFlush();
    // The file is opened at the first flush: give it one that exists.
    const wal = join(tempDir(), 'x-wal');
    Sqlite(wal).close();
    const real = createWalSync(wal, flush);
    const a = real.durable(real.wrote());
    const b = real.durable(real.wrote());
    expect(started).toHaveLength(1);
    expect(b).not.toBe(a);
    let bDone = false;
    void b!.then(() => { bDone = true; });
    started[0]!.release();
    await a;
    await settle();
    // b was written after the first flush had started: it is not covered by it.
    expect(bDone).toBe(false);
    expect(started).toHaveLength(2);
    started[1]!.release();
    await b;
    expect(real.durable(real.written)).toBeUndefined();
    real.close();
  });

  it('fails the waiting writer when the flush fails', async () => {
    const { started, flush } = manualFlush();
    const wal = join(tempDir(), 'y-wal');
    Sqlite(wal).close();
    const sync = createWalSync(wal, flush);
    const waiting = sync.durable(sync.wrote());
    started[0]!.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(waiting).rejects.toMatchObject({ code: 'EIO' });
    sync.close();
  });
});

describe('the SQLite store on a file', () => {
  async function open(flush?: (fd: number) => Promise<void>) {
    const file = join(tempDir(), 'portcullis.db');
    const target = { kind: 'sqlite' as const, file, ...(flush ? { flush } : {}) };
    const db = connectDatabase(target);
    await migrateToLatest(db, 'sqlite');
    return { db, store: createSqlStore(db, 'sqlite', createAuditChainMac(randomBytes(32))) };
  }

  it('resolves a write, alone or in a transaction, only after a flush that started after its commit', async () => {
    const { started, flush, state } = manualFlush();
    state.held = false;
    const { db, store } = await open(flush);
    state.held = true;
    const release = () => { for (const f of started.splice(0)) f.release(); };
    try {
      let done = false;
      const direct = store.tenants.insert(tenant('tnt_a')).then(() => { done = true; });
      await settle();
      expect(done).toBe(false);
      expect(started).toHaveLength(1);
      release();
      await direct;
      let txDone = false;
      const inTx = store.transaction((tx) => tx.tenants.insert(tenant('tnt_b'))).then(() => { txDone = true; });
      await settle();
      expect(txDone).toBe(false);
      // Meanwhile the event loop and the connection serve reads: a read does not wait for the disk.
      expect((await store.tenants.list()).map((t) => t.id).sort()).toEqual(['tnt_a', 'tnt_b']);
      release();
      await inTx;
      expect(txDone).toBe(true);
      // A write that reads rows back (RETURNING) is a write all the same.
      let returningDone = false;
      const returning = db.updateTable('tenants').set({ slug: 'renamed' }).where('id', '=', 'tnt_a').returning('id').execute().then(() => { returningDone = true; });
      await settle();
      expect(returningDone).toBe(false);
      release();
      await returning;
    } finally {
      release();
      await db.destroy();
    }
  });

  it('maps a failed flush to StoreUnavailableError and a duplicate to ConflictError, as before', async () => {
    let failing = false;
    const { db, store } = await open(async () => {
      if (failing) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    });
    try {
      await store.tenants.insert(tenant('tnt_a'));
      await expect(store.tenants.insert(tenant('tnt_b', 'tnt_a'))).rejects.toBeInstanceOf(ConflictError);
      await expect(store.transaction((tx) => tx.tenants.insert(tenant('tnt_c', 'tnt_a')))).rejects.toBeInstanceOf(ConflictError);
      failing = true;
      await expect(store.tenants.insert(tenant('tnt_d'))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.transaction((tx) => tx.tenants.insert(tenant('tnt_e')))).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await db.destroy();
    }
  });
});

describe('portcullis start on SQLite, killed right after a sign-in', () => {
  it('keeps the session and its audit row that the 200 announced', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const server = await startServer({ dataDir, env: { PORTCULLIS_LOG_LEVEL: 'info' } });
    let sessionId: string;
    try {
      const [, email, password] = /demo user: +(\S+) \/ (\S+)/.exec(server.output())!;
      const res = await fetch(`${server.origin}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, device: HUMAN_DEVICE }),
      });
      const body = await res.json() as { data: { session: { id: string } } };
      expect(res.status, JSON.stringify(body)).toBe(200);
      sessionId = body.data.session.id;
    } finally {
      // No SIGTERM, no close: whatever was acknowledged must already be in the database file and its WAL.
      await server.kill();
    }
    const db = new Sqlite(join(dataDir, 'portcullis.db'), { readonly: true });
    try {
      expect(db.prepare('select count(*) as n from sessions where id = ?').get(sessionId)).toEqual({ n: 1 });
      expect(db.prepare("select count(*) as n from audit_events where type = 'user.signed_in' and target_id = ?").get(sessionId)).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  }, 60_000);
});
