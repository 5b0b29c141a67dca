import { createHash, randomUUID } from 'node:crypto';
import type { CaptchaAction, CaptchaProvider, RiskPolicy } from '@portcullis/protocol';
import type { Store } from '../../ports/store.js';
import type { GroupCommit } from '../group-commit.js';
import type { Clock } from '../../ports/clock.js';
import type { CaptchaFailure, SiteverifyClient, SiteverifyResult } from '../../ports/captcha.js';
import type { PowChallenges } from '../../ports/pow.js';
import { ALTCHA_TEST_PAYLOAD } from './test-mode.js';
import { SITEVERIFY_URLS } from '@portcullis/protocol';
import { RETRYABLE, judgeSiteverify } from '../../domain/captcha/judge.js';
import { admitCall, closedBreaker, recordCall, type BreakerState } from '../../domain/captcha/circuit-breaker.js';

export const MAX_TOKEN_LENGTH = 2048;
/** Replay rows outlive every provider's token lifetime (DESIGN §6: at least 300 s). */
const REPLAY_KEEP_MS = 600_000;

export type CaptchaCheck =
  | { kind: 'passed'; latencyMs: number; hostname: string | null; score: number | null }
  | { kind: 'failed'; reason: CaptchaFailure; codes: string[]; called: boolean }
  | { kind: 'unreachable'; errorClass: string; latencyMs: number; circuitOpen: boolean }
  | { kind: 'misconfigured'; codes: string[] };

export interface CaptchaChecker {
  check(input: { tenantId: string; policy: RiskPolicy['captcha']; secret: string; answer: { provider: CaptchaProvider; token: unknown }; remoteIp: string; action?: CaptchaAction; powFallback?: boolean; testMode?: boolean }): Promise<CaptchaCheck>;
  /** Whether the tenant's third-party provider is down here: its breaker open, or its last call unreachable within the open time. */
  providerDown(policy: RiskPolicy['captcha']): boolean;
}

export interface BreakerOptions { threshold: number; openMs: number }

/**
 * Verifies a captcha answer (DESIGN §6). Cheap local checks first — odd tokens and replays never
 * reach the provider — then siteverify behind a per-provider circuit breaker, with one retry (same
 * idempotency key) only for network errors and `internal-error`.
 */
export function createCaptchaChecker(store: Store, commit: GroupCommit, clock: Clock, client: SiteverifyClient, pow: PowChallenges, breaker: BreakerOptions = { threshold: 5, openMs: 30_000 }): CaptchaChecker {
  const breakers = new Map<string, BreakerState>();
  const lastUnreachable = new Map<string, number>();
  let claims = 0;
  const urlOf = (policy: RiskPolicy['captcha']) => policy.provider && policy.provider !== 'altcha' ? policy.verify_url ?? SITEVERIFY_URLS[policy.provider] : null;

  // A second use of the same token must fail even if the provider has not marked it spent yet,
  // and across every instance: the claim is one atomic insert in the shared database.
  async function claim(tenantId: string, token: string, now: number): Promise<boolean> {
    const hash = createHash('sha256').update(token).digest('base64url');
    // Group-committed: a wave of captcha answers shares one fsync instead of blocking on one each.
    if (!(await commit.run((tx) => tx.captchaTokens.claim(hash, tenantId, now + REPLAY_KEEP_MS)))) return false;
    if (++claims % 200 === 0) void store.captchaTokens.purge(now).catch(() => {});
    return true;
  }

  async function callOnce(url: string, input: Parameters<CaptchaChecker['check']>[0], token: string, idempotencyKey: string): Promise<SiteverifyResult> {
    return client.call({ provider: input.policy.provider!, url, secret: input.secret, token, remoteIp: input.remoteIp, idempotencyKey, timeoutMs: input.policy.timeout_ms });
  }

  return {
    providerDown(policy) {
      const url = urlOf(policy);
      if (url === null) return false;
      const now = clock.now();
      const gate = admitCall(breakers.get(url) ?? closedBreaker(), now, breaker.openMs);
      return !gate.allowed || now - (lastUnreachable.get(url) ?? -Infinity) < breaker.openMs;
    },

    async check(input) {
      const { answer, policy } = input;
      const token = answer.token;
      // PoW answers are accepted where the tenant runs altcha, or stands in while its provider is down.
      const expected = input.powFallback ? 'altcha' : policy.provider;
      if (answer.provider !== expected || typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        return { kind: 'failed', reason: 'invalid', codes: [], called: false };
      }
      const now = clock.now();
      if (answer.provider === 'altcha') {
        // Test mode (never in production): the widget's published test answer passes, as a provider's test keys do.
        if (input.testMode && token === ALTCHA_TEST_PAYLOAD) return { kind: 'passed', latencyMs: 0, hostname: null, score: null };
        // Verified here, no call leaves the server; the claim comes after the signature so forged
        // payloads cannot fill the replay set.
        const verdict = await pow.verify(token, { tenantId: input.tenantId, action: input.action ?? 'login', nowMs: now });
        if (!verdict.ok) return { kind: 'failed', reason: verdict.reason, codes: [], called: false };
        if (!(await claim(input.tenantId, token, now))) return { kind: 'failed', reason: 'already_used', codes: [], called: false };
        return { kind: 'passed', latencyMs: 0, hostname: null, score: null };
      }
      if (!(await claim(input.tenantId, token, now))) {
        return { kind: 'failed', reason: 'already_used', codes: [], called: false };
      }

      const provider = policy.provider!;
      const url = urlOf(policy)!;
      const gate = admitCall(breakers.get(url) ?? closedBreaker(), now, breaker.openMs);
      breakers.set(url, gate.next);
      if (!gate.allowed) return { kind: 'unreachable', errorClass: 'circuit_open', latencyMs: 0, circuitOpen: true };

      const idempotencyKey = randomUUID();
      let latencyMs = 0;
      let result = await callOnce(url, input, token, idempotencyKey);
      latencyMs += result.latencyMs;
      const retryable = (r: SiteverifyResult) => (r.kind === 'unreachable' && r.errorClass === 'network')
        || (r.kind === 'answer' && Array.isArray(r.body['error-codes']) && r.body['error-codes'].some((c) => RETRYABLE.has(String(c))));
      if (retryable(result)) {
        result = await callOnce(url, input, token, idempotencyKey);
        latencyMs += result.latencyMs;
      }
      const judged = result.kind === 'unreachable'
        ? { kind: 'unreachable' as const, errorClass: result.errorClass }
        : judgeSiteverify(result.body, { provider, action: input.action ?? 'login', allowedHostnames: policy.allowed_hostnames, minScore: policy.min_score, maxAgeS: 300 }, clock.now());
      breakers.set(url, recordCall(breakers.get(url) ?? closedBreaker(), judged.kind !== 'unreachable', clock.now(), breaker.threshold));
      if (judged.kind === 'unreachable') lastUnreachable.set(url, clock.now());
      else lastUnreachable.delete(url);
      switch (judged.kind) {
        case 'passed': return { kind: 'passed', latencyMs, hostname: judged.hostname, score: judged.score };
        case 'failed': return { kind: 'failed', reason: judged.reason, codes: judged.codes, called: true };
        case 'misconfigured': return judged;
        case 'unreachable': return { kind: 'unreachable', errorClass: judged.errorClass, latencyMs, circuitOpen: false };
      }
    },
  };
}
