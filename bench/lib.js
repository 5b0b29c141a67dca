// Shared pieces of the benchmarks: an in-process server on loopback and a keep-alive load loop.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, compose, buildApp, createTenant, createUser } from '../packages/server/dist/index.js';
import { updatePolicy } from '../packages/server/dist/services/risk/policy.js';
import { DESKTOP_CHROME_SIGNALS } from '../packages/server/dist/domain/risk/device-confidence.js';

/** Distinct accounts: parallel attempts on one account count as in-flight failures (reserved before the hash), as they should. */
export const USERS = 32;

export const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** A connection URL whose search_path is `schema`: each bench run gets tables of its own. */
export const schemaUrl = (schema) => `${PG}${PG.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;

/** Runs `work(schema, admin)` in a fresh PostgreSQL schema, dropped after. */
export async function withSchema(work) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    return await work(schema, admin);
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

/**
 * Env for benches that measure the capacity of the refusal path: the refusal budget (300 answers/s per
 * process by default, a bound chosen by policy, docs/decisions.md) would otherwise be what they measure.
 */
export const NO_REFUSAL_BUDGET = { PORTCULLIS_REFUSAL_RATE: '0' };

/** Starts Portcullis on 127.0.0.1 with a fresh SQLite file (durable commits, as in production). */
export async function startServer({ env = {}, overrides = {}, extend, policy } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const config = loadConfig({ PORTCULLIS_DATA_DIR: dataDir, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent', PORTCULLIS_HASH_QUEUE: '1000', ...env });
  const { deps, close } = await compose(config, overrides);
  const app = await buildApp(deps, { extend });
  const created = await createTenant(deps, { slug: 'bench' });
  const tenant = await deps.store.tenants.bySlug('bench');
  for (let i = 0; i < USERS; i++) await createUser(deps, { tenant }, { kind: 'operator', id: null }, { email: `user${i}@bench.example`, password: 'bench password 1' });
  if (policy) await updatePolicy(deps, { tenant, ip: 'bench', userAgent: 'bench', requestId: 'req_bench' }, { kind: 'operator', id: null }, policy);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address();
  return {
    deps, app, port, admin: created.application,
    async stop() {
      await app.close();
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends `requests` (cycled) from `concurrency` keep-alive loops for `seconds`, from a separate
 * process. Returns requests per second, latency percentiles and status counts (a benchmark that
 * silently errors is worthless, so callers check the statuses).
 */
export function load({ port, concurrency, seconds, requests }) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./load-worker.js', import.meta.url), { stdio: 'inherit' });
    child.once('message', (result) => { child.kill(); resolve(result); });
    child.once('error', reject);
    child.send({ port, concurrency, seconds, requests });
  });
}

/** Runs `work` from `concurrency` loops for `seconds`; returns operations per second. */
export async function loop({ concurrency, seconds, work }) {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await work();
      done += 1;
    }
  }));
  return done / ((performance.now() - started) / 1000);
}

export const json = (value) => JSON.stringify(value);
export const BENCH_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** What an ordinary desktop Chrome sends: the engine has nothing to say about it. */
export const HUMAN_DEVICE = { visitor_id: 'vis_bench', signals: DESKTOP_CHROME_SIGNALS };

export const TEST_CAPTCHA = { provider: 'turnstile', site_key: '1x00000000000000000000AA', secret: '1x0000000000000000000000000000000AA' };

/** A bare argon2id verify loop with the production parameters: the baseline every sign-in figure is divided by. */
export async function bareHashRate(concurrency, seconds = BENCH_SECONDS) {
  const { hash, verify } = await import('@node-rs/argon2');
  const params = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  const stored = await hash('bench password 1', params);
  return loop({ concurrency, seconds, work: () => verify(stored, 'bench password 1') });
}

export const loginRequest = (body) => ({ path: '/api/v1/auth/login', headers: { 'content-type': 'application/json', 'x-tenant': 'bench' }, body: JSON.stringify(body) });

export function onlyStatuses(result, allowed, what) {
  const bad = Object.keys(result.statuses).filter((s) => !allowed.includes(Number(s)));
  if (bad.length > 0) throw new Error(`${what} saw ${JSON.stringify(result.statuses)}`);
}

/** Valid sign-ins spread over the bench accounts. */
export const validLogins = () => Array.from({ length: USERS }, (_, i) => loginRequest({ email: `user${i}@bench.example`, password: 'bench password 1', device: HUMAN_DEVICE }));
