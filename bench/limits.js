// The brute-force limit held across two server processes on PostgreSQL + Redis: parallel wrong
// passwords for one account spread over both; how many reached the password check ÷ the limit.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { HUMAN_DEVICE } from './lib.js';

const CLI = new URL('../packages/server/dist/cli.js', import.meta.url).pathname;
const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 10;

export async function run() {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const dirs = [];
  const children = [];
  try {
    const env = {
      ...process.env, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'error', PORTCULLIS_CAPTCHA_EMULATOR: 'off',
      DATABASE_URL: `${PG}${PG.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`, REDIS_URL: REDIS,
      PORTCULLIS_MASTER_KEY: randomBytes(32).toString('base64'), PORTCULLIS_PUBLIC_URL: 'http://bench.invalid',
    };
    const cli = (args, extra = {}) => JSON.parse(execFileSync('node', [CLI, ...args, '--json'], { env: { ...env, ...extra, PORTCULLIS_DATA_DIR: mkdtempSync(join(tmpdir(), 'pc-cli-')) } }).toString());
    const tenant = cli(['tenant', 'create', 'limits']);
    cli(['user', 'create', '--tenant', 'limits', '--email', 'target@bench.example', '--password', 'the real password']);
    const ports = [39101 + Math.floor(Math.random() * 500), 39701 + Math.floor(Math.random() * 500)];
    for (const port of ports) {
      const dir = mkdtempSync(join(tmpdir(), 'pc-inst-'));
      dirs.push(dir);
      children.push(spawn('node', [CLI, 'start'], { env: { ...env, PORT: String(port), PORTCULLIS_DATA_DIR: dir }, stdio: 'ignore' }));
    }
    for (const port of ports) await waitReady(port);
    const base = (i) => `http://127.0.0.1:${ports[i % 2]}`;
    const token = await (await fetch(`${base(0)}/oauth2/token`, { method: 'POST', headers: { 'x-tenant': 'limits', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: tenant.application.client_id, client_secret: tenant.application.client_secret }) })).json();
    // Only the account+IP hard limit counts here: the score rules are switched off.
    await fetch(`${base(0)}/api/v1/risk/policy`, { method: 'PUT', headers: { 'x-tenant': 'limits', 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` }, body: JSON.stringify({ rules: { ip_failures: { points: 0 }, account_failures: { points: 0 } } }) });
    await new Promise((r) => setTimeout(r, 5200)); // the other instance's tenant cache (5 s)
    const answers = await Promise.all(Array.from({ length: LIMIT * 10 }, (_, i) => fetch(`${base(i)}/api/v1/auth/login`, {
      method: 'POST', headers: { 'x-tenant': 'limits', 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'target@bench.example', password: `guess ${i}`, device: HUMAN_DEVICE }),
    }).then((r) => r.json())));
    const accepted = answers.filter((a) => a.error === 'invalid_credentials').length;
    const locked = answers.filter((a) => a.error === 'account_locked').length;
    return [{
      name: 'wrong passwords reaching the hash across two processes ÷ the limit',
      value: accepted, unit: 'attempts', baseline: LIMIT, baselineUnit: 'limit', ratio: accepted / LIMIT, goal: '= 1.00',
      note: `${LIMIT * 10} parallel attempts over 2 instances: ${accepted} checked, ${locked} account_locked`,
    }];
  } finally {
    for (const child of children) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

async function waitReady(port) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`instance on ${port} never became ready`);
}
