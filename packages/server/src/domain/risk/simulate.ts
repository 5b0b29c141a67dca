import { HUMAN_OUTCOMES, RISK_REASON_CODES, type RiskPolicy, type SimulationResult } from '@portcullis/protocol';
import type { ActiveLocks, FailureCounts, IpHit } from './signals.js';
import type { RiskAction } from './evaluate.js';
import { evaluateRisk } from './evaluate.js';
import { createCidrSet } from '../ip/cidr-set.js';

/** What the decision log kept of one attempt: the engine's inputs then, its action then, and how it ended. */
export interface RecordedAttempt {
  id: string;
  occurredMs: number;
  ip: string;
  action: RiskAction;
  outcome: string;
  reasonCodes: readonly string[];
  ipHits: readonly IpHit[];
  counts: FailureCounts | null;
  locks: ActiveLocks;
  deviceConfidence: number;
}

/** Failures from one address at which an `invalid_credentials` attempt counts as a suspect (DESIGN §15). */
export const SUSPECT_IP_FAILURES = 5;
export const MAX_SAMPLES = 10;

const HUMANS = new Set<string>(HUMAN_OUTCOMES);
const SUSPECT_OUTCOMES = new Set(['captcha_failed', 'sign_in_denied']);

export function isHuman(a: Pick<RecordedAttempt, 'outcome'>): boolean {
  return HUMANS.has(a.outcome);
}

export function isSuspect(a: Pick<RecordedAttempt, 'outcome' | 'counts'>): boolean {
  return SUSPECT_OUTCOMES.has(a.outcome) || (a.outcome === 'invalid_credentials' && (a.counts?.ipFailures ?? 0) >= SUSPECT_IP_FAILURES);
}

/**
 * Replays recorded attempts through the pure engine with a candidate policy (DESIGN §15). No I/O:
 * each attempt is judged at the time it happened, on the signals recorded then, except what the
 * policy itself decides: trusted networks are the candidate's, and so are every weight, limit
 * and threshold. Counts recorded under other windows are used as recorded (an approximation:
 * the log keeps the counts, not the failures behind them). The action compared is what each
 * policy decides, so a monitor-only candidate is judged by what it would enforce.
 */
export function simulatePolicy(attempts: readonly RecordedAttempt[], candidate: RiskPolicy): SimulationResult {
  const trusted = createCidrSet(candidate.trusted_networks);
  // Addresses repeat (offices, bots hammering): parse each one once per replay.
  const trustedIps = new Map<string, boolean>();
  const isTrusted = candidate.trusted_networks.length === 0 ? () => false : (ip: string) => {
    let known = trustedIps.get(ip);
    if (known === undefined) trustedIps.set(ip, (known = trusted.has(ip)));
    return known;
  };
  const current = { allow: 0, challenge: 0, deny: 0 };
  const next = { allow: 0, challenge: 0, deny: 0 };
  const changed = { newly_allowed: 0, newly_challenged: 0, newly_denied: 0 };
  const humans = { total: 0, newly_challenged: 0, newly_denied: 0 };
  const suspects = { total: 0, newly_allowed: 0 };
  const reasonsNow = new Map<string, number>();
  const reasonsThen = new Map<string, number>();
  // Samples by how much they matter to an operator: people newly stopped, then bots newly let in, then the rest.
  const samples: string[][] = [[], [], []];

  for (const a of attempts) {
    const decision = evaluateRisk({
      ip: a.ip, ipHits: a.ipHits, trustedNetwork: isTrusted(a.ip), counts: a.counts, locks: a.locks, deviceConfidence: a.deviceConfidence,
    }, candidate, a.occurredMs);
    const action = decision.wouldBe?.action ?? decision.action;
    current[a.action] += 1;
    next[action] += 1;
    for (const code of a.reasonCodes) reasonsThen.set(code, (reasonsThen.get(code) ?? 0) + 1);
    for (const r of decision.reasons) reasonsNow.set(r.code, (reasonsNow.get(r.code) ?? 0) + 1);
    const human = isHuman(a);
    const suspect = !human && isSuspect(a);
    if (human) humans.total += 1;
    if (suspect) suspects.total += 1;
    if (action === a.action) continue;
    if (action === 'allow') changed.newly_allowed += 1;
    else if (action === 'challenge') changed.newly_challenged += 1;
    else changed.newly_denied += 1;
    if (human && action === 'challenge') humans.newly_challenged += 1;
    if (human && action === 'deny') humans.newly_denied += 1;
    if (suspect && action === 'allow') suspects.newly_allowed += 1;
    const tier = human && action !== 'allow' ? 0 : suspect && action === 'allow' ? 1 : 2;
    if (samples[tier]!.length < MAX_SAMPLES) samples[tier]!.push(a.id);
  }

  const codes = [...RISK_REASON_CODES, ...[...reasonsThen.keys(), ...reasonsNow.keys()].filter((c) => !(RISK_REASON_CODES as readonly string[]).includes(c))];
  const by_reason = [...new Set(codes)]
    .map((code) => ({ code, current: reasonsThen.get(code) ?? 0, candidate: reasonsNow.get(code) ?? 0 }))
    .filter((r) => r.current > 0 || r.candidate > 0);
  return {
    attempts: attempts.length, current, candidate: next, changed, humans, suspects, by_reason,
    samples: samples.flat().slice(0, MAX_SAMPLES),
  };
}
