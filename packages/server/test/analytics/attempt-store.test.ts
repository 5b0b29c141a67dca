import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import { pruneAttempts, startAttemptPruning } from '../../src/services/risk/attempt-retention.js';
import { DATABASES, openTestStore, requirePostgresInCi } from '../support/database.js';
import { frozenClock } from '../support/harness.js';
import { recorded } from './support.js';

requirePostgresInCi();


const openStore = openTestStore;

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const settlement = { outcome: 'success', challenge: 'captcha' as const, challengeId: null, challengeResult: 'passed' as const, captchaResult: 'passed', captchaLatencyMs: 12 };

for (const { name, available } of DATABASES) {
  const suite = available ? describe : describe.skip;
  suite(`decision-log store contract on ${name}${available ? '' : ' (TEST_DATABASE_URL not set)'}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await openStore(name));
      await store.tenants.insert({ id: 'tnt_a', slug: 'alpha', domains: [], allowedOrigins: [], settings: {}, createdAt: 'x' });
      await store.users.insert({ id: 'usr_a', tenantId: 'tnt_a', email: 'anita@example.com', passwordHash: null, disabled: false, createdAt: 'x', updatedAt: 'x' });
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it('round-trips every recorded signal and fills user_id from the tenant users', async () => {
      const row = recorded('tnt_a', {
        ip: '203.0.113.7', email: 'anita@example.com', outcome: 'captcha_required', occurredMs: T0, visitorId: 'vis_1', score: 70, action: 'challenge',
        reasons: [{ code: 'ip.vpn', points: 30, feed: 'x4bnet-vpn' }, { code: 'device.low_confidence', points: 40, confidence: 0.126, below: 0.3 }],
        ipHits: [{ feed: 'x4bnet-vpn', category: 'vpn', weight: 30 }], counts: { ipFailures: 1, accountFailures: 2, lockoutAccountIp: 3, lockoutAccount: 4, lockoutIp: 5 },
        locks: { accountUntil: T0 + 60_000 }, deviceConfidence: 0.126, deviceFactors: ['canvas.blocked'], challenge: 'captcha',
      });
      const id = await store.attempts.insert(row);
      expect(await store.attempts.get('tnt_a', id)).toEqual({ ...row, id, userId: 'usr_a' });
      expect(await store.attempts.get('tnt_b', id)).toBeUndefined();
      const [replayed] = await store.attempts.replay('tnt_a', T0, T0 + 1, 10);
      expect(replayed).toEqual({ id, occurredMs: T0, ip: row.ip, action: 'challenge', outcome: 'captcha_required', reasonCodes: ['ip.vpn', 'device.low_confidence'],
        ipHits: row.ipHits, counts: row.counts, locks: row.locks, deviceConfidence: 0.126 });
    });

    it('settles a waiting captcha attempt for exactly one of ten parallel claimants, and only its own client', async () => {
      const id = await store.attempts.insert(recorded('tnt_a', { ip: '192.0.2.1', email: 'race@example.com', visitorId: null, outcome: 'captcha_required', occurredMs: T0 }));
      const match = { email: 'race@example.com', ip: '192.0.2.1', visitorId: null, sinceMs: T0 - 300_000 };
      expect(await store.attempts.settleCaptcha('tnt_a', { ...match, ip: '192.0.2.2' }, settlement, T0)).toBeUndefined();
      expect(await store.attempts.settleCaptcha('tnt_a', { ...match, visitorId: 'vis_x' }, settlement, T0)).toBeUndefined();
      expect(await store.attempts.settleCaptcha('tnt_a', { ...match, sinceMs: T0 + 1 }, settlement, T0)).toBeUndefined();
      const claims = await Promise.all(Array.from({ length: 10 }, () => store.transaction((tx) => tx.attempts.settleCaptcha('tnt_a', match, settlement, T0))));
      expect(claims.filter((c) => c === id)).toHaveLength(1);
      expect(claims.filter((c) => c === undefined)).toHaveLength(9);
      expect(await store.attempts.get('tnt_a', id)).toMatchObject({ outcome: 'success', challengeResult: 'passed', captchaLatencyMs: 12 });
    });

    it('moves an email-code attempt on, and a passed one stays passed', async () => {
      const id = await store.attempts.insert(recorded('tnt_a', { ip: '192.0.2.3', outcome: 'email_otp_required', challenge: 'email_otp', challengeId: 'chl_1', occurredMs: T0 }));
      expect(await store.attempts.settleEmailOtp('tnt_a', 'chl_1', false, T0)).toBe(true);
      expect((await store.attempts.get('tnt_a', id))?.outcome).toBe('email_otp_failed');
      expect(await store.attempts.settleEmailOtp('tnt_b', 'chl_1', true, T0)).toBe(false);
      expect(await store.attempts.settleEmailOtp('tnt_a', 'chl_1', true, T0)).toBe(true);
      expect(await store.attempts.settleEmailOtp('tnt_a', 'chl_1', false, T0)).toBe(false);
      expect(await store.attempts.get('tnt_a', id)).toMatchObject({ outcome: 'email_otp_passed', challengeResult: 'passed' });
    });

    it('groups by bucket and finds latency quantiles by nearest rank', async () => {
      for (const [offset, latency] of [[0, 10], [1000, 20], [3_600_000, 30], [3_601_000, 400]] as const) {
        await store.attempts.insert(recorded('tnt_q', { ip: '192.0.2.9', outcome: 'success', occurredMs: T0 + offset, captchaResult: 'passed', captchaLatencyMs: latency }));
      }
      const groups = await store.attempts.groups('tnt_q', T0, T0 + 2 * 3_600_000, 3_600_000);
      expect(groups.map((g) => [g.bucket, g.count])).toEqual(expect.arrayContaining([[0, 2], [1, 2]]));
      expect(await store.attempts.latencyQuantile('tnt_q', T0, T0 + 7_200_000, 0.5)).toBe(20);
      expect(await store.attempts.latencyQuantile('tnt_q', T0, T0 + 7_200_000, 0.99)).toBe(400);
      expect(await store.attempts.latencyQuantile('tnt_none', T0, T0 + 7_200_000, 0.5)).toBeNull();
    });

    it('prunes attempts past the retention in batches on a frozen clock, every tenant, nothing newer', async () => {
      const clock = frozenClock(T0);
      const old = [];
      for (let i = 0; i < 7; i++) old.push(await store.attempts.insert(recorded(i % 2 ? 'tnt_p1' : 'tnt_p2', { ip: '192.0.2.50', outcome: 'success', occurredMs: T0 - 31 * DAY - i })));
      const young = await store.attempts.insert(recorded('tnt_p1', { ip: '192.0.2.50', outcome: 'success', occurredMs: T0 - 29 * DAY }));
      const prune = vi.spyOn(store.attempts, 'prune');
      // Retention ends before T0 - 30 days: the rows of the earlier tests (at T0 and later) stay too.
      expect(await pruneAttempts(store.attempts, clock, 30, 3)).toBe(7);
      expect(prune.mock.calls.map((c) => c[1])).toEqual([3, 3, 3]);
      for (const [i, id] of old.entries()) expect(await store.attempts.get(i % 2 ? 'tnt_p1' : 'tnt_p2', id)).toBeUndefined();
      expect(await store.attempts.get('tnt_p1', young)).toBeDefined();
      clock.advance(2 * DAY);
      expect(await pruneAttempts(store.attempts, clock, 30)).toBe(1);
      prune.mockRestore();
    });
  });
}

describe('the pruning timer', () => {
  it('prunes at start and then on every interval, never overlapping, and stops', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      let release: () => void = () => {};
      const stop = startAttemptPruning(() => { calls += 1; return new Promise<void>((r) => { release = r; }); }, 1000);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(1); // the first is still running: no second prune piles up
      release();
      await vi.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(2);
      release();
      await stop();
      await vi.advanceTimersByTimeAsync(5000);
      expect(calls).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
