import { createHash } from 'node:crypto';
import type { RiskPolicy } from '@portcullis/protocol';
import type { CounterHit } from '../../ports/counters.js';
import { counterKey } from '../../domain/ip/address.js';

/**
 * The keys one attempt is counted under. Emails are hashed (counter stores and lock rows never
 * hold addresses) and IPv6 clients are keyed on their /64, since one host holds the whole prefix.
 */
export interface Subjects {
  account: string;
  ip: string;
  accountIp: string;
}

export function accountSubject(tenantId: string, email: string): string {
  return createHash('sha256').update(`${tenantId}\n${email}`).digest('base64url').slice(0, 22);
}

export function subjectsFor(tenantId: string, email: string, ip: string): Subjects {
  const account = accountSubject(tenantId, email);
  const ipKey = counterKey(ip) ?? ip;
  return { account, ip: ipKey, accountIp: `${account}|${ipKey}` };
}

/**
 * The five failure counters of DESIGN §7, each over its policy window, in `FailureCounts` order.
 * The window is part of the key, so a tenant that changes a window starts clean counts for it.
 */
export function counterHits(tenantId: string, s: Subjects, policy: RiskPolicy): CounterHit[] {
  const w = (seconds: number) => seconds * 1000;
  return [
    { key: `f:${tenantId}:ipf:${policy.rules.ip_failures.window_s}:${s.ip}`, windowMs: w(policy.rules.ip_failures.window_s) },
    { key: `f:${tenantId}:af:${policy.rules.account_failures.window_s}:${s.account}`, windowMs: w(policy.rules.account_failures.window_s) },
    { key: `f:${tenantId}:lai:${policy.lockout.account_ip.window_s}:${s.accountIp}`, windowMs: w(policy.lockout.account_ip.window_s) },
    { key: `f:${tenantId}:la:${policy.lockout.account.window_s}:${s.account}`, windowMs: w(policy.lockout.account.window_s) },
    { key: `f:${tenantId}:li:${policy.lockout.ip.window_s}:${s.ip}`, windowMs: w(policy.lockout.ip.window_s) },
  ];
}

/** Lock rows, by scope, for one attempt. */
export function lockSubjects(s: Subjects) {
  return [
    { scope: 'account_ip', subject: s.accountIp },
    { scope: 'account', subject: s.account },
    { scope: 'ip', subject: s.ip },
  ] as const;
}
