import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '@portcullis/protocol';
import type { RiskPolicy } from '@portcullis/protocol';
import { evaluateRisk } from '../../src/domain/risk/evaluate.js';
import type { FailureCounts, RiskSignals } from '../../src/domain/risk/signals.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const ZERO: FailureCounts = { ipFailures: 0, accountFailures: 0, lockoutAccountIp: 0, lockoutAccount: 0, lockoutIp: 0 };

function policy(input: unknown = {}): RiskPolicy {
  const result = resolvePolicy(input);
  if (!result.ok) throw new Error(JSON.stringify(result.fields));
  return result.policy;
}

function signals(overrides: Partial<Omit<RiskSignals, 'counts'>> & { counts?: Partial<FailureCounts> | null } = {}): RiskSignals {
  const { counts, ...rest } = overrides;
  return {
    ip: '203.0.113.7', ipHits: [], trustedNetwork: false, locks: {}, deviceConfidence: 1, ...rest,
    counts: counts === null ? null : { ...ZERO, ...counts },
  };
}

const evaluate = (s: RiskSignals, p: RiskPolicy = policy()) => evaluateRisk(s, p, NOW);

describe('evaluateRisk: the score', () => {
  it('allows a clean attempt with no reasons', () => {
    expect(evaluate(signals())).toEqual({ action: 'allow', newLocks: [], score: 0, reasons: [], enforced: true });
  });

  it('challenges a datacenter IP', () => {
    expect(evaluate(signals({ ipHits: [{ feed: 'x4b', category: 'datacenter' }] }))).toEqual({
      action: 'challenge', newLocks: [], score: 30, reasons: [{ code: 'ip.datacenter', points: 30, feed: 'x4b' }], enforced: true,
    });
  });

  it.each([
    ['known_bot', 50], ['tor', 40], ['vpn', 30], ['proxy', 30], ['datacenter', 30],
  ] as const)('scores an IP in a %s feed at the policy default of %i points', (category, points) => {
    const d = evaluate(signals({ ipHits: [{ feed: 'f', category }] }));
    expect(d.reasons).toEqual([{ code: `ip.${category}`, points, feed: 'f' }]);
    expect([d.score, d.action]).toEqual([points, 'challenge']);
  });

  it('lets a feed weight replace the category points, and refuses at the deny threshold', () => {
    const d = evaluate(signals({ ipHits: [{ feed: 'spamhaus-drop', category: 'known_bot', weight: 90 }] }));
    expect(d.reasons).toEqual([{ code: 'ip.known_bot', points: 90, feed: 'spamhaus-drop' }]);
    expect([d.score, d.action, d.deny]).toEqual([90, 'deny', { code: 'sign_in_denied' }]);
  });

  it('gives one reason per category, from the strongest feed', () => {
    const d = evaluate(signals({ ipHits: [
      { feed: 'x4b', category: 'datacenter' }, { feed: 'cloud-ranges', category: 'datacenter', weight: 45 },
      { feed: 'aaa', category: 'datacenter', weight: 10 },
    ] }));
    expect(d.reasons).toEqual([{ code: 'ip.datacenter', points: 45, feed: 'cloud-ranges' }]);
  });

  it('lets a tenant switch a category off with 0 points, whatever the feed weight', () => {
    const d = evaluate(signals({ ipHits: [{ feed: 'cloud', category: 'datacenter', weight: 60 }] }),
      policy({ rules: { ip_categories: { datacenter: 0 } } }));
    expect([d.action, d.score, d.reasons]).toEqual(['allow', 0, []]);
  });

  it('challenges after five failures from one IP across accounts', () => {
    expect(evaluate(signals({ counts: { ipFailures: 4 } })).action).toBe('allow');
    const d = evaluate(signals({ counts: { ipFailures: 6 } }));
    expect(d.reasons).toEqual([{ code: 'ip.failures', points: 40, count: 6, limit: 5, window_s: 900 }]);
    expect(d.action).toBe('challenge');
  });

  it('challenges after three failures for one account', () => {
    const d = evaluate(signals({ counts: { accountFailures: 3 } }));
    expect(d.reasons).toEqual([{ code: 'account.failures', points: 40, count: 3, limit: 3, window_s: 900 }]);
    expect(d.action).toBe('challenge');
  });

  it('challenges a device with low confidence, and not one at the threshold', () => {
    const d = evaluate(signals({ deviceConfidence: 0.1 }));
    expect(d.reasons).toEqual([{ code: 'device.low_confidence', points: 40, confidence: 0.1, below: 0.3 }]);
    expect(d.action).toBe('challenge');
    expect(evaluate(signals({ deviceConfidence: 0.3 })).reasons).toEqual([]);
  });

  it('challenges, not refuses, two medium signals: five failures from the address and no device data (40 + 40)', () => {
    const d = evaluate(signals({ counts: { ipFailures: 5 }, deviceConfidence: 0 }));
    expect(d).toEqual({
      action: 'challenge', newLocks: [], score: 80, enforced: true,
      reasons: [
        { code: 'ip.failures', points: 40, count: 5, limit: 5, window_s: 900 },
        { code: 'device.low_confidence', points: 40, confidence: 0, below: 0.3 },
      ],
    });
    expect(evaluate(signals({ counts: { ipFailures: 5, accountFailures: 3 } })).action).toBe('challenge');
  });

  it('sums every reason and caps the score at 100', () => {
    const d = evaluate(signals({ ipHits: [{ feed: 'a', category: 'known_bot' }, { feed: 'b', category: 'tor' }], deviceConfidence: 0 }));
    expect(d.reasons.map((r) => r.code)).toEqual(['ip.known_bot', 'ip.tor', 'device.low_confidence']);
    expect(d.score).toBe(100);
  });

  it('follows tuned thresholds and switches a rule off at 0 points', () => {
    const p = policy({ thresholds: { challenge: 50, deny: 60 }, rules: { account_failures: { points: 0 } } });
    expect(evaluate(signals({ ipHits: [{ feed: 'f', category: 'vpn' }], counts: { accountFailures: 9 } }), p))
      .toMatchObject({ action: 'allow', score: 30, reasons: [{ code: 'ip.vpn', points: 30, feed: 'f' }] });
    expect(evaluate(signals({ ipHits: [{ feed: 'f', category: 'known_bot' }] }), p).action).toBe('challenge');
    expect(evaluate(signals({ ipHits: [{ feed: 'f', category: 'known_bot' }, { feed: 'f', category: 'vpn' }] }), p).action).toBe('deny');
  });
});

