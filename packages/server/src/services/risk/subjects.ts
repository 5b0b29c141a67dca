import { createHash } from 'node:crypto';
import type { RiskPolicy } from '@portcullis/protocol';
import type { CounterHit } from '../../ports/counters.js';
import type { FailureCounter, OwnerRecognition } from '../../domain/risk/signals.js';
import { counterKey } from '../../domain/ip/address.js';

/**
 * The keys one attempt is counted under. Emails and visitor ids are hashed (counter stores and
 * lock rows never hold them) and IPv6 clients are keyed on their /64, since one host holds the
 * whole prefix.
 */
export interface Subjects {
  account: string;
  ip: string;
  accountIp: string;
  /** The hashed `device.visitor_id`, when the client sent one. */
  device?: string;
}

/** The five failure counters, by name, each with its key and policy window. */
export type FailureHits = Record<FailureCounter, CounterHit>;

/** Counted on every attempt's address, when a failure lands. */
export const IP_COUNTERS: readonly FailureCounter[] = ['ipFailures', 'lockoutIp'];
/** Counted on the account, reserved before the hash (parallel guesses see distinct counts). */
export const ACCOUNT_COUNTERS: readonly FailureCounter[] = ['accountFailures', 'lockoutAccountIp', 'lockoutAccount'];

/**
 * How long a sign-in with the right password keeps its device and address recognised for the
 * account (renewed by each one): long enough to cover a holiday, short enough that a sold
 * laptop or a reassigned address stops counting as the owner's.
 */
export const RECOGNISED_FOR_MS = 30 * 86_400_000;

const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

export function accountSubject(tenantId: string, email: string): string {
  return digest(`${tenantId}\n${email}`);
}

export function subjectsFor(tenantId: string, email: string, ip: string, visitorId?: string): Subjects {
  const account = accountSubject(tenantId, email);
  const ipKey = counterKey(ip) ?? ip;
  const subjects: Subjects = { account, ip: ipKey, accountIp: `${account}|${ipKey}` };
  if (visitorId) subjects.device = digest(`${tenantId}\n${visitorId}`);
  return subjects;
}

/**
 * The five failure counters of DESIGN §7, each over its policy window, by name.
 * The window is part of the key, so a tenant that changes a window starts clean counts for it.
 */
export function counterHits(tenantId: string, s: Subjects, policy: RiskPolicy): FailureHits {
  const hit = (rule: string, windowS: number, subject: string): CounterHit => ({ key: `f:${tenantId}:${rule}:${windowS}:${subject}`, windowMs: windowS * 1000 });
  const { rules, lockout } = policy;
  return {
    ipFailures: hit('ipf', rules.ip_failures.window_s, s.ip),
    accountFailures: hit('af', rules.account_failures.window_s, s.account),
    lockoutAccountIp: hit('lai', lockout.account_ip.window_s, s.accountIp),
    lockoutAccount: hit('la', lockout.account.window_s, s.account),
    lockoutIp: hit('li', lockout.ip.window_s, s.ip),
  };
}

/** The marks a right password leaves for this account: its device (when known) and its address. */
export function recognitionKeys(tenantId: string, s: Subjects): Partial<Record<OwnerRecognition, string>> {
  return {
    ...(s.device ? { device: `k:${tenantId}:kd:${s.account}:${s.device}` } : {}),
    address: `k:${tenantId}:ka:${s.accountIp}`,
  };
}

/** Lock rows, by scope, for one attempt. */
export function lockSubjects(s: Subjects) {
  return [
    { scope: 'account_ip', subject: s.accountIp },
    { scope: 'account', subject: s.account },
    { scope: 'ip', subject: s.ip },
  ] as const;
}
