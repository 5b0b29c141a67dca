import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, cleanEnv, startServer, type ServerProcess } from './support/server-process.js';
import { addressIn, ipv4Networks, planFor, demoPeople, seededRandom, personPassword, SCENARIOS } from '../src/demo/traffic-mix.js';
import { runTraffic } from '../src/demo/traffic-run.js';
import type { DemoClient } from '../src/demo/traffic-client.js';

// `portcullis demo traffic` is how a newcomer's console gets data: it runs here as a person would
// run it, against `portcullis start` on a real port, and what it drove is read back through the
// management API, not from the command's own counts.

const TRUSTING = { PORTCULLIS_TRUSTED_PROXIES: '127.0.0.1/32,::1/128' };

function runCommand(dir: string, port: number, args: string[]) {
  return spawnSync(process.execPath, [CLI, 'demo', 'traffic', ...args], {
    cwd: dir, encoding: 'utf8', timeout: 120_000, env: cleanEnv({ PORTCULLIS_DATA_DIR: join(dir, 'data'), PORT: String(port) }),
  });
}

async function adminToken(origin: string, dir: string): Promise<string> {
  const { application } = JSON.parse(readFileSync(join(dir, 'data', 'demo-credentials.json'), 'utf8')) as { application: { client_id: string; client_secret: string } };
  const r = await fetch(`${origin}/oauth2/token`, {
    method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${application.client_id}:${application.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

describe('portcullis demo traffic', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let run: ReturnType<typeof runCommand>;
  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    dir = mkdtempSync(join(tmpdir(), 'portcullis-traffic-'));
    server = await startServer({ dataDir: join(dir, 'data'), cwd: dir, env: TRUSTING });
    run = runCommand(dir, server.port, ['--seconds', '5', '--json']);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drives people and bots whose attempts the decision log records as allowed, challenged and denied', async () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, any>;
    expect(out).toMatchObject({ ok: true, tenant: 'demo', seconds: 5, feeds_added: ['x4bnet-vpn', 'x4bnet-datacenter'], users_created: 30, outage: { from_s: 2, to_s: 2.5 } });
    expect(Object.keys(out['by_scenario'])).toEqual([...SCENARIOS]);
    expect(out['visits']).toBeGreaterThanOrEqual(SCENARIOS.length);

    const token = await adminToken(server!.origin, dir);
    const get = async (path: string) => {
      const r = await fetch(`${server!.origin}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      return ((await r.json()) as { data: any }).data;
    };
    const stats = await get('/api/v1/risk/stats?bucket=hour');
    const sum = (k: string) => (stats.buckets as Array<Record<string, number>>).reduce((n, b) => n + b[k]!, 0);
    for (const k of ['attempts', 'allowed', 'challenged', 'denied', 'captcha_passed', 'succeeded']) expect(sum(k), k).toBeGreaterThan(0);
    const datacenter = (stats.reasons as Array<{ code: string; fired: number }>).find((r) => r.code === 'ip.datacenter');
    expect(datacenter?.fired).toBeGreaterThan(0);
    expect(sum('attempts')).toBe(out['server'].attempts);

    for (const action of ['allow', 'challenge', 'deny']) expect(await get(`/api/v1/risk/attempts?action=${action}&limit=1`), action).toHaveLength(1);
    // A solved challenge and the sign-in it let through are one attempt: challenged, captcha passed, then signed in.
    const challenged = await get('/api/v1/risk/attempts?action=challenge&outcome=success&limit=200') as Array<Record<string, any>>;
    expect(challenged.filter((a) => a['challenge']?.result === 'passed' && a['outcome'] === 'success').length).toBeGreaterThan(0);
    const [fromDatacenter] = await get('/api/v1/risk/attempts?reason=ip.datacenter&limit=1') as Array<Record<string, any>>;
    expect(fromDatacenter!['signals'].ip_categories).toContainEqual(expect.objectContaining({ feed: 'x4bnet-datacenter', category: 'datacenter' }));
    // The office sits behind one X4BNet VPN address, which the log shows as the client address.
    const vpn = await get('/api/v1/risk/attempts?reason=ip.vpn&limit=200') as Array<Record<string, any>>;
    // People carry a browser (a visitor id); the stuffing and solving bots that try office accounts from datacenter
    // addresses (some of which X4BNet also lists as VPN) carry none.
    const office = vpn.filter((a) => /\.office@demo\.example$/.test(a['email']) && a['visitor_id']);
    expect(office.length).toBeGreaterThan(0);
    expect(new Set(office.map((a) => a['ip'])).size).toBe(1);
    expect(office[0]!['signals'].ip_categories).toContainEqual(expect.objectContaining({ feed: 'x4bnet-vpn', category: 'vpn' }));
    // The provider outage reached the server: verifications that found it unreachable.
    expect(((await get('/api/v1/risk/stats?bucket=hour')).provider as { unreachable: number }).unreachable).toBeGreaterThan(0);
  });

  it('leaves the emulated provider up, and a second run reuses the feeds and users it made', async () => {
    const state = async () => ((await (await fetch(`${server!.origin}/__captcha/__emulator/state`)).json()) as { modes: Record<string, string> }).modes;
    expect((await state())['turnstile']).toBe('ok');
    // A run shorter than the outage's start still switches the provider back when it ends.
    const again = runCommand(dir, server!.port, ['--seconds', '1', '--json']);
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, feeds_added: [], users_created: 0 });
    expect((await state())['turnstile']).toBe('ok');
  }, 60_000);

  it('refuses a tenant whose captcha is no emulator, and stops before any traffic, saying what to set, when the server does not believe X-Forwarded-For', async () => {
    const other = mkdtempSync(join(tmpdir(), 'portcullis-traffic-'));
    const plain = await startServer({ dataDir: join(other, 'data'), cwd: other });
    try {
      // First aimed at a tenant whose captcha is not an emulator (a vendor's URL has the same shape):
      // refused before anything is created on the tenant.
      const token = await adminToken(plain.origin, other);
      const api = (method: string, path: string, body?: unknown) => fetch(`${plain.origin}${path}`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data: any } }));
      const policy = (await api('GET', '/api/v1/risk/policy')).body.data;
      const vendorLike = { ...policy, captcha: { ...policy.captcha, verify_url: `${plain.origin}/vendor/turnstile/v0/siteverify` } };
      expect((await api('PUT', '/api/v1/risk/policy', vendorLike)).status).toBe(200);
      const notEmulator = runCommand(other, plain.port, ['--seconds', '1']);
      expect(notEmulator.status).toBe(1);
      expect(notEmulator.stderr).toBe(`portcullis: no captcha emulator answers at ${plain.origin}/vendor/__emulator/state: demo traffic only runs against the demo setup of \`portcullis start\` (never a tenant on a real provider)\n`);
      expect((await api('GET', '/api/v1/risk/feeds')).body.data).toEqual([]);
      expect((await api('GET', '/api/v1/users?limit=100')).body.data.map((u: { email: string }) => u.email)).toEqual(['demo@example.com', 'admin@example.com']);
      expect((await api('PUT', '/api/v1/risk/policy', policy)).status).toBe(200);

      const refused = runCommand(other, plain.port, ['--seconds', '1']);
      expect(refused.status).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('the server saw this machine\'s address (127.0.0.1)');
      expect(refused.stderr).toContain('PORTCULLIS_TRUSTED_PROXIES=127.0.0.1/32,::1/128 npm start');
    } finally {
      await plain.stop();
      rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses bad flags before reaching any server', () => {
    expect(runCommand(dir, 1, ['--seconds', '0']).stderr).toBe('portcullis: --seconds 0: must be a whole number from 1 to 3600\n');
    expect(runCommand(dir, 1, ['--seconds', '2.5']).status).toBe(1);
    expect(runCommand(dir, 1, ['--url', 'ftp://example.com']).stderr).toBe('portcullis: --url ftp://example.com: must be an http(s) URL\n');
  });
});

describe('the demo traffic mix', () => {
  const random = seededRandom(7);
  const networks = ipv4Networks('# comment\n10.1.2.0/24\n2001:db8::/32\n192.0.2.7\n');

  it('reads the IPv4 networks of a feed list and draws host addresses inside them', () => {
    expect(networks).toEqual([[0x0a010200, 256], [0xc0000207, 1]]);
    for (let i = 0; i < 200; i++) expect(addressIn(networks, random)).toMatch(/^(10\.1\.2\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])|192\.0\.2\.7)$/);
  });

  it('plans people with browser signals and their own passwords, bots without either', () => {
    const people = demoPeople('secret', networks, random);
    expect(new Set(people.office.map((p) => p.ip)).size).toBe(1);
    expect(people.home[0]!.password).toBe(personPassword('secret', 'anita.home@demo.example'));
    expect(personPassword('other secret', 'anita.home@demo.example')).not.toBe(people.home[0]!.password);
    const human = planFor('home', people, { datacenter: networks, farm: ['192.0.2.7'] }, random);
    expect(human.passwords.at(-1)).toBe(people.home.find((p) => p.email === human.email)!.password);
    expect(human.device?.signals).toMatchObject({ webdriver: false, canvas: 'stable' });
    const stuffing = planFor('stuffing', people, { datacenter: networks, farm: ['192.0.2.7'] }, random);
    expect(stuffing).toMatchObject({ onChallenge: 'give_up' });
    expect(stuffing.device).toBeUndefined();
    expect(planFor('headless', people, { datacenter: networks, farm: ['192.0.2.7'] }, random).device?.signals).toMatchObject({ webdriver: true });
    const farm = planFor('solver_farm', people, { datacenter: networks, farm: ['192.0.2.7'] }, random);
    expect(farm).toMatchObject({ ip: '192.0.2.7', onChallenge: 'solve' });
    expect(farm.passwords).toHaveLength(4);
  });

  // A fake server: every sign-in succeeds after `ms`; mode switches are recorded as they land,
  // the `http500` one slowly, as a busy emulator might answer.
  function fakeClient(options: { failAfter?: number } = {}) {
    const modes: string[] = [];
    const visitors: string[] = []; // the visitor id each sign-in carried ('bot': none)
    let logins = 0;
    const client: DemoClient = {
      async login(body) {
        visitors.push((body['device'] as { visitor_id?: string } | undefined)?.visitor_id ?? 'bot');
        await new Promise((r) => setTimeout(r, 5));
        if (options.failAfter !== undefined && ++logins > options.failAfter) throw new Error('server went away');
        return { status: 200, body: {} };
      },
      async manage() { return { status: 200, body: {} }; },
      async solvedToken() { return 'token'; },
      async providerMode(mode) {
        await new Promise((r) => setTimeout(r, mode === 'http500' ? 50 : 1));
        modes.push(mode);
      },
    };
    return { client, modes, visitors };
  }
  const people = demoPeople('secret', networks, random);

  it('takes the provider down for part of the run and leaves it up, the last switch landing last', async () => {
    const { client, modes, visitors } = fakeClient();
    const report = await runTraffic({ client, provider: 'turnstile', seconds: 1, concurrency: 2, people, datacenter: networks, random });
    // People rest between sign-ins (a typo and its retry are one visit); the bots fill the second.
    const perPerson = new Map<string, number>();
    for (const e of visitors.filter((e) => e !== 'bot')) perPerson.set(e, (perPerson.get(e) ?? 0) + 1);
    expect(Math.max(...perPerson.values())).toBeLessThanOrEqual(2);
    expect(visitors.length).toBeGreaterThan(perPerson.size * 2);
    expect(modes).toEqual(['http500', 'ok', 'ok']);
    expect(report.outage).toEqual({ from_s: 0.4, to_s: 0.5 });
    expect(report.visits).toBeGreaterThan(SCENARIOS.length);
    expect(report.outcomes['success']).toBe(report.requests);
  });

  it('never lets a slow outage switch land after the final one, even when the run ends first', async () => {
    const { client, modes } = fakeClient();
    await runTraffic({ client, provider: 'turnstile', seconds: 0.05, concurrency: 1, people, datacenter: networks, random });
    await new Promise((r) => setTimeout(r, 150)); // a switch still in flight would land now
    expect(modes.at(-1)).toBe('ok');
  });

  it('switches the provider back on when the run fails half-way', async () => {
    const { client, modes } = fakeClient({ failAfter: 40 });
    await expect(runTraffic({ client, provider: 'turnstile', seconds: 2, concurrency: 2, people, datacenter: networks, random })).rejects.toThrow('server went away');
    expect(modes.at(-1)).toBe('ok');
  });
});
