/**
 * Scaled-out test support: real `portcullis start` processes on one PostgreSQL schema and a
 * Redis, driven over HTTP. Every child (instance, redis-server) is tracked and killed in
 * `stopAll()` and, as a last resort, when the test worker exits: no process outlives its file.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe } from 'vitest';
import { DESKTOP_CHROME_SIGNALS } from '../../src/domain/risk/device-confidence.js';
import { freePort, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

export { freePort, startTcpProxy, type TcpProxy };

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] || undefined;
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] || undefined;

/**
 * `describe` when PostgreSQL and Redis are configured; one skipped line otherwise, and a thrown
 * error under CI, where a missing service must not turn into a silently green run.
 */
export function describeScale(name: string, body: () => void): void {
  if (TEST_DATABASE_URL && TEST_REDIS_URL) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with \`npx tsc -b\``);
    describe(name, body);
    return;
  }
  if (process.env['CI'] === 'true') throw new Error('TEST_DATABASE_URL and TEST_REDIS_URL must be set in CI: scaled-out suites may not be skipped');
  describe.skip(`${name} (needs TEST_DATABASE_URL and TEST_REDIS_URL)`, body);
}

/** What the SDK sends from an ordinary desktop browser: device confidence 1. */
export const HUMAN_DEVICE = { visitor_id: 'vis_t', signals: DESKTOP_CHROME_SIGNALS };

/** Cloudflare's documented always-pass test keys, verified by the emulator mounted on `port`. */
export function turnstileAt(port: number): Record<string, unknown> {
  return {
    provider: 'turnstile', site_key: '1x00000000000000000000AA', secret: '1x0000000000000000000000000000000AA',
    verify_url: `http://127.0.0.1:${port}/__captcha/turnstile/v0/siteverify`,
  };
}

// ---------------------------------------------------------------- children

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills every child this worker started (afterAll of every scale file). */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ''}`);
    await sleep(100);
  }
}

/** Polls `probe` until it returns something other than undefined. */
export const eventually = until;

// ---------------------------------------------------------------- HTTP

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  requestId: string | undefined;
}

/** One request on a fresh connection (no keep-alive: instances die and come back on the same port). */
export function request(url: string, options: { method?: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | undefined;
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.form) {
    payload = new URLSearchParams(options.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? (payload === undefined ? 'GET' : 'POST'), headers, agent: false, timeout: options.timeoutMs ?? 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text */ }
        const id = res.headers['x-request-id'];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, requestId: Array.isArray(id) ? id[0] : id });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// ---------------------------------------------------------------- database

export interface Schema { name: string; url: string; drop(): Promise<void> }

/** A fresh PostgreSQL schema; `url` points `search_path` at it. */
export async function createSchema(base = TEST_DATABASE_URL!): Promise<Schema> {
  const name = `scale_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  await admin(`create schema ${name}`);
  return { name, url: withSchema(base, name), drop: () => admin(`drop schema if exists ${name} cascade`) };
}

/** The database URL with `search_path` set to the schema, optionally through another host:port. */
export function withSchema(base: string, schema: string, port?: number): string {
  const url = new URL(base);
  if (port !== undefined) { url.hostname = '127.0.0.1'; url.port = String(port); }
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString().replace(/\+/g, '%20');
}

// ---------------------------------------------------------------- deployment

/** Shared settings of one scaled-out deployment: one master key, one public URL. */
export interface Deployment {
  env: Record<string, string>;
  schema: Schema;
  cli(args: string[], extraEnv?: Record<string, string>): Promise<{ code: number; json: any; stdout: string; stderr: string }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  start(options?: { redisUrl?: string; databaseUrl?: string; emulator?: boolean; env?: Record<string, string> }): Promise<Instance>;
  close(): Promise<void>;
}

