import { randomBytes } from 'node:crypto';
/**
 * Store errors are the port's, not the driver's: the SQL adapters translate unique violations
 * into `ConflictError` and an unreachable database into `StoreUnavailableError`, and http maps
 * those two (409 `conflict`, 503 `service_unavailable`) without knowing a pg or SQLite code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, migrateToLatest } from '../src/adapters/sql/connect.js';
import { createSqlStore } from '../src/adapters/sql/sql-store.js';
import { translateDriverError } from '../src/adapters/sql/driver-errors.js';
import { ConflictError, StoreUnavailableError, type TenantRecord } from '../src/ports/store.js';
import { toPortcullisError } from '../src/http/errors.js';
import { createHarness, type Harness } from './support/harness.js';
import { createPostgresSchema, DATABASES } from './support/database.js';
import { freePort } from './support/tcp-proxy.js';
import { createAuditChainMac } from '../src/adapters/crypto/audit-chain-mac.js';

const auditChain = createAuditChainMac(randomBytes(32));

const tenant = (id: string): TenantRecord => ({ id, slug: 'same', domains: [], allowedOrigins: [], settings: {}, createdAt: '2026-01-01T00:00:00.000Z' });

describe.each(DATABASES)('the SQL store on $name', ({ name, available }) => {
  const run = available ? it : it.skip;
  run('rejects a second row under a unique rule with ConflictError, inside a transaction too', async () => {
    const schema = name === 'postgres' ? await createPostgresSchema() : undefined;
    const target = schema?.target ?? { kind: 'sqlite' as const, file: ':memory:' };
    const db = connectDatabase(target);
    try {
      await migrateToLatest(db, target.kind);
      const store = createSqlStore(db, target.kind, auditChain);
      await store.tenants.insert(tenant('tnt_a'));
      const direct = await store.tenants.insert(tenant('tnt_b')).catch((e: unknown) => e);
      expect(direct).toBeInstanceOf(ConflictError);
      const inTx = await store.transaction((tx) => tx.tenants.insert(tenant('tnt_c'))).catch((e: unknown) => e);
      expect(inTx).toBeInstanceOf(ConflictError);
      expect((await store.tenants.list()).map((t) => t.id)).toEqual(['tnt_a']);
    } finally {
      await db.destroy();
      await schema?.drop();
    }
  });
});

describe('an unreachable PostgreSQL', () => {
  it('fails queries and transactions with StoreUnavailableError, and ping says false', async () => {
    const port = await freePort();
    const db = connectDatabase({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/test` });
    try {
      const store = createSqlStore(db, 'postgres', auditChain);
      await expect(store.tenants.bySlug('acme')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.transaction((tx) => tx.tenants.list())).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await store.ping()).toBe(false);
    } finally {
      await db.destroy();
    }
  });
});

describe('driver error translation', () => {
  it('knows outages and unique violations of both drivers and leaves bugs alone', () => {
    expect(translateDriverError(Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'users_tenant_email' }))).toMatchObject({ name: 'ConflictError', constraint: 'users_tenant_email' });
    expect(translateDriverError(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBeInstanceOf(ConflictError);
    expect(translateDriverError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBeInstanceOf(StoreUnavailableError);
    expect(translateDriverError(new Error('Query read timeout'))).toBeInstanceOf(StoreUnavailableError);
    expect(translateDriverError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBeInstanceOf(StoreUnavailableError);
    const bug = Object.assign(new Error('syntax error'), { code: '42601' });
    expect(translateDriverError(bug)).toBe(bug);
    const fk = Object.assign(new Error('FOREIGN KEY constraint failed'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(translateDriverError(fk)).toBe(fk);
  });

  it('is mapped by http to 503 service_unavailable and 409 conflict, a raw driver error to 500', () => {
    expect(toPortcullisError(new StoreUnavailableError())).toMatchObject({ code: 'service_unavailable', status: 503, details: { retry_after_s: 5 } });
    expect(toPortcullisError(new ConflictError())).toMatchObject({ code: 'conflict', status: 409 });
    // http no longer sniffs driver codes: an untranslated one is a bug, not an outage.
    expect(toPortcullisError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'internal_error', status: 500 });
  });
});

describe('a unique rule hit over the API', () => {
  let h: Harness;
  beforeAll(async () => { h = await createHarness(); });
  afterAll(() => h.close());

  it('answers one 201 and otherwise 409 conflict to eight parallel creations of one email, never a 500', async () => {
    const token = await h.adminToken('users:write');
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.app.inject({
      method: 'POST', url: '/api/v1/users', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` },
      payload: { email: 'race@example.com', password: 'correct horse battery' },
    })));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const conflict = answers.find((a) => a.statusCode === 409)!;
    expect(conflict.json()).toEqual({ error: 'conflict', message: expect.any(String), request_id: conflict.headers['x-request-id'] });
  });
});
