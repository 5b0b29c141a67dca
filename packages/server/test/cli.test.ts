import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { HUMAN_DEVICE } from './support/harness.js';
import { startServer } from './support/server-process.js';
import { migrations as MIGRATIONS } from '../src/adapters/sql/migrations/index.js';

/** Every migration a new database gets, in order. */
const ALL = Object.keys(MIGRATIONS);

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'packages/server/dist/cli.js');
const ALL_SCOPES = ['users:read', 'users:write', 'applications:read', 'applications:write', 'risk:read', 'risk:write', 'audit:read', 'webhooks:read', 'webhooks:write', 'settings:read', 'settings:write'];

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
    expect(noEmail.stderr).toBe('portcullis: --email <email> is required\n');
  });

  it('creates an application with exactly the scopes asked for, and names an unknown one', () => {
    const out = json(['app', 'create', '--tenant', 'shop', '--name', 'ci', '--scopes', 'users:read audit:read']);
    expect(out).toEqual({
      application: {
        id: expect.stringMatching(/^app_/), client_id: out.application.id, name: 'ci', scopes: ['users:read', 'audit:read'], token_ttl_s: 3600,
        created_at: expect.any(String), secret_rotated_at: null, previous_secret_expires_at: null, client_secret: expect.stringMatching(/^pcs_/),
        type: 'machine', redirect_uris: [], post_logout_redirect_uris: [],
      },
    });
    const bad = cli(['app', 'create', '--tenant', 'shop', '--name', 'typo', '--scopes', 'users:read users:reed']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('portcullis: The request is malformed or fails validation.\n  - scopes.1: unknown scope users:reed\n'
      + `valid scopes: ${ALL_SCOPES.join(' ')}\n`);
  });

  it('refuses what the API refuses: a password under 8 characters, an empty name', () => {
    const short = cli(['user', 'create', '--tenant', 'shop', '--email', 'short@b.co', '--password', 'x']);
    expect(short).toEqual({ code: 1, stdout: '', stderr: 'portcullis: The request is malformed or fails validation.\n  - password: must NOT have fewer than 8 characters\n' });
    const asJson = cli(['user', 'create', '--tenant', 'shop', '--email', 'short@b.co', '--password', 'x', '--json']);
    expect(JSON.parse(asJson.stderr)).toEqual({
      error: 'invalid_request', message: 'The request is malformed or fails validation.',
      details: { fields: [{ path: 'password', message: 'must NOT have fewer than 8 characters' }] },
    });
    const noName = cli(['app', 'create', '--tenant', 'shop', '--name', '', '--scopes', 'users:read']);
    expect(noName.stderr).toBe('portcullis: The request is malformed or fails validation.\n  - name: must NOT have fewer than 1 characters\n');
    // Nothing was created on the way: the audit chain test below counts exactly the events before this one.
  });

  it('verifies every audit chain, and says where one is broken', () => {
    const ok = cli(['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {6}shop: \d+ events, chain intact\n$/);
    const report = json(['audit', 'verify', '--tenant', 'shop']);
    expect(report).toEqual({ ok: true, tenants: [{ tenant_id: expect.stringMatching(/^tnt_/), events: expect.any(Number), ok: true, slug: 'shop' }] });
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
    expect(cli(['migrate'])).toEqual({ code: 0, stdout: 'database is up to date (no migration to apply)\n', stderr: '' });
    expect(json(['migrate'])).toEqual({ ok: true, applied: [] });
  });

  it('lists the migrations it applied to a new database', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'portcullis-migrate-'));
    try {
      const res = cli(['migrate'], { PORTCULLIS_DATA_DIR: fresh });
      expect(ALL.slice(0, 3)).toEqual(['0001-initial', '0002-risk', '0003-email-otp']);
      expect(res).toEqual({ code: 0, stdout: `applied ${ALL.length} migrations:\n${ALL.map((m) => `  ${m}\n`).join('')}`, stderr: '' });
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('answers --help per command and --version', () => {
    const help = cli(['user', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe([
      'Usage: portcullis user create --tenant <slug> --email <email> [--password <password>] [--admin]', '',
      'create a user (the same rules as POST /api/v1/users)', 'Without --password a password is generated and printed once.', '',
      'Options:',
      '  --tenant <slug>             the tenant, by slug (required)',
      '  --email <email>             the user\'s email (required)',
      '  --password <password>       at least 8 characters',
      '  --admin                     the user may run the tenant\'s console (every management scope)',
      '  --json                      print one JSON document (for scripts)',
      '  --help                      show this help', '',
    ].join('\n'));
    expect(cli(['help', 'user', 'create']).stdout).toBe(help.stdout);
    expect(cli(['app', 'create', '-h']).stdout).toContain(`space-separated, from: ${ALL_SCOPES.join(' ')}`);
    const version = cli(['--version']);
    expect(version).toEqual({ code: 0, stdout: `portcullis ${JSON.parse(readFileSync(join(ROOT, 'packages/server/package.json'), 'utf8')).version}\n`, stderr: '' });
  });
});

describe('the portcullis CLI before any data exists', () => {
  // A typo must not leave a ./data (a dev master key, an empty database) in whatever directory it was typed in.
  let cwd: string;
  beforeAll(() => { cwd = mkdtempSync(join(tmpdir(), 'portcullis-cwd-')); });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const run = (args: string[]) => {
    const res = spawnSync(process.execPath, [CLI, ...args], { cwd, env: cleanEnv({}), encoding: 'utf8', timeout: 30_000 });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
  };

  it.each([
    [['help'], 0, /^Usage: portcullis <command>/, ''],
    [['help', 'migrate'], 0, /^Usage: portcullis migrate\n/, ''],
    [['migrate', '--help'], 0, /^Usage: portcullis migrate\n/, ''],
    [['--version'], 0, /^portcullis \d+\.\d+\.\d+\n$/, ''],
    [['frobnicate'], 1, /^$/, 'portcullis: unknown command: frobnicate (portcullis help lists the commands)\n'],
    [['help', 'frobnicate'], 1, /^$/, 'portcullis: unknown command: frobnicate (portcullis help lists the commands)\n'],
    [['user', 'create', '--tenant', 'shop'], 1, /^$/, 'portcullis: --email <email> is required\n'],
    [['tenant', 'create'], 1, /^$/, 'portcullis: missing <slug>\nusage: portcullis tenant create <slug> [--domain <host>]… [--origin <scheme://host[:port]>]…\n'],
    [['tenant', 'create', 'a', 'b'], 1, /^$/, 'portcullis: unexpected argument b\nusage: portcullis tenant create <slug> [--domain <host>]… [--origin <scheme://host[:port]>]…\n'],
    [['outbox', '--colour'], 1, /^$/, 'portcullis: unknown option --colour for outbox (portcullis outbox --help lists its options)\n'],
  ] as const)('answers %j and creates no data dir', (args, code, stdout, stderr) => {
    const res = run([...args]);
    expect(res.code).toBe(code);
    expect(res.stdout).toMatch(stdout);
    expect(res.stderr).toBe(stderr);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('portcullis start', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    dir = mkdtempSync(join(tmpdir(), 'portcullis-start-'));
  }, 150_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds and prints demo credentials that sign in over real HTTP, then exits 0 on SIGTERM', async () => {
    const server = await startServer({ dataDir: join(dir, 'data'), env: { PORTCULLIS_LOG_LEVEL: 'info' } });
    try {
      const output = server.output();
      // The banner is for the person at the terminal: it comes before the first JSON log line.
      expect(output.split('\n').find((l) => l.trim() !== '')).toBe(`Portcullis is running at ${server.origin} (sqlite, data in ${join(dir, 'data')})`);
      const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; migrations?: string[] });
      expect(lines[0]?.msg).toBe(`Server listening at ${server.origin}`);
      expect(lines.find((l) => l.migrations)).toMatchObject({
        msg: `applied ${ALL.length} database migrations: ${ALL.join(', ')}`, migrations: ALL,
      });
      const [, email, password] = /demo user: +(\S+) \/ (\S+)/.exec(output)!;
      expect(email).toBe('demo@example.com');
      expect(output).toMatch(/admin app: +client_id app_[0-9A-Z]{26}/);

      const res = await fetch(`${server.origin}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, device: HUMAN_DEVICE }),
      });
      const body = await res.json() as { data: { state: string; session: { id: string } } };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^req_/);
      expect(body.data.state).toBe('success');
      expect(body.data.session.id).toMatch(/^ses_/);
      const health = await fetch(`${server.origin}/readyz`);
      expect(await health.json()).toEqual({ ready: true, checks: { database: true } });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);
});
