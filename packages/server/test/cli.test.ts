import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { HUMAN_DEVICE } from './support/harness.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'packages/server/dist/cli.js');
const ALL_SCOPES = ['users:read', 'users:write', 'applications:read', 'applications:write', 'risk:read', 'risk:write', 'audit:read'];

/** The caller's environment without anything Portcullis would read, so the tests see only what they set. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(PORTCULLIS_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|NODE_ENV$)/.test(k)) env[k] = v;
  }
  return { ...env, NODE_ENV: 'test', PORTCULLIS_LOG_LEVEL: 'silent', ...extra };
}

describe('the portcullis CLI', () => {
  let dataDir: string;
  const cli = (args: string[], env: Record<string, string> = {}) => {
    const res = spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv({ PORTCULLIS_DATA_DIR: dataDir, ...env }), encoding: 'utf8', timeout: 30_000 });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
  };
  const json = (args: string[]) => {
    const res = cli([...args, '--json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    return JSON.parse(res.stdout);
  };

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  }, 150_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates a tenant and prints its admin application with every management scope', () => {
    const out = json(['tenant', 'create', 'shop', '--domain', 'shop.example', '--domain', 'www.shop.example']);
    expect(out).toEqual({
      tenant: { id: expect.stringMatching(/^tnt_[0-9A-Z]{26}$/), slug: 'shop' },
      application: { client_id: expect.stringMatching(/^app_[0-9A-Z]{26}$/), client_secret: expect.stringMatching(/^pcs_[A-Za-z0-9_-]{43}$/), scopes: ALL_SCOPES },
    });
  });

  it('refuses a duplicate slug with a clear message and a non-zero exit', () => {
    const text = cli(['tenant', 'create', 'shop']);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toBe('portcullis: Tenant shop already exists.\n');
    const asJson = cli(['tenant', 'create', 'shop', '--json']);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stderr)).toEqual({ error: 'conflict', message: 'Tenant shop already exists.' });
    const badSlug = cli(['tenant', 'create', 'Bad_Slug']);
    expect(badSlug.code).toBe(1);
    expect(badSlug.stderr).toBe('portcullis: The request is malformed or fails validation.\n  - slug: must be lowercase letters, digits and dashes\n');
  });

  it('creates a user with a normalised email, generating a password only when none is given', () => {
    const given = json(['user', 'create', '--tenant', 'shop', '--email', 'A@B.co', '--password', 'a long enough password']);
    expect(given).toEqual({ user: { id: expect.stringMatching(/^usr_/), email: 'a@b.co', disabled: false, roles: [], created_at: expect.any(String), updated_at: expect.any(String) } });
    const generated = json(['user', 'create', '--tenant', 'shop', '--email', 'gen@b.co']);
    expect(generated.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const duplicate = cli(['user', 'create', '--tenant', 'shop', '--email', 'a@B.CO', '--password', 'another password']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe('portcullis: A user with this email already exists.\n');
    const noTenant = cli(['user', 'create', '--tenant', 'nope', '--email', 'x@y.co']);
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toBe('portcullis: No tenant nope.\n');
    const noEmail = cli(['user', 'create', '--tenant', 'shop']);
    expect(noEmail.stderr).toBe('portcullis: --email <e> is required\n');
  });

  it('creates an application with exactly the scopes asked for, and names an unknown one', () => {
    const out = json(['app', 'create', '--tenant', 'shop', '--name', 'ci', '--scopes', 'users:read audit:read']);
    expect(out).toEqual({
      application: {
        id: expect.stringMatching(/^app_/), client_id: out.application.id, name: 'ci', scopes: ['users:read', 'audit:read'], token_ttl_s: 3600,
        created_at: expect.any(String), secret_rotated_at: null, previous_secret_expires_at: null, client_secret: expect.stringMatching(/^pcs_/),
      },
    });
    const bad = cli(['app', 'create', '--tenant', 'shop', '--name', 'typo', '--scopes', 'users:read users:reed']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('portcullis: The request is malformed or fails validation.\n  - scopes.1: unknown scope users:reed\n');
  });

  it('verifies every audit chain, and says where one is broken', () => {
    const ok = cli(['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {6}shop: \d+ events, chain intact\n$/);
    const report = json(['audit', 'verify', '--tenant', 'shop']);
    expect(report).toEqual({ ok: true, tenants: [{ tenantId: expect.stringMatching(/^tnt_/), events: expect.any(Number), ok: true, slug: 'shop' }] });
    // tenant.created and application.created (Admin), two user.created, one application.created (ci).
    expect(report.tenants[0].events).toBe(5);

    const db = new Sqlite(join(dataDir, 'portcullis.db'));
    try {
      db.prepare("update audit_events set data = '{}' where seq = 3").run();
    } finally {
      db.close();
    }
    const broken = cli(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^BROKEN {2}shop: at seq 3 \(evt_[0-9A-Z]{26}\): hash does not match the entry\n$/);
  });

  it('prints an empty outbox', () => {
    expect(json(['outbox'])).toEqual({ messages: [] });
    expect(cli(['outbox']).stdout).toBe('outbox is empty\n');
  });

  it('reports every bad setting at once and exits 78', () => {
    const res = cli(['outbox'], { PORT: 'abc', PORTCULLIS_NOPE: '1' });
    expect(res.code).toBe(78);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('invalid configuration');
    expect(res.stderr).toMatch(/PORTCULLIS_NOPE: unknown setting/);
    expect(res.stderr).toMatch(/PORT: .*\(got "abc"\)/);
    const asJson = cli(['outbox', '--json'], { PORT: 'abc', PORTCULLIS_NOPE: '1' });
    expect(asJson.code).toBe(78);
    expect(JSON.parse(asJson.stderr).error).toBe('invalid_configuration');
  });

  it('prints usage for --help, and fails on no command, an unknown command or flag', () => {
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: portcullis <command>/);
    for (const command of ['start', 'migrate', 'tenant create', 'user create', 'app create', 'outbox', 'audit verify']) expect(help.stdout).toContain(command);
    expect(cli(['-h']).stdout).toBe(help.stdout);
    const none = cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe(help.stdout);
    const unknown = cli(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^portcullis: unknown command: frobnicate/);
    const flag = cli(['outbox', '--colour']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/--colour/);
    expect(flag.stderr).not.toMatch(/\n\s+at /);
  });

  it('migrates an existing database as a no-op', () => {
    expect(cli(['migrate'])).toEqual({ code: 0, stdout: 'database is up to date\n', stderr: '' });
  });
});

describe('portcullis start', () => {
  let dataDir: string;
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-start-'));
  }, 150_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('seeds and prints demo credentials that sign in over real HTTP, then exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: cleanEnv({ PORTCULLIS_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!/client_secret pcs_\S+/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(stdout, stderr).toMatch(/Portcullis is running at http:\/\/127\.0\.0\.1:\d+ \(sqlite, data in /);
      const address = /running at (http:\/\/127\.0\.0\.1:(\d+))/.exec(stdout)!;
      expect(Number(address[2])).toBeGreaterThan(0);
      const [, email, password] = /demo user: +(\S+) \/ (\S+)/.exec(stdout)!;
      expect(email).toBe('demo@example.com');
      expect(stdout).toMatch(/admin app: +client_id app_[0-9A-Z]{26}/);

      const res = await fetch(`${address[1]}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, device: HUMAN_DEVICE }),
      });
      const body = await res.json() as { data: { state: string; session: { id: string } } };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^req_/);
      expect(body.data.state).toBe('success');
      expect(body.data.session.id).toMatch(/^ses_/);
      const health = await fetch(`${address[1]}/readyz`);
      expect(await health.json()).toEqual({ ready: true, checks: { database: true } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