describe('evaluateRisk: a deny that rests on counters says when to come back', () => {
  const ALL_THREE = { counts: { ipFailures: 5, accountFailures: 3 }, deviceConfidence: 0 };

  it('answers the seconds until the first counter to reset takes the score below the threshold', () => {
    const d = evaluate(signals({ ...ALL_THREE, countersResetAt: { ipFailures: NOW + 300_000, accountFailures: NOW + 600_000 } }));
    expect([d.score, d.action, d.deny]).toEqual([100, 'deny', { code: 'sign_in_denied', retryAfterS: 300 }]);
    const later = evaluate(signals({ ...ALL_THREE, countersResetAt: { ipFailures: NOW + 600_000, accountFailures: NOW + 120_400 } }));
    expect(later.deny).toEqual({ code: 'sign_in_denied', retryAfterS: 121 });
  });

  it('waits for as many counters as the score needs to lose', () => {
    const p = policy({ thresholds: { challenge: 20, deny: 50 } });
    const d = evaluate(signals({
      ipHits: [{ feed: 'f', category: 'vpn' }], counts: { ipFailures: 5, accountFailures: 3 },
      countersResetAt: { ipFailures: NOW + 100_000, accountFailures: NOW + 200_000 },
    }), p);
    expect([d.score, d.deny]).toEqual([100, { code: 'sign_in_denied', retryAfterS: 200 }]);
  });

  it('takes a counter the store gave no window for as running its whole policy window', () => {
    expect(evaluate(signals(ALL_THREE)).deny).toEqual({ code: 'sign_in_denied', retryAfterS: 900 });
  });

  it('gives no retry time when the rest of the score refuses on its own', () => {
    const d = evaluate(signals({ ipHits: [{ feed: 'f', category: 'known_bot' }], deviceConfidence: 0, counts: { ipFailures: 5 }, countersResetAt: { ipFailures: NOW + 1000 } }));
    expect([d.score, d.deny]).toEqual([100, { code: 'sign_in_denied' }]);
  });
});