export async function createDeployment(redisUrl = TEST_REDIS_URL!): Promise<Deployment> {
  const schema = await createSchema();
  const dirs: string[] = [];
  const dataDir = () => { const d = mkdtempSync(join(tmpdir(), 'portcullis-scale-')); dirs.push(d); return d; };
  const env: Record<string, string> = {
    DATABASE_URL: schema.url,
    REDIS_URL: redisUrl,
    PORTCULLIS_MASTER_KEY: randomBytes(32).toString('base64'),
    PORTCULLIS_PUBLIC_URL: 'http://portcullis.scale.test',
    NODE_ENV: 'test',
    PORTCULLIS_LOG_LEVEL: 'warn',
    PORTCULLIS_CAPTCHA_EMULATOR: 'on',
  };
  const cliDir = dataDir();
  const deployment: Deployment = {
    env, schema,
    cli(args, extraEnv = {}) {
      return new Promise((resolve) => {
        execFile(process.execPath, [CLI, ...args], { env: { ...baseEnv(), ...env, PORTCULLIS_DATA_DIR: cliDir, ...extraEnv }, timeout: 30_000 }, (error, stdout, stderr) => {
          let json: unknown;
          try { json = JSON.parse(stdout); } catch { json = undefined; }
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, json, stdout, stderr });
        });
      });
    },
    async start(options = {}) {
      const instanceEnv = {
        ...env,
        ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        ...(options.emulator === false ? { PORTCULLIS_CAPTCHA_EMULATOR: 'off' } : {}),
        ...options.env,
      };
      const instance = createInstance(instanceEnv, dataDir(), await freePort());
      await instance.start();
      return instance;
    },
    async close() {
      await stopAll();
      await schema.drop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  return deployment;
}

/** The parent's environment minus anything that would reconfigure the children. */
function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('PORTCULLIS_') || k === 'DATABASE_URL' || k === 'REDIS_URL' || k === 'PORT' || k.startsWith('VITEST') || k === 'NODE_OPTIONS') continue;
    out[k] = v;
  }
  return out;
}

