import type { CaptchaFailure, CaptchaProvider } from '@portcullis/protocol';

/** Secret problems: the tenant's configuration is wrong, not the user's token. */
const MISCONFIGURED = new Set(['invalid-input-secret', 'missing-input-secret', 'sitekey-secret-mismatch', 'invalid-keys', 'secret-key-mismatch']);
const EXPIRED = new Set(['timeout-or-duplicate', 'expired-input-response']);
const USED = new Set(['already-seen-response', 'invalid-or-already-seen-response']);
/** Codes worth one retry with the same idempotency key. */
export const RETRYABLE = new Set(['internal-error']);

export type Judgement =
  | { kind: 'passed'; hostname: string | null; score: number | null }
  | { kind: 'failed'; reason: CaptchaFailure; codes: string[] }
  | { kind: 'misconfigured'; codes: string[] }
  | { kind: 'unreachable'; errorClass: string };

export interface Expectations {
  provider: CaptchaProvider;
  action: string;
  allowedHostnames: readonly string[];
  minScore: number;
  maxAgeS: number;
}

/**
 * Reads a siteverify answer (DESIGN §6). Only `success === true` (a boolean, not `"true"`) with the
 * right action, an allowed hostname, a fresh `challenge_ts` and (reCAPTCHA v3) a high enough score
 * passes. A body that does not follow the protocol is treated as an outage, never as a pass.
 */
export function judgeSiteverify(body: Record<string, unknown>, expect: Expectations, now: number): Judgement {
  const codes = Array.isArray(body['error-codes']) ? body['error-codes'].filter((c): c is string => typeof c === 'string') : [];
  if (typeof body['success'] !== 'boolean') return { kind: 'unreachable', errorClass: 'malformed_answer' };
  if (body['success'] !== true) {
    if (codes.some((c) => MISCONFIGURED.has(c))) return { kind: 'misconfigured', codes };
    if (codes.some((c) => RETRYABLE.has(c))) return { kind: 'unreachable', errorClass: 'internal_error' };
    if (codes.some((c) => USED.has(c))) return { kind: 'failed', reason: 'already_used', codes };
    if (codes.some((c) => EXPIRED.has(c))) return { kind: 'failed', reason: 'expired', codes };
    return { kind: 'failed', reason: 'invalid', codes };
  }
  const action = typeof body['action'] === 'string' ? body['action'] : null;
  // Turnstile and reCAPTCHA v3 report the action the token was minted for; reCAPTCHA v2 and
  // hCaptcha have no actions, so there the check cannot apply.
  const actionReported = expect.provider === 'turnstile' || typeof body['score'] === 'number' || action !== null;
  if (actionReported && action !== expect.action) return { kind: 'failed', reason: 'action_mismatch', codes };
  const hostname = typeof body['hostname'] === 'string' ? body['hostname'].toLowerCase() : null;
  if (expect.allowedHostnames.length > 0 && (hostname === null || !expect.allowedHostnames.includes(hostname))) {
    return { kind: 'failed', reason: 'hostname_mismatch', codes };
  }
  const issued = typeof body['challenge_ts'] === 'string' ? Date.parse(body['challenge_ts']) : Number.NaN;
  if (Number.isNaN(issued) || now - issued > expect.maxAgeS * 1000) return { kind: 'failed', reason: 'expired', codes };
  const score = typeof body['score'] === 'number' ? body['score'] : null;
  if (expect.provider === 'recaptcha' && score !== null && score < expect.minScore) return { kind: 'failed', reason: 'score_too_low', codes };
  return { kind: 'passed', hostname, score };
}
