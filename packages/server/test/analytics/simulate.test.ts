import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptRow } from '../../src/ports/attempts.js';
import { createHarness, type Harness } from '../support/harness.js';
import { recorded } from './support.js';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const zero = { ipFailures: 0, accountFailures: 0, lockoutAccountIp: 0, lockoutAccount: 0, lockoutIp: 0 };

describe('POST /api/v1/risk/policy/simulate on a constructed history', () => {
  let h: Harness;
  const vpnHumans: string[] = [];
  beforeAll(async () => {
    h = await createHarness();
    const t = h.tenant.id;
    const insert = (row: Omit<AttemptRow, 'id'>) => h.deps.store.attempts.insert(row);
    // Six people behind the office VPN: challenged at 30, solved the captcha, signed in.
    for (let i = 0; i < 6; i++) {
      vpnHumans.push(await insert(recorded(t, {
        ip: `203.0.113.${10 + i}`, outcome: 'success', score: 30, action: 'challenge', ipHits: [{ feed: 'x4bnet-vpn', category: 'vpn' }],
        reasons: [{ code: 'ip.vpn', points: 30, feed: 'x4bnet-vpn' }], challenge: 'captcha', challengeResult: 'passed',
      })));
    }
    // Five people on clean addresses, let through.
    for (let i = 0; i < 5; i++) await insert(recorded(t, { ip: `192.0.2.${i + 1}`, outcome: 'success' }));
    // Four headless browsers from a datacenter: challenged at 70, failed the captcha.
    for (let i = 0; i < 4; i++) {
      await insert(recorded(t, {
        ip: `198.51.100.${i + 1}`, outcome: 'captcha_failed', score: 70, action: 'challenge', deviceConfidence: 0.05, ipHits: [{ feed: 'dc', category: 'datacenter' }],
        reasons: [{ code: 'ip.datacenter', points: 30, feed: 'dc' }, { code: 'device.low_confidence', points: 40, confidence: 0.05, below: 0.3 }],
        challenge: 'captcha', challengeResult: 'failed',
      }));
    }
    // Two stuffing attempts from a hammered address: a captcha farm solved the challenge, the password was wrong.
    for (let i = 0; i < 2; i++) {
      await insert(recorded(t, {
        ip: '198.51.100.99', outcome: 'invalid_credentials', counts: { ...zero, ipFailures: 7, lockoutIp: 7 }, score: 40, action: 'challenge',
        reasons: [{ code: 'ip.failures', points: 40, count: 7, limit: 5, window_s: 900 }], challenge: 'captcha', challengeResult: 'passed',
      }));
    }
    // Outside the default 7-day window: never replayed.
    await insert(recorded(t, { ip: '192.0.2.200', outcome: 'success', occurredMs: T0 - 8 * 86_400_000 }));
  });
  afterAll(async () => { await h.close(); });

  const simulate = async (body: unknown) => h.api('POST', '/api/v1/risk/policy/simulate', body);

  it('raising the challenge threshold un-challenges exactly the six VPN humans and no bot', async () => {
    const before = (await h.api('GET', '/api/v1/risk/policy')).json();
    const res = await simulate({ policy: { thresholds: { challenge: 35, deny: 90 } } });
    expect(res.statusCode).toBe(200);
    const { data, meta } = res.json();
    expect(data).toEqual({
      attempts: 17,
      current: { allow: 5, challenge: 12, deny: 0 },
      candidate: { allow: 11, challenge: 6, deny: 0 },
      changed: { newly_allowed: 6, newly_challenged: 0, newly_denied: 0 },
      humans: { total: 11, newly_challenged: 0, newly_denied: 0 },
      suspects: { total: 6, newly_allowed: 0 },
      by_reason: [
        { code: 'ip.vpn', current: 6, candidate: 6 },
        { code: 'ip.datacenter', current: 4, candidate: 4 },
        { code: 'ip.failures', current: 2, candidate: 2 },
        { code: 'device.low_confidence', current: 4, candidate: 4 },
      ],
      samples: expect.any(Array),
    });
    expect([...data.samples].sort()).toEqual([...vpnHumans].sort());
    expect(meta).toEqual({ since: '2026-11-17T10:00:00.000Z', until: '2026-11-24T10:00:00.000Z', truncated: false });
    // A simulation never applies anything.
    expect((await h.api('GET', '/api/v1/risk/policy')).json()).toEqual(before);
  });

  it('trusting the VPN network switches ip.vpn off for it, and harsher device points deny the bots', async () => {
    const trust = (await simulate({ policy: { trusted_networks: ['203.0.113.0/24'] } })).json().data;
    expect(trust.changed).toEqual({ newly_allowed: 6, newly_challenged: 0, newly_denied: 0 });
    expect(trust.by_reason.find((r: { code: string }) => r.code === 'ip.vpn')).toEqual({ code: 'ip.vpn', current: 6, candidate: 0 });

    const harsh = (await simulate({ policy: { thresholds: { challenge: 30, deny: 90 }, rules: { device_low_confidence: { below: 0.3, points: 60 } } } })).json().data;
    expect(harsh.changed).toEqual({ newly_allowed: 0, newly_challenged: 0, newly_denied: 4 });
    expect(harsh.humans).toEqual({ total: 11, newly_challenged: 0, newly_denied: 0 });

    const always = (await simulate({ policy: { captcha: { on_every_login: true } } })).json().data;
    expect(always.changed.newly_challenged).toBe(5);
    expect(always.humans.newly_challenged).toBe(5);
    expect(always.by_reason).toContainEqual({ code: 'tenant.captcha_always', current: 0, candidate: 17 });
  });

  it('validates the candidate like PUT, and bounds the window', async () => {
    const bad = await simulate({ policy: { thresholds: { challenge: 500 }, rules: { nonsense: 1 } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['policy.rules.nonsense', 'policy.thresholds.challenge']);
    for (const body of [{ policy: {}, since: '2026-01-01T00:00:00Z' }, { policy: {}, since: '2026-11-24T11:00:00Z', until: '2026-11-24T10:00:00Z' }, { policy: 'x' }, {}]) {
      const res = await simulate(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    }
    const wide = (await simulate({ policy: {}, since: '2026-11-01T00:00:00Z' })).json();
    expect(wide.data.attempts).toBe(18);
  });
});
