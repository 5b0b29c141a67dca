import { PortcullisError, type IpInsight } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { Principal, RequestContext } from '../context.js';
import { canonicalIp, counterKey } from '../../domain/ip/address.js';
import { CounterStoreUnavailableError } from '../../ports/counters.js';
import { isoTime } from '../context.js';
import { recordEvent } from '../audit.js';
import { policyOf } from './policy.js';
import { accountSubject, counterHits, subjectsFor } from './subjects.js';

function parsed(ip: string): string {
  const canonical = canonicalIp(ip);
  if (!canonical) throw new PortcullisError('invalid_request', { details: { fields: [{ path: 'ip', message: 'must be an IPv4 or IPv6 address' }] } });
  return canonical;
}

/** `GET /api/v1/risk/ips/{ip}`: feeds hit, failure counts, block and trust — why this address is treated as it is. */
export async function ipInsight(deps: Deps, ctx: RequestContext, rawIp: string): Promise<IpInsight> {
  const ip = parsed(rawIp);
  const { policy, trusted } = policyOf(ctx.tenant);
  const hits = counterHits(ctx.tenant.id, subjectsFor(ctx.tenant.id, '', ip), policy);
  let failures: { window: number; day: number } | null = null;
  try {
    const [window = 0, day = 0] = await deps.counters.peek([hits.ipFailures.key, hits.lockoutIp.key]);
    failures = { window, day };
  } catch (error) {
    if (!(error instanceof CounterStoreUnavailableError)) throw error;
  }
  const key = counterKey(ip) ?? ip;
  const [lock] = await deps.store.locks.active(ctx.tenant.id, [{ scope: 'ip', subject: key }], deps.clock.now());
  return {
    ip, counter_key: key, trusted: trusted.has(ip),
    feeds: deps.reputation.lookup(ctx.tenant.id, ip).map((h) => ({ feed: h.feed, category: h.category, weight: h.weight ?? null })),
    failures: { window: failures?.window ?? 0, window_s: policy.rules.ip_failures.window_s, day: failures?.day ?? 0, day_window_s: policy.lockout.ip.window_s },
    blocked_until: lock ? isoTime(lock.untilMs) : null,
    counters_available: failures !== null,
  };
}

/** `DELETE /api/v1/risk/ips/{ip}/failures`: forgets the address's failures and lifts its block. */
export async function clearIpFailures(deps: Deps, ctx: RequestContext, actor: Principal, rawIp: string): Promise<void> {
  const ip = parsed(rawIp);
  const { policy } = policyOf(ctx.tenant);
  const hits = counterHits(ctx.tenant.id, subjectsFor(ctx.tenant.id, '', ip), policy);
  await deps.counters.reset([hits.ipFailures.key, hits.lockoutIp.key]);
  const key = counterKey(ip) ?? ip;
  await deps.store.transaction(async (tx) => {
    const lifted = await tx.locks.clear(ctx.tenant.id, { subject: key });
    await recordEvent(tx, deps.clock, ctx, { type: 'user.unlocked', outcome: 'success', actor, target: { kind: 'ip', id: key }, data: { scope: 'ip', locks_lifted: lifted } });
  });
  // The block this process answers before bodies ends now too (other instances: within 30 s).
  deps.refusals.unblock(ctx.tenant.id, ip);
}

/**
 * `POST /api/v1/users/{id}/unlock`: lifts the account's locks (from anywhere and per IP) and
 * forgets its account failure counts. Per-IP counters of the account are cleared for the IPs
 * that hold a lock; the others expire with their window.
 */
export async function unlockUser(deps: Deps, ctx: RequestContext, actor: Principal, userId: string): Promise<{ locks_lifted: number }> {
  const user = await deps.store.users.byId(ctx.tenant.id, userId);
  if (!user) throw new PortcullisError('not_found', { message: 'No such user.' });
  const { policy } = policyOf(ctx.tenant);
  const account = accountSubject(ctx.tenant.id, user.email);
  const perIp = await deps.store.locks.list(ctx.tenant.id, { subjectPrefix: `${account}|` }, deps.clock.now());
  const keys = new Set<string>();
  for (const lock of [{ subject: `${account}|` }, ...perIp]) {
    const ip = lock.subject.slice(account.length + 1);
    const hits = counterHits(ctx.tenant.id, { account, ip, accountIp: `${account}|${ip}` }, policy);
    keys.add(hits.accountFailures.key).add(hits.lockoutAccount.key);
    if (ip) keys.add(hits.lockoutAccountIp.key);
  }
  await deps.counters.reset([...keys]);
  let lifted = 0;
  await deps.store.transaction(async (tx) => {
    lifted = await tx.locks.clear(ctx.tenant.id, { subject: account }) + await tx.locks.clear(ctx.tenant.id, { subjectPrefix: `${account}|` });
    await recordEvent(tx, deps.clock, ctx, { type: 'user.unlocked', outcome: 'success', actor, target: { kind: 'user', id: user.id }, data: { locks_lifted: lifted } });
  });
  return { locks_lifted: lifted };
}
