import { PortcullisError, errorDetails, type Device, type RiskPolicy } from '@portcullis/protocol';
import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import type { RiskVerdict, SignInAttempt } from '../risk-gate.js';
import type { RiskSignals } from '../../domain/risk/signals.js';
import { evaluateRisk } from '../../domain/risk/evaluate.js';
import { deviceConfidence } from '../../domain/risk/device-confidence.js';
import { counterKey } from '../../domain/ip/address.js';
import { policyOf } from './policy.js';
import { passChallenge } from './challenge.js';
import { withCounters } from './counter-outage.js';
import { riskOf } from './verdict.js';
import type { AttemptHandle } from './attempt-log.js';

/** A public door other than sign-in (DESIGN §19): each has its own per-IP rule and captcha action. */
export type Door = 'signup' | 'password_reset';

export interface DoorAttempt {
  ctx: RequestContext;
  /** Normalised email: for the audit record of a refusal only. */
  email: string;
  captcha?: SignInAttempt['captcha'];
  device?: Device | undefined;
  /** The decision log's record of this request. */
  log?: AttemptHandle | undefined;
}

/**
 * The door's policy in the engine's own terms: the door's per-IP request count stands where the
 * sign-in failures stand (`limit` earns `points`, `block_limit` answers `rate_limited`); account
 * rules are off, since the requester names an email it may not own. IP reputation, device
 * confidence, trusted networks, thresholds and monitor-only apply exactly as for sign-in.
 */
export function doorPolicy(policy: RiskPolicy, door: Door): RiskPolicy {
  const rule = policy.rules[door];
  return {
    ...policy,
    rules: {
      ...policy.rules,
      ip_failures: { limit: rule.limit, window_s: rule.window_s, points: rule.points },
      account_failures: { ...policy.rules.account_failures, points: 0 },
    },
    lockout: {
      account_ip: { limit: 100, window_s: 1, lock_s: 1 },
      account: { limit: 100, window_s: 1, lock_s: 1 },
      ip: { limit: rule.block_limit, window_s: rule.window_s, block_s: rule.window_s },
    },
  };
}

/**
 * Runs one request at a door through the risk engine. Every request counts (atomically, before the
 * decision, so parallel requests see distinct counts), since at these doors a request is the cost an
 * attacker pays, not a failure. Refuses (`rate_limited`, `sign_in_denied`) or demands the captcha
 * bound to the door's action before any password hash or mail; answers the verdict otherwise.
 */
export async function admitDoor(deps: Deps, door: Door, attempt: DoorAttempt): Promise<RiskVerdict> {
  const { ctx } = attempt;
  const { policy: base, trusted } = policyOf(ctx.tenant);
  const policy = doorPolicy(base, door);
  const now = deps.clock.now();
  const rule = base.rules[door];
  const key = `d:${ctx.tenant.id}:${door}:${rule.window_s}:${counterKey(ctx.ip) ?? ctx.ip}`;
  const hit = await withCounters(deps, ctx.tenant.id, () => deps.counters.hit([{ key, windowMs: rule.window_s * 1000 }]));
  const prior = hit === null ? null : Math.max(0, (hit[0] ?? 1) - 1);
  const signals: RiskSignals = {
    ip: ctx.ip,
    ipHits: deps.reputation.lookup(ctx.tenant.id, ctx.ip),
    trustedNetwork: trusted.has(ctx.ip),
    counts: prior === null ? null : { ipFailures: prior, accountFailures: 0, lockoutAccountIp: 0, lockoutAccount: 0, lockoutIp: prior },
    locks: {},
    deviceConfidence: deviceConfidence(attempt.device?.signals).confidence,
  };
  const decision = evaluateRisk(signals, policy, now);
  attempt.log?.decide(signals, decision);
  const risk = riskOf(decision);
  if (decision.action === 'deny') {
    const code = decision.deny?.code === 'rate_limited' ? 'rate_limited' : 'sign_in_denied';
    await deps.auditWriter.record(ctx, {
      type: door === 'signup' ? 'user.signed_up' : 'user.password_reset_requested', outcome: 'denied',
      actor: { kind: 'user', id: null }, target: { kind: 'account', id: null }, data: { error: code, email: attempt.email, door }, risk,
    });
    const retry = decision.deny?.retryAfterS;
    throw new PortcullisError(code, retry === undefined ? {} : { details: { retry_after_s: retry } });
  }
  if (decision.action === 'challenge') {
    const passed = await passChallenge(deps, { ctx, email: attempt.email, captcha: attempt.captcha, device: attempt.device, action: door, log: attempt.log }, policy, risk);
    // The emailed-code fallback stands in for a captcha at sign-in only: here it would mail whoever is named.
    if (passed.kind === 'email_otp') throw new PortcullisError('captcha_unavailable', { details: errorDetails.retryAfter(30) });
  }
  return risk;
}

/**
 * Runs a door's service with its decision-log row (DESIGN §15 covers every door): the row is
 * settled with `success` or the code the request was answered with.
 */
export async function throughDoor<T>(deps: Deps, door: Door, ctx: RequestContext, email: string, device: Device | undefined, work: (log: AttemptHandle) => Promise<T>): Promise<T> {
  const log = deps.attempts.begin(ctx, email, device, door);
  let outcome = 'success';
  let failure: unknown;
  try {
    return await work(log);
  } catch (error) {
    outcome = error instanceof PortcullisError ? error.code : 'internal_error';
    failure = error;
    throw error;
  } finally {
    log.settle(outcome, failure);
  }
}
