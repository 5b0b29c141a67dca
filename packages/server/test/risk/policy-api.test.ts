import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RISK_POLICY } from '@portcullis/protocol';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness, TURNSTILE_TEST_CAPTCHA, type Harness } from '../support/harness.js';
import { createRedisCounters } from '../../src/adapters/redis/redis-counters.js';

const X4B_DATACENTER = fileURLToPath(new URL('../../../../test-data/ip-lists/x4bnet/datacenter-ipv4.txt', import.meta.url));

describe('risk policy, feeds and insight API', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('reads the default policy with the secret write-only (a new tenant starts on altcha, DESIGN §16)', async () => {
    h = await createHarness();
    const res = await h.api('GET', '/api/v1/risk/policy');
    const { secret, ...captcha } = DEFAULT_RISK_POLICY.captcha;
    expect(secret).toBeNull();
    expect(res.json().data).toEqual({ ...DEFAULT_RISK_POLICY, captcha: { ...captcha, provider: 'altcha', secret_set: false } });
  });

  it('fills a partial PUT with defaults, keeps the secret sealed and audits the change', async () => {
    h = await createHarness();
    const data = await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA, thresholds: { challenge: 40 } });
    expect(data).toMatchObject({ thresholds: { challenge: 40, deny: 90 }, captcha: { provider: 'turnstile', secret_set: true, timeout_ms: 3000 } });
    expect(JSON.stringify(data)).not.toContain(TURNSTILE_TEST_CAPTCHA.secret);
    const stored = JSON.stringify((await h.deps.store.tenants.bySlug('acme'))!.settings);
    expect(stored).not.toContain(TURNSTILE_TEST_CAPTCHA.secret);
    // A round trip of what GET shows must not wipe the secret.
    const again = await h.setPolicy((await h.api('GET', '/api/v1/risk/policy')).json().data);
    expect(again.captcha).toMatchObject({ secret_set: true });
    const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'risk.policy_updated', limit: 1 });
    expect(JSON.stringify(event)).not.toContain(TURNSTILE_TEST_CAPTCHA.secret);
  });

  it('reports every bad field at once', async () => {
    h = await createHarness();
    const res = await h.api('PUT', '/api/v1/risk/policy', { thresholds: { challenge: 90, deny: 50 }, rules: { ip_failures: { limit: -1 } }, trusted_networks: ['nope'], extra: 1 });
    expect(res.statusCode).toBe(400);
    const paths = res.json().details.fields.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['extra', 'rules.ip_failures.limit', 'trusted_networks.0']));
    expect(paths.some((p: string) => p.startsWith('thresholds'))).toBe(true);
  });

  it('needs risk:write to change and risk:read to read', async () => {
    h = await createHarness();
    const token = await h.adminToken('users:read');
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/risk/policy', headers: { 'x-tenant': 'acme', authorization: `Bearer ${token}` } });
    expect(res.json()).toMatchObject({ error: 'forbidden', details: { required_scopes: ['risk:read'] } });
  });

  it('monitor_only decides and audits but never enforces', async () => {
    h = await createHarness();
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA, monitor_only: true });
    const res = await h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined });
    expect(res.statusCode).toBe(200);
    const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'user.signed_in', limit: 1 });
    expect(event?.context['risk']).toMatchObject({ action: 'monitor:challenge', score: 40 });
  });

  it('trusted networks switch off IP reasons; trusted proxies make X-Forwarded-For count', async () => {
    h = await createHarness({ env: { PORTCULLIS_TRUSTED_PROXIES: '10.0.0.0/8' } });
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA, trusted_networks: ['192.0.2.0/24'] });
    for (let i = 0; i < 6; i++) await h.login({ email: `x${i}@example.com`, password: 'nope' }, { 'x-forwarded-for': '192.0.2.9' }, '10.1.1.1');
    const office = await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, { 'x-forwarded-for': '192.0.2.9' }, '10.1.1.1');
    expect(office.statusCode).toBe(200);
    expect((await h.api('GET', '/api/v1/risk/ips/192.0.2.9')).json().data).toMatchObject({ trusted: true, failures: { window: 6 } });
    for (let i = 0; i < 6; i++) await h.login({ email: `y${i}@example.com`, password: 'nope' }, { 'x-forwarded-for': '198.51.100.5' }, '10.1.1.1');
    const outside = await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, { 'x-forwarded-for': '198.51.100.5' }, '10.1.1.1');
    expect(outside.json().error).toBe('captcha_required');
  });

  it('challenges everyone while the counter store is down and audits it once', async () => {
    h = await createHarness({ overrides: { counters: createRedisCounters({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200, connectTimeoutMs: 200 }) } });
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA });
    for (let i = 0; i < 3; i++) {
      expect((await h.login({ email: 'anita@example.com', password: 'correct horse battery' })).json().error).toBe('captcha_required');
    }
    const outages = await h.deps.store.audit.list(h.tenant.id, { type: 'security.counter_store_unavailable', limit: 10 });
    expect(outages).toHaveLength(1);
    const [required] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.required', limit: 1 });
    expect((required?.context['risk'] as { reasons: Array<{ code: string }> }).reasons.map((r) => r.code)).toContain('counters.unavailable');
  });

  it('adds a text feed from the feed directory and challenges its addresses; refuses paths outside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feeds-'));
    writeFileSync(join(dir, 'bots.txt'), '# known bots\n203.0.113.0/24\n2001:db8:bad::/48\n');
    h = await createHarness({ env: { PORTCULLIS_FEED_DIR: dir } });
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA });
    const outside = await h.api('POST', '/api/v1/risk/feeds', { name: 'etc', category: 'known_bot', format: 'text', source: { path: '../../etc/passwd' } });
    expect(outside.statusCode).toBe(400);
    const created = await h.api('POST', '/api/v1/risk/feeds', { name: 'bots', category: 'known_bot', format: 'text', source: { path: 'bots.txt' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().data).toMatchObject({ name: 'bots', category: 'known_bot', status: { loaded: true, entries: 2 } });
    const bot = await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, {}, '203.0.113.80');
    expect(bot.json().error).toBe('captcha_required');
    expect((await h.api('GET', '/api/v1/risk/ips/2001:db8:bad::1')).json().data.feeds).toEqual([{ feed: 'bots', category: 'known_bot', weight: null }]);
    expect((await h.api('DELETE', `/api/v1/risk/feeds/${created.json().data.id}`)).statusCode).toBe(204);
    expect((await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, {}, '203.0.113.80')).statusCode).toBe(200);
  });

  it('challenges a datacenter address from a platform-wide feed of the real X4BNet list', async () => {
    h = await createHarness({ env: { PORTCULLIS_THREAT_FEEDS: JSON.stringify([{ name: 'x4b-datacenter', category: 'datacenter', format: 'text', source: { path: X4B_DATACENTER } }]) } });
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA });
    const insight = (await h.api('GET', '/api/v1/risk/ips/3.5.140.2')).json().data;
    expect(insight.feeds).toEqual([{ feed: 'x4b-datacenter', category: 'datacenter', weight: null }]);
    const res = await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, {}, '3.5.140.2');
    expect(res.json().error).toBe('captcha_required');
    expect((await h.login({ email: 'anita@example.com', password: 'correct horse battery' }, {}, '192.0.2.10')).statusCode).toBe(200);
  });
});