export interface Instance {
  port: number;
  url: string;
  process(): ChildProcess | undefined;
  /** Output of the current and earlier runs (last 64 KiB), for failure messages. */
  logs(): string;
  start(): Promise<void>;
  /** Sends the signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  alive(): boolean;
}

function createInstance(env: Record<string, string>, dataDir: string, port: number): Instance {
  let child: ChildProcess | undefined;
  let output = '';
  const append = (chunk: Buffer) => { output = (output + chunk.toString('utf8')).slice(-65_536); };
  const url = `http://127.0.0.1:${port}`;
  const instance: Instance = {
    port, url,
    process: () => child,
    logs: () => output,
    alive: () => !!child && child.exitCode === null && child.signalCode === null,
    async start() {
      child = spawn(process.execPath, [CLI, 'start'], {
        env: { ...baseEnv(), ...env, PORTCULLIS_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      track(child);
      child.stdout!.on('data', append);
      child.stderr!.on('data', append);
      const started = child;
      await until(`instance on ${port} ready`, 20_000, async () => {
        if (started.exitCode !== null) throw new Error(`instance on ${port} exited with ${started.exitCode}:\n${output}`);
        const res = await request(`${url}/readyz`, { timeoutMs: 2000 });
        return res.status === 200 ? true : undefined;
      }).catch((error: Error) => { throw new Error(`${error.message}\n--- output ---\n${output}`); });
    },
    async kill(signal = 'SIGTERM') {
      if (child) await stopChild(child, signal);
    },
  };
  return instance;
}

// ---------------------------------------------------------------- tenants and HTTP helpers

export interface TenantHandle {
  slug: string;
  id: string;
  clientId: string;
  clientSecret: string;
}

/** `portcullis tenant create <slug> --json` and `user create` for each user, through the CLI. */
export async function createTenant(deployment: Deployment, slug: string, users: Array<{ email: string; password: string }>): Promise<TenantHandle> {
  const created = await deployment.cli(['tenant', 'create', slug, '--json']);
  if (created.code !== 0) throw new Error(`tenant create ${slug}: ${created.code} ${created.stderr}`);
  const t = created.json as { tenant: { id: string }; application: { client_id: string; client_secret: string } };
  await Promise.all(users.map(async (user) => {
    const made = await deployment.cli(['user', 'create', '--tenant', slug, '--email', user.email, '--password', user.password, '--json']);
    if (made.code !== 0) throw new Error(`user create ${user.email}: ${made.code} ${made.stderr}`);
  }));
  return { slug, id: t.tenant.id, clientId: t.application.client_id, clientSecret: t.application.client_secret };
}

export async function adminToken(base: string, tenant: TenantHandle, scope?: string): Promise<string> {
  const res = await request(`${base}/oauth2/token`, {
    headers: { 'x-tenant': tenant.slug },
    form: { grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, ...(scope ? { scope } : {}) },
  });
  if (res.status !== 200) throw new Error(`client credentials on ${base}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

/** PUT /api/v1/risk/policy with a client-credentials token; returns the effective policy. */
export async function setPolicy(base: string, tenant: TenantHandle, policy: Record<string, unknown>): Promise<Record<string, unknown>> {
  const token = await adminToken(base, tenant, 'risk:write');
  const res = await request(`${base}/api/v1/risk/policy`, { method: 'PUT', json: policy, headers: { 'x-tenant': tenant.slug, authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`set policy: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as Record<string, unknown>;
}

export function login(base: string, tenant: { slug: string }, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  return request(`${base}/api/v1/auth/login`, { json: { device: HUMAN_DEVICE, ...body }, headers: { 'x-tenant': tenant.slug, ...headers } });
}

/** A Turnstile token minted by the emulator mounted on `base`. */
export async function mintTurnstileToken(base: string, hostname = '127.0.0.1'): Promise<string> {
  const res = await request(`${base}/__captcha/__emulator/tokens`, { json: { provider: 'turnstile', sitekey: '1x00000000000000000000AA', action: 'login', hostname } });
  if (res.status !== 200 && res.status !== 201) throw new Error(`mint token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

export interface AuditRow { id: string; type: string; outcome: string; data: Record<string, unknown>; context: Record<string, unknown> }

/** Every audit event of the given type (ndjson export through the management API). */
export async function auditEvents(base: string, tenant: TenantHandle, type: string): Promise<AuditRow[]> {
  const token = await adminToken(base, tenant, 'audit:read');
  const res = await request(`${base}/api/v1/audit/events?type=${encodeURIComponent(type)}`, {
    headers: { 'x-tenant': tenant.slug, authorization: `Bearer ${token}`, accept: 'application/x-ndjson' },
  });
  if (res.status !== 200) throw new Error(`audit export: ${res.status} ${JSON.stringify(res.body)}`);
  if (typeof res.body !== 'string') return res.body === undefined ? [] : [res.body as AuditRow];
  return res.body.split('\n').filter(Boolean).map((line: string) => JSON.parse(line) as AuditRow);
}

// ---------------------------------------------------------------- our own redis-server and TCP proxy

export interface OwnRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open and nothing answers (a hung server). */
  pause(): void;
  resume(): void;
}

/** A private redis-server (never the shared one): free to FLUSHALL, stop and restart on the same port. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const own: OwnRedis = {
    port, url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
      track(child);
      const started = child;
      await until(`redis-server on ${port}`, 10_000, async () => {
        if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}`);
        return (await redisCommand(port, ['PING'])) === '+PONG' ? true : undefined;
      });
    },
    async stop() {
      if (child) await stopChild(child, 'SIGKILL');
    },
    pause: () => { child?.kill('SIGSTOP'); },
    resume: () => { child?.kill('SIGCONT'); },
  };
  await own.start();
  return own;
}

/** One RESP command on a fresh connection; returns the first reply line. */
export function redisCommand(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(2000, () => socket.destroy(new Error('redis timeout')));
    socket.on('error', reject);
    socket.on('data', (data) => { resolve(data.toString('utf8').split('\r\n')[0]!); socket.end(); });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

