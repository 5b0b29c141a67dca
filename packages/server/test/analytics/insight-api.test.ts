import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningEmulator } from '@portcullis/captcha-emulator';
import { createHarness, type Harness } from '../support/harness.js';
import { mint, startEmulatorFor } from '../support/captcha.js';

const EMAIL = 'anita@example.com';
const PASSWORD = 'correct horse battery';
const VPN_IP = '203.0.113.7';

describe('stats and explain over real sign-ins', () => {
  let h: Harness;
  let emu: RunningEmulator;
  let dir: string;
  let userId: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-feed-'));
    writeFileSync(join(dir, 'vpn.txt'), '# office VPN exits\n203.0.113.0/24\n');
    h = await createHarness({ env: { PORTCULLIS_THREAT_FEEDS: JSON.stringify([{ name: 'x4bnet-vpn', category: 'vpn', format: 'text', source: { path: join(dir, 'vpn.txt') } }]) } });
    userId = (await h.createUser(EMAIL, PASSWORD)).id;
    emu = await startEmulatorFor(h);
  });
  afterEach(async () => {
    await h.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts attempts per bucket, the challenge funnel per reason with solve_rate, and the provider', async () => {
    for (let i = 0; i < 3; i++) await h.login({ email: EMAIL, password: 'wrong password' });
    await h.login({ email: EMAIL, password: PASSWORD });
    await h.login({ email: EMAIL, password: PASSWORD, captcha: { provider: 'turnstile', token: mint(emu) } });
    await h.login({ email: 'bot@example.com', password: 'x', device: undefined });
    await h.login({ email: 'carol@example.com', password: 'x', device: undefined, captcha: { provider: 'turnstile', token: 'forged' } });
    h.clock.advance(3_600_000);
    await h.login({ email: EMAIL, password: PASSWORD }, {}, '192.0.2.44');

    const res = await h.api('GET', '/api/v1/risk/stats?since=2026-11-24T09:30:00Z&until=2026-11-24T11:30:00Z&bucket=hour');
    expect(res.statusCode).toBe(200);
    const passed = (await h.api('GET', '/api/v1/risk/attempts?outcome=success&action=challenge')).json().data[0];
    const zero = { attempts: 0, allowed: 0, challenged: 0, denied: 0, captcha_passed: 0, captcha_failed: 0, succeeded: 0 };
    expect(res.json().data).toEqual({
      buckets: [
        { ...zero, start: '2026-11-24T09:00:00.000Z' },
        { start: '2026-11-24T10:00:00.000Z', attempts: 6, allowed: 3, challenged: 3, denied: 0, captcha_passed: 1, captcha_failed: 1, succeeded: 1 },
        { ...zero, start: '2026-11-24T11:00:00.000Z', attempts: 1, allowed: 1, succeeded: 1 },
      ],
      reasons: [
        { code: 'device.low_confidence', fired: 2, challenged: 2, passed: 0, failed: 1, solve_rate: 0 },
        { code: 'account.failures', fired: 1, challenged: 1, passed: 1, failed: 0, solve_rate: 1 },
      ],
      provider: { verifications: 2, unreachable: 0, p50_ms: passed.challenge.latency_ms, p99_ms: passed.challenge.latency_ms },
    });
  });

  it('bounds and validates the stats window', async () => {
    const cases: Array<[string, string]> = [
      ['bucket=minute&since=2026-11-20T00:00:00Z&until=2026-11-22T00:00:00Z', 'since'],
      ['since=2026-09-01T00:00:00Z&until=2026-11-01T00:00:00Z', 'since'],
      ['since=2026-11-24T10:00:00Z&until=2026-11-24T09:00:00Z', 'since'],
      ['bucket=week', 'bucket'],
      ['until=soon', 'until'],
    ];
    for (const [qs, path] of cases) {
      const res = await h.api('GET', `/api/v1/risk/stats?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().details.fields.map((f: { path: string }) => f.path), qs).toContain(path);
    }
    expect((await h.api('GET', '/api/v1/risk/stats?bucket=minute')).json().data.buckets).toHaveLength(1440);
  });

  it('explains an address in a VPN feed with a hint and a fix that works, without counting anything', async () => {
    // Challenged before the password: the VPN alone earns a captcha, so no failure is counted.
    await h.login({ email: EMAIL, password: 'wrong password' }, {}, VPN_IP);
    const explain = async () => (await h.api('GET', `/api/v1/risk/explain?ip=${VPN_IP}`)).json().data;
    const first = await explain();
    expect(first).toMatchObject({
      subject: { email: null, ip: VPN_IP },
      verdict: { action: 'challenge', score: 30, monitor_only: false, reasons: [{ code: 'ip.vpn', points: 30, feed: 'x4bnet-vpn' }] },
      signals: { ip_categories: [{ feed: 'x4bnet-vpn', category: 'vpn', weight: null }], trusted_network: false, counts: { ip_failures: 0, lockout_ip: 0, account_failures: 0 } },
      counters_available: true, locks: [], assumptions: { device_confidence: 1 },
      hints: [{ code: 'ip.vpn', hint: '203.0.113.0/24 is in the VPN feed x4bnet-vpn; if it is your corporate VPN add it to trusted_networks', fix: { trusted_networks: ['203.0.113.0/24'] } }],
    });
    expect(first.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['captcha_required']);
    // Asking again changes nothing: no counter was hit, no attempt recorded.
    expect(await explain()).toEqual(first);

    await h.setPolicy({ captcha: {}, ...first.hints[0].fix });
    expect(await explain()).toMatchObject({ verdict: { action: 'allow', score: 0, reasons: [] }, signals: { trusted_network: true }, hints: [] });
  });

  it('explains an account under failures with the unlock call, and refuses a request naming nothing', async () => {
    for (let i = 0; i < 3; i++) await h.login({ email: EMAIL, password: 'wrong password' });
    const res = await h.api('GET', '/api/v1/risk/explain?email=Anita@Example.com');
    expect(res.json().data).toMatchObject({
      subject: { email: EMAIL, ip: null },
      verdict: { action: 'challenge', score: 40, reasons: [{ code: 'account.failures', count: 3, limit: 3 }] },
      hints: [{ code: 'account.failures', hint: '3 failed sign-ins for anita@example.com in 900 s (limit 3); if the owner mistyped, unlock the account', fix: null, action: `POST /api/v1/users/${userId}/unlock` }],
    });
    expect(res.json().data.attempts).toHaveLength(3);
    for (const qs of ['', 'ip=not-an-ip', 'email=a@b.c&x=1']) {
      const bad = await h.api('GET', `/api/v1/risk/explain?${qs}`);
      expect(bad.statusCode, qs).toBe(400);
      expect(bad.json().error).toBe('invalid_request');
    }
  });
});