describe('evaluateRisk: the account-wide limit cannot lock out its recognised owner', () => {
  it('challenges the owner from a recognised device or address instead of locking, and starts no lock', () => {
    for (const owner of ['device', 'address'] as const) {
      expect(evaluate(signals({ counts: { lockoutAccount: 50 }, owner }))).toEqual({
        action: 'challenge', newLocks: [], score: 0, enforced: true,
        reasons: [{ code: 'lockout.account_waived', owner, limit: 50, window_s: 86400, count: 50 }],
      });
    }
    const locked = evaluate(signals({ counts: { lockoutAccount: 3 }, locks: { accountUntil: NOW + 60_000 }, owner: 'device' }));
    expect([locked.action, locked.reasons]).toEqual(['challenge', [{ code: 'lockout.account_waived', owner: 'device', limit: 50, window_s: 86400, count: 3, locked_until: NOW + 60_000 }]]);
  });

  it('still locks a stranger, and never waives the lock on the account from one address', () => {
    expect(evaluate(signals({ locks: { accountUntil: NOW + 60_000 } })).deny).toEqual({ code: 'account_locked', retryAfterS: 60 });
    const d = evaluate(signals({ counts: { lockoutAccountIp: 10, lockoutAccount: 50 }, owner: 'address' }));
    expect([d.deny, d.newLocks]).toEqual([{ code: 'account_locked', retryAfterS: 900 }, [{ scope: 'account_ip', until: NOW + 900_000 }]]);
    expect(d.reasons.map((r) => r.code)).toEqual(['lockout.account_waived', 'lockout.account_ip']);
  });
});

describe('evaluateRisk: hard limits beside the score', () => {
  it('refuses after ten failures for one account from one IP with retry_after 900 s', () => {
    expect(evaluate(signals({ counts: { lockoutAccountIp: 10 } }))).toEqual({
      action: 'deny', deny: { code: 'account_locked', retryAfterS: 900 },
      newLocks: [{ scope: 'account_ip', until: NOW + 900_000 }],
      score: 0, reasons: [{ code: 'lockout.account_ip', count: 10, limit: 10, window_s: 900, retry_after_s: 900 }], enforced: true,
    });
  });

  it('locks the account for an hour after 50 failures in 24 h', () => {
    const d = evaluate(signals({ counts: { lockoutAccount: 50 } }));
    expect([d.deny, d.newLocks]).toEqual([{ code: 'account_locked', retryAfterS: 3600 }, [{ scope: 'account', until: NOW + 3_600_000 }]]);
    expect(d.reasons).toEqual([{ code: 'lockout.account', count: 50, limit: 50, window_s: 86400, retry_after_s: 3600 }]);
  });

  it('rate-limits an IP for an hour after 100 failures in 24 h', () => {
    const d = evaluate(signals({ counts: { lockoutIp: 100 } }));
    expect([d.action, d.deny]).toEqual(['deny', { code: 'rate_limited', retryAfterS: 3600 }]);
    expect(d.reasons).toEqual([{ code: 'lockout.ip', count: 100, limit: 100, window_s: 86400, retry_after_s: 3600 }]);
  });

  it('does not lock one failure short of the limit', () => {
    expect(evaluate(signals({ counts: { lockoutAccountIp: 9, lockoutAccount: 49, lockoutIp: 99 } })).action).toBe('allow');
  });

  it.each([
    ['account from one IP', { accountIpUntil: NOW + 120_500 }, 'lockout.account_ip', 'account_locked'],
    ['account', { accountUntil: NOW + 120_500 }, 'lockout.account', 'account_locked'],
    ['IP', { ipUntil: NOW + 120_500 }, 'lockout.ip', 'rate_limited'],
  ] as const)('refuses while a lock on the %s is in force, with the seconds left rounded up', (_name, locks, code, deny) => {
    const d = evaluate(signals({ locks }));
    expect([d.deny, d.newLocks]).toEqual([{ code: deny, retryAfterS: 121 }, []]);
    expect(d.reasons).toEqual([{ code, locked_until: NOW + 120_500, retry_after_s: 121 }]);
  });

  it('ignores a lock that has expired', () => {
    expect(evaluate(signals({ locks: { accountUntil: NOW, ipUntil: NOW - 1 } })).action).toBe('allow');
  });

  it('answers with the longest wait when several limits are hit, and starts every new lock', () => {
    const d = evaluate(signals({ counts: { lockoutAccountIp: 10, lockoutAccount: 50 }, locks: { ipUntil: NOW + 200_000 } }));
    expect(d.deny).toEqual({ code: 'account_locked', retryAfterS: 3600 });
    expect(d.newLocks).toEqual([{ scope: 'account_ip', until: NOW + 900_000 }, { scope: 'account', until: NOW + 3_600_000 }]);
    expect(d.reasons.map((r) => r.code)).toEqual(['lockout.account_ip', 'lockout.account', 'lockout.ip']);
  });

  it('puts a hard limit before a deny score', () => {
    const d = evaluate(signals({ ipHits: [{ feed: 'f', category: 'known_bot', weight: 100 }], counts: { lockoutIp: 100 } }));
    expect(d.deny).toEqual({ code: 'rate_limited', retryAfterS: 3600 });
  });
});

