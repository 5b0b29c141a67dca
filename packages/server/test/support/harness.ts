import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { compose, type ComposeOverrides } from '../../src/compose.js';
import { buildApp } from '../../src/http/app.js';
import { createTenant } from '../../src/services/tenants.js';
import { createUser } from '../../src/services/users.js';
import type { Deps } from '../../src/services/deps.js';
import type { SqlTarget } from '../../src/adapters/sql/connect.js';
import { createPostgresSchema } from './database.js';
import { DESKTOP_CHROME_SIGNALS } from '../../src/domain/risk/device-confidence.js';

/** What the SDK sends from an ordinary desktop Chrome: confidence 1, so the engine has nothing to say. */
export const HUMAN_DEVICE = { visitor_id: 'vis_test', signals: DESKTOP_CHROME_SIGNALS };

/** Cloudflare's documented always-pass test keys: enough for a tenant that must be able to challenge. */
export const TURNSTILE_TEST_CAPTCHA = { provider: 'turnstile', site_key: '1x00000000000000000000AA', secret: '1x0000000000000000000000000000000AA' };

/** A clock that moves only when a test says so. */
export function frozenClock(start = Date.parse('2026-11-24T10:00:00.000Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; }, set: (ms: number) => { now = ms; } };
}

export interface Harness {
  app: FastifyInstance;
  deps: Deps;
  clock: ReturnType<typeof frozenClock>;
  tenant: { id: string; slug: string };
  admin: { client_id: string; client_secret: string };
  /** A management token for the tenant's admin application. */
  adminToken(scope?: string): Promise<string>;
  createUser(email: string, password: string, options?: { disabled?: boolean }): Promise<{ id: string }>;
  /** Signs in; a body without `device` gets {@link HUMAN_DEVICE} (pass `device: undefined` explicitly for none). */
  login(body: Record<string, unknown>, headers?: Record<string, string>, remoteAddress?: string): Promise<LightMyRequestResponse>;
  /** A management call with a fresh all-scopes admin token. */
  api(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** PUT /api/v1/risk/policy; throws unless 200. */
  setPolicy(policy: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  database?: 'sqlite' | 'postgres';
  overrides?: Omit<ComposeOverrides, 'clock' | 'database'>;
  slug?: string;
}

/** Builds the whole app in-process on a throwaway database with a frozen clock (STYLE rule 9). */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  const pgSchema = options.database === 'postgres' ? await createPostgresSchema() : undefined;
  const database: SqlTarget = pgSchema?.target ?? { kind: 'sqlite', file: ':memory:' };
  const config = loadConfig({ PORTCULLIS_DATA_DIR: dataDir, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent', ...options.env });
  const clock = frozenClock();
  const { deps, close } = await compose(config, { clock, database, ...options.overrides });
  const app = await buildApp(deps);
  const created = await createTenant(deps, { slug: options.slug ?? 'acme' });
  const tenantHeader = { 'x-tenant': created.tenant.slug };
  const harness: Harness = {
    app, deps, clock, tenant: created.tenant, admin: created.application,
    async adminToken(scope) {
      const res = await app.inject({
        method: 'POST', url: '/oauth2/token', headers: { ...tenantHeader, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: created.application.client_id, client_secret: created.application.client_secret, ...(scope ? { scope } : {}) }).toString(),
      });
      if (res.statusCode !== 200) throw new Error(`admin token: ${res.statusCode} ${res.body}`);
      return res.json<{ access_token: string }>().access_token;
    },
    async createUser(email, password, opts = {}) {
      const tenant = (await deps.store.tenants.bySlug(created.tenant.slug))!;
      return createUser(deps, { tenant }, { kind: 'operator', id: null }, { email, password, disabled: opts.disabled });
    },
    login: (body, headers = {}, remoteAddress) => app.inject({
      method: 'POST', url: '/api/v1/auth/login', headers: { ...tenantHeader, ...headers }, ...(remoteAddress ? { remoteAddress } : {}),
      payload: 'device' in body ? JSON.parse(JSON.stringify(body)) : { ...body, device: HUMAN_DEVICE },
    }),
    async api(method, url, payload, headers = {}) {
      const token = await harness.adminToken();
      return app.inject({ method, url, headers: { ...tenantHeader, authorization: `Bearer ${token}`, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
    },
    async setPolicy(policy) {
      const res = await harness.api('PUT', '/api/v1/risk/policy', policy);
      if (res.statusCode !== 200) throw new Error(`set policy: ${res.statusCode} ${res.body}`);
      return res.json().data;
    },
    async close() {
      await app.close();
      await close();
      await pgSchema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
