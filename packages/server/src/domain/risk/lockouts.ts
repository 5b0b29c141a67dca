import type { RiskPolicy } from '@portcullis/protocol';
import type { RiskSignals } from './signals.js';
import type { LockScope, NewLock, Reason } from './reasons.js';

/** A hard limit that refuses this attempt: its scope, the wait, its audit reason and the lock it starts. */
export interface Lockout {
  scope: LockScope;
  retryAfterS: number;
  reason: Reason;
  newLock?: NewLock;
}

/**
 * Hard limits beside the score. A lock in force reports its remaining time; a counter at its
 * limit starts a new lock of `lock_s` (`block_s` for an IP). The per-IP limit is off inside a
 * trusted network (one office NAT must not lock out the office); the account limits stay on,
 * since stuffing one account from inside the network is still stuffing.
 *
 * The account-wide limit counts failures from every address, so anyone can run it up: for the
 * recognised owner it is waived into a challenge (and never starts a lock), while strangers stay
 * locked (OWASP "device cookies"; Keycloak #46164). The per account+IP limit is never waived:
 * it only ever locks the address the guesses come from.
 */
export function findLockouts(signals: RiskSignals, lockout: RiskPolicy['lockout'], now: number): { lockouts: Lockout[]; waived: Reason[] } {
  const { counts, locks } = signals;
  const rules: { scope: LockScope; until?: number; count?: number; limit: number; window_s: number; lock_s: number }[] = [
    { scope: 'account_ip', until: locks.accountIpUntil, count: counts?.lockoutAccountIp, ...lockout.account_ip },
    { scope: 'account', until: locks.accountUntil, count: counts?.lockoutAccount, ...lockout.account },
    ...(signals.trustedNetwork ? [] : [{ scope: 'ip' as const, until: locks.ipUntil, count: counts?.lockoutIp, ...lockout.ip, lock_s: lockout.ip.block_s }]),
  ];
  const waived: Reason[] = [];
  const lockouts = rules.flatMap((rule): Lockout[] => {
    const scope = rule.scope;
    const code = `lockout.${scope}` as const;
    const locked = rule.until !== undefined && rule.until > now;
    const reached = rule.count !== undefined && rule.count >= rule.limit;
    if (scope === 'account' && signals.owner !== undefined && (locked || reached)) {
      waived.push({
        code: 'lockout.account_waived', owner: signals.owner, limit: rule.limit, window_s: rule.window_s,
        ...(rule.count !== undefined ? { count: rule.count } : {}), ...(locked ? { locked_until: rule.until } : {}),
      });
      return [];
    }
    if (locked) {
      const retryAfterS = Math.max(1, Math.ceil((rule.until! - now) / 1000));
      return [{ scope, retryAfterS, reason: { code, locked_until: rule.until!, retry_after_s: retryAfterS } }];
    }
    if (reached) {
      const reason: Reason = { code, count: rule.count!, limit: rule.limit, window_s: rule.window_s, retry_after_s: rule.lock_s };
      return [{ scope, retryAfterS: rule.lock_s, reason, newLock: { scope, until: now + rule.lock_s * 1000 } }];
    }
    return [];
  });
  return { lockouts, waived };
}
