import type { Accounts } from './accounts.js';
import { failure, success, type FailureReason } from './answers.js';
import { DUMMY_TOKENS, findTestSecret, findTestSitekey } from './test-keys.js';
import type { TokenCodec } from './token.js';
import type { Provider, SiteverifyAnswer, SiteverifyParams, TokenClaims } from './types.js';

/** What a verification needs; all of it belongs to one emulator. */
export interface VerifyDeps {
  codec: TokenCodec;
  accounts: Accounts;
  now: () => number;
  ttlMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TOKEN = 2048;

/**
 * Answers one siteverify request as the real provider would (the fault modes are applied
 * elsewhere, before this runs). For Turnstile, an answer given under an idempotency key is
 * replayed for the same key and token, so a retry after a lost answer does not read as a replay.
 */
export function verifySiteResponse(provider: Provider, params: SiteverifyParams, deps: VerifyDeps): SiteverifyAnswer {
  if (params.malformed) return failure(provider, 'bad-request');
  const missing: FailureReason[] = [];
  if (!params.secret) missing.push('missing-secret');
  if (!params.response) missing.push('missing-response');
  if (missing.length > 0) return failure(provider, ...missing);
  const secret = params.secret as string;
  const response = params.response as string;
  const key = provider === 'turnstile' ? params.idempotency_key : undefined;
  if (key !== undefined && key !== '' && !UUID.test(key)) return failure(provider, 'bad-request');
  if (key) {
    const earlier = deps.accounts.recalled(key, response);
    if (earlier) return earlier;
  }
  const answer = decide(provider, secret, response, params.sitekey, deps);
  if (key) deps.accounts.remember(key, response, answer, deps.now() + deps.ttlMs);
  return answer;
}

function decide(provider: Provider, secret: string, response: string, sitekey: string | undefined, deps: VerifyDeps): SiteverifyAnswer {
  const testSecret = findTestSecret(provider, secret);
  if (testSecret) {
    if (testSecret.behaviour === 'fail') return failure(provider, 'invalid-response');
    if (testSecret.behaviour === 'spent') return failure(provider, 'duplicate');
    // Test secrets accept any token (the providers say so), so no single use either.
    const claims = openFor(provider, response, deps) ?? dummyClaims(provider, deps.now());
    return success(provider, { claims, ...(testSecret.hostname ? { hostname: testSecret.hostname } : {}) });
  }
  const sites = deps.accounts.sitesForSecret(provider, secret);
  if (sites.length === 0) return failure(provider, 'invalid-secret');
  if (sitekey && !sites.some((s) => s.sitekey === sitekey)) return failure(provider, 'sitekey-secret-mismatch');
  // A real secret never accepts what a public test sitekey produced: that would let anyone pass.
  if (DUMMY_TOKENS[provider].includes(response)) return failure(provider, 'test-token-real-secret');
  if (response.length > MAX_TOKEN) return failure(provider, 'invalid-response');
  const claims = openFor(provider, response, deps);
  if (!claims) return failure(provider, 'invalid-response');
  const site = sites.find((s) => s.sitekey === claims.sitekey);
  if (!site) {
    const fromTestKey = findTestSitekey(provider, claims.sitekey) !== undefined;
    return failure(provider, fromTestKey ? 'test-token-real-secret' : 'sitekey-secret-mismatch');
  }
  if (sitekey && sitekey !== claims.sitekey) return failure(provider, 'sitekey-secret-mismatch');
  const expiresAt = claims.issuedAt + deps.ttlMs;
  if (deps.now() >= expiresAt) return failure(provider, 'expired');
  if (!deps.accounts.spend(claims.nonce, expiresAt)) return failure(provider, 'duplicate');
  return success(provider, { claims, ...(site.score !== undefined ? { score: site.score } : {}) });
}

function openFor(provider: Provider, response: string, deps: VerifyDeps): TokenClaims | undefined {
  const claims = deps.codec.open(response);
  return claims && claims.provider === provider ? claims : undefined;
}

/** Claims for a token the emulator did not mint (the providers' fixed dummy tokens). */
function dummyClaims(provider: Provider, now: number): TokenClaims {
  return {
    provider, sitekey: '', action: '', hostname: 'example.com', cdata: '', issuedAt: now,
    interactive: false, version: 'v2', nonce: '',
  };
}
