import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, HUMAN_DEVICE, TURNSTILE_TEST_CAPTCHA, type Harness } from '../support/harness.js';

const ATTACKER = '198.51.100.23';

describe('the risk engine in front of the password', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.createUser('anita@example.com', 'correct horse battery');
    await h.setPolicy({ captcha: TURNSTILE_TEST_CAPTCHA });
  });
  afterAll(() => h.close());

  it('challenges an API client without device data before hashing anything', async () => {
    const before = h.deps.hasher.verifications;
    const res = await h.login({ email: 'anita@example.com', password: 'correct horse battery', device: undefined });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: 'captcha_required', message: 'Please complete the human verification.',
      details: { provider: 'turnstile', site_key: '1x00000000000000000000AA', action: 'login' }, request_id: res.headers['x-request-id'],
    });
    expect(h.deps.hasher.verifications).toBe(before);
    const [required] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.required', limit: 1 });
    expect(required?.context['risk']).toMatchObject({ action: 'challenge', score: 40, reasons: [{ code: 'device.low_confidence', points: 40, confidence: 0, below: 0.3 }] });
  });

  it('challenges a headless browser (webdriver) and never reveals reasons to the client', async () => {
    const res = await h.login({ email: 'anita@example.com', password: 'x', device: { signals: { ...HUMAN_DEVICE.signals, webdriver: true } } });
    expect(res.json().error).toBe('captcha_required');
    expect(res.body).not.toContain('device');
  });

  it('challenges after five failures from one IP across accounts, and not before', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await h.login({ email: `victim${i}@example.com`, password: 'guess' }, {}, ATTACKER);
      expect(r.json().error).toBe('invalid_credentials');
    }
    const sixth = await h.login({ email: 'victim9@example.com', password: 'guess' }, {}, ATTACKER);
    expect(sixth.json().error).toBe('captcha_required');
    const [event] = await h.deps.store.audit.list(h.tenant.id, { type: 'captcha.required', limit: 1 });
    expect((event?.context['risk'] as { reasons: unknown[] }).reasons).toEqual([{ code: 'ip.failures', points: 40, count: 5, limit: 5, window_s: 900 }]);
  });

  it('still counts a rotating spoofed X-Forwarded-For against the socket address', async () => {
    const ip = '198.51.100.99';
    for (let i = 0; i < 5; i++) await h.login({ email: `spoof${i}@example.com`, password: 'guess' }, { 'x-forwarded-for': `10.0.0.${i}` }, ip);
    const next = await h.login({ email: 'spoof9@example.com', password: 'guess' }, { 'x-forwarded-for': '10.9.9.9' }, ip);
    expect(next.json().error).toBe('captcha_required');
  });

  it('shares one counter across a /64 and maps IPv4-mapped IPv6 to IPv4', async () => {
    await h.login({ email: 'six@example.com', password: 'guess' }, {}, '2001:db8:1:2::1');
    await h.login({ email: 'six@example.com', password: 'guess' }, {}, '2001:db8:1:2:ffff::9');
    await h.login({ email: 'six@example.com', password: 'guess' }, {}, '::ffff:192.0.2.77');
    const v6 = (await h.api('GET', '/api/v1/risk/ips/2001:db8:1:2::abcd')).json().data;
    expect(v6).toMatchObject({ counter_key: '2001:db8:1:2::/64', failures: { window: 2, window_s: 900 } });
    const v4 = (await h.api('GET', '/api/v1/risk/ips/192.0.2.77')).json().data;
    expect(v4).toMatchObject({ ip: '192.0.2.77', failures: { window: 1 } });
  });

  it('lets many people behind one office address sign in at the same moment', async () => {
    const office = '192.0.2.240';
    await Promise.all(Array.from({ length: 12 }, (_, i) => h.createUser(`staff${i}@example.com`, 'office passphrase')));
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => h.login({ email: `staff${i}@example.com`, password: 'office passphrase' }, {}, office)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(200));
  });

  it('counts unknown emails exactly like known ones', async () => {
    const known = '203.0.113.1';
    const unknown = '203.0.113.2';
    const answers = async (email: string, ip: string) => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push((await h.login({ email, password: 'wrong' }, {}, ip)).json().error);
      return out;
    };
    expect(await answers('anita@example.com', known)).toEqual(await answers('ghost@example.com', unknown));
  });
});
