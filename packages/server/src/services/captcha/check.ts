import { createHash, randomUUID } from 'node:crypto';
import type { CaptchaAction, CaptchaProvider, RiskPolicy } from '@portcullis/protocol';
import type { Store } from '../../ports/store.js';
import type { GroupCommit } from '../group-commit.js';
import type { Clock } from '../../ports/clock.js';
import type { CaptchaFailure, SiteverifyClient, SiteverifyResult } from '../../ports/captcha.js';
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
  check(input: { tenantId: string; policy: RiskPolicy['captcha']; secret: string; answer: { provider: CaptchaProvider; token: unknown }; remoteIp: string; action?: CaptchaAction }): Promise<CaptchaCheck>;
}

export interface BreakerOptions { threshold: number; openMs: number }

/**
 * Verifies a captcha answer (DESIGN §6). Cheap local checks first — odd tokens and replays never
 * reach the provider — then siteverify behind a per-provider circuit breaker, with one retry (same
 * idempotency key) only for network errors and `internal-error`.
 */
export function createCaptchaChecker(store: Store, commit: GroupCommit, clock: Clock, client: SiteverifyClient, breaker: BreakerOptions = { threshold: 5, openMs: 30_000 }): CaptchaChecker {
  const breakers = new Map<string, BreakerState>();
  let claims = 0;

  async function callOnce(url: string, input: Parameters<CaptchaChecker['check']>[0], token: string, idempotencyKey: string): Promise<SiteverifyResult> {
    return client.call({ provider: input.policy.provider!, url, secret: input.secret, token, remoteIp: input.remoteIp, idempotencyKey, timeoutMs: input.policy.timeout_ms });
  }

  return {
    async check(input) {
      const { answer, policy } = input;
      const token = answer.token;
      if (answer.provider !== policy.provider || typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        return { kind: 'failed', reason: 'invalid', codes: [], called: false };
      }
      const now = clock.now();
      // A second use of the same token must fail even if the provider has not marked it spent yet,
      // and across every instance: the claim is one atomic insert in the shared database.
      const hash = createHash('sha256').update(token).digest('base64url');
      // Group-committed: a wave of captcha answers shares one fsync instead of blocking on one each.
      if (!(await commit.run((tx) => tx.captchaTokens.claim(hash, input.tenantId, now + REPLAY_KEEP_MS)))) {
        return { kind: 'failed', reason: 'already_used', codes: [], called: false };
      }
      if (++claims % 200 === 0) void store.captchaTokens.purge(now).catch(() => {});

      const provider = policy.provider!;
      const url = policy.verify_url ?? SITEVERIFY_URLS[provider];
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
      switch (judged.kind) {
        case 'passed': return { kind: 'passed', latencyMs, hostname: judged.hostname, score: judged.score };
        case 'failed': return { kind: 'failed', reason: judged.reason, codes: judged.codes, called: true };
        case 'misconfigured': return judged;
        case 'unreachable': return { kind: 'unreachable', errorClass: judged.errorClass, latencyMs, circuitOpen: false };
      }
    },
  };
}