describe('evaluateRisk: trusted networks, tenant flags, faults, monitor mode', () => {
  it('a trusted network switches off ip reasons and the per-IP limits, not the account ones', () => {
    const d = evaluate(signals({
      trustedNetwork: true, ipHits: [{ feed: 'corp-vpn', category: 'vpn' }],
      counts: { ipFailures: 50, accountFailures: 3, lockoutIp: 500 }, locks: { ipUntil: NOW + 60_000 },
    }));
    expect(d).toEqual({
      action: 'challenge', newLocks: [], score: 40, enforced: true,
      reasons: [{ code: 'account.failures', points: 40, count: 3, limit: 3, window_s: 900 }],
    });
    expect(evaluate(signals({ trustedNetwork: true, counts: { lockoutAccountIp: 10 } })).deny)
      .toEqual({ code: 'account_locked', retryAfterS: 900 });
  });

  it('challenges every sign-in when the tenant wants a captcha on every login', () => {
    expect(evaluate(signals(), policy({ captcha: { on_every_login: true } })))
      .toEqual({ action: 'challenge', newLocks: [], score: 0, reasons: [{ code: 'tenant.captcha_always' }], enforced: true });
  });

  it('challenges when the counter store is unavailable: a human still gets in, a bot does not', () => {
    expect(evaluate(signals({ counts: null })))
      .toEqual({ action: 'challenge', newLocks: [], score: 0, reasons: [{ code: 'counters.unavailable' }], enforced: true });
  });

  it('still refuses without counters when the rest of the score reaches deny, and still honours locks', () => {
    const bot = evaluate(signals({ counts: null, ipHits: [{ feed: 'f', category: 'known_bot' }], deviceConfidence: 0 }));
    expect([bot.score, bot.action, bot.deny]).toEqual([90, 'deny', { code: 'sign_in_denied' }]);
    const locked = evaluate(signals({ counts: null, locks: { accountUntil: NOW + 5_000 } }));
    expect(locked.deny).toEqual({ code: 'account_locked', retryAfterS: 5 });
  });

  it('in monitor mode decides everything but enforces nothing, and says what it would have done', () => {
    expect(evaluate(signals({ counts: { lockoutAccountIp: 12 }, deviceConfidence: 0.2 }), policy({ monitor_only: true }))).toEqual({
      action: 'allow', newLocks: [], score: 40, enforced: false,
      reasons: [
        { code: 'device.low_confidence', points: 40, confidence: 0.2, below: 0.3 },
        { code: 'lockout.account_ip', count: 12, limit: 10, window_s: 900, retry_after_s: 900 },
      ],
      wouldBe: { action: 'deny', deny: { code: 'account_locked', retryAfterS: 900 }, newLocks: [{ scope: 'account_ip', until: NOW + 900_000 }] },
    });
  });

  it('in monitor mode lets a would-be challenge through', () => {
    const d = evaluate(signals({ ipHits: [{ feed: 'x4b', category: 'datacenter' }] }), policy({ monitor_only: true }));
    expect([d.action, d.enforced, d.wouldBe]).toEqual(['allow', false, { action: 'challenge', newLocks: [] }]);
  });
});
