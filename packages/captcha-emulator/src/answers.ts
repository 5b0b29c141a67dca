import type { Provider, SiteverifyAnswer, TokenClaims } from './types.js';

/** Why a verification failed, in provider-neutral words; each provider names them its own way. */
export type FailureReason =
  | 'missing-secret' | 'invalid-secret' | 'missing-response' | 'invalid-response'
  | 'expired' | 'duplicate' | 'bad-request' | 'sitekey-secret-mismatch' | 'test-token-real-secret';

/**
 * The error codes each provider documents (Cloudflare "Validate the token", Google "Verifying
 * the user's response", hCaptcha "siteverify error codes"). hCaptcha alone tells expired from
 * spent tokens; Turnstile and reCAPTCHA fold both into `timeout-or-duplicate`.
 */
const CODES: Readonly<Record<Provider, Readonly<Record<FailureReason, string>>>> = {
  turnstile: {
    'missing-secret': 'missing-input-secret', 'invalid-secret': 'invalid-input-secret',
    'missing-response': 'missing-input-response', 'invalid-response': 'invalid-input-response',
    expired: 'timeout-or-duplicate', duplicate: 'timeout-or-duplicate', 'bad-request': 'bad-request',
    'sitekey-secret-mismatch': 'invalid-input-response', 'test-token-real-secret': 'invalid-input-response',
  },
  recaptcha: {
    'missing-secret': 'missing-input-secret', 'invalid-secret': 'invalid-input-secret',
    'missing-response': 'missing-input-response', 'invalid-response': 'invalid-input-response',
    expired: 'timeout-or-duplicate', duplicate: 'timeout-or-duplicate', 'bad-request': 'bad-request',
    'sitekey-secret-mismatch': 'invalid-input-response', 'test-token-real-secret': 'invalid-input-response',
  },
  hcaptcha: {
    'missing-secret': 'missing-input-secret', 'invalid-secret': 'invalid-input-secret',
    'missing-response': 'missing-input-response', 'invalid-response': 'invalid-input-response',
    expired: 'expired-input-response', duplicate: 'already-seen-response', 'bad-request': 'bad-request',
    'sitekey-secret-mismatch': 'sitekey-secret-mismatch', 'test-token-real-secret': 'not-using-dummy-passcode',
  },
};

/** The provider's error code for a failure reason. */
export function errorCode(provider: Provider, reason: FailureReason): string {
  return CODES[provider][reason];
}

/** A failed answer: every provider sends `success:false` with an `error-codes` list. */
export function failure(provider: Provider, ...reasons: FailureReason[]): SiteverifyAnswer {
  return { success: false, 'error-codes': reasons.map((r) => errorCode(provider, r)) };
}

/** Google and hCaptcha print timestamps without milliseconds; Turnstile keeps them. */
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What a success answer reports; test secrets may override the hostname with the provider's fixed one. */
export interface SuccessFacts {
  claims: TokenClaims;
  hostname?: string;
  score?: number;
}

/** A success answer in the provider's exact shape. */
export function success(provider: Provider, facts: SuccessFacts): SiteverifyAnswer {
  const { claims } = facts;
  const hostname = facts.hostname ?? claims.hostname;
  if (provider === 'turnstile') {
    return {
      success: true, 'error-codes': [], challenge_ts: new Date(claims.issuedAt).toISOString(), hostname,
      action: claims.action, cdata: claims.cdata, metadata: { interactive: claims.interactive },
    };
  }
  if (provider === 'recaptcha') {
    const base = { success: true, challenge_ts: isoSeconds(claims.issuedAt), hostname };
    // v2 answers carry no score or action; v3 answers always do.
    return claims.version === 'v3' ? { ...base, score: facts.score ?? 0.9, action: claims.action } : base;
  }
  const base = { success: true, challenge_ts: isoSeconds(claims.issuedAt), hostname, credit: false };
  // Only hCaptcha Enterprise accounts get a score (0 = safe, 1 = bot); publisher accounts do not.
  return facts.score === undefined ? base : { ...base, score: facts.score, score_reason: [] };
}
