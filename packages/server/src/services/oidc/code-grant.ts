import type { TokenResponse } from '@portcullis/protocol';
import type { AuthCodeRecord, StoreOps } from '../../ports/store.js';
import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import { newSecret } from '../../ports/ids.js';
import { hashSecret, sameSecretHash } from '../../domain/secret-hash.js';
import { authenticateOidcClient } from './client-auth.js';
import { isoTime } from '../context.js';
import { recordEvent } from '../audit.js';
import { issuerFor } from '../deps.js';
import { OAuthError } from '../oauth-error.js';
import { signIdToken } from './id-token.js';

export interface CodeGrantInput {
  clientId: string | undefined;
  clientSecret: string | undefined;
  code: string | undefined;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

/** RFC 7636 §4.1: 43-128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Why a redeemed code is refused; checked after the code is spent, so a wrong guess burns it. */
function bindingProblem(code: AuthCodeRecord, clientId: string, input: CodeGrantInput): string | undefined {
  if (code.clientId !== clientId) return 'The code was issued to another client.';
  if (code.redirectUri !== input.redirectUri) return 'redirect_uri does not match the authorization request.';
  if (code.codeChallenge === null) return input.codeVerifier === undefined ? undefined : 'No code_challenge was sent with the authorization request.';
  if (input.codeVerifier === undefined) return 'code_verifier is required.';
  if (!VERIFIER.test(input.codeVerifier) || !sameSecretHash(hashSecret(input.codeVerifier), code.codeChallenge)) return 'code_verifier does not match the code_challenge.';
  return undefined;
}

/** A second use of a code means it leaked: the session its first use started dies (RFC 6749 §4.1.2). */
async function revokeIssued(tx: StoreOps, deps: Deps, ctx: RequestContext, code: AuthCodeRecord, nowIso: string): Promise<void> {
  if (!(await tx.sessions.revoke(ctx.tenant.id, code.sessionId, nowIso, 'authorization_code_reuse'))) return;
  await recordEvent(tx, deps.clock, ctx, {
    type: 'user.session_revoked', outcome: 'success', actor: { kind: 'system', id: null },
    target: { kind: 'session', id: code.sessionId }, data: { reason: 'authorization_code_reuse', user_id: code.userId, client_id: code.clientId },
  });
}

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6): the client is authenticated
 * (throttled, as client credentials) before the code is touched (a stranger cannot burn codes), the code is spent atomically, then
 * its bindings are checked. Success starts the session the code announced and answers an access
 * token, a refresh token and an ID token.
 */
export async function exchangeCode(deps: Deps, ctx: RequestContext, input: CodeGrantInput): Promise<TokenResponse & { id_token: string; refresh_token: string }> {
  if (!input.clientId) throw new OAuthError('invalid_client', 'client_id is required.');
  if (!input.code || !input.redirectUri) throw new OAuthError('invalid_request', 'code and redirect_uri are required.');
  const nowMs = deps.clock.now();
  const nowIso = isoTime(nowMs);
  const app = await authenticateOidcClient(deps, ctx, input.clientId, input.clientSecret, 'authorization_code');
  const codeHash = hashSecret(input.code);
  const refreshToken = newSecret('prt');
  const result = await deps.store.transaction(async (tx) => {
    const use = await tx.authCodes.use(ctx.tenant.id, codeHash, nowMs);
    if (use.outcome === 'reused' && use.code) await revokeIssued(tx, deps, ctx, use.code, nowIso);
    if (use.outcome !== 'redeemed' || !use.code) return { error: 'The code is invalid, expired or already used.' };
    const code = use.code;
    const problem = bindingProblem(code, app.id, input);
    if (problem) return { error: problem };
    const user = await tx.users.byId(ctx.tenant.id, code.userId);
    if (!user || user.disabled) return { error: 'The user can no longer sign in.' };
    const expiresAt = isoTime(nowMs + deps.config.PORTCULLIS_REFRESH_TOKEN_TTL_S * 1000);
    await tx.sessions.insert({ id: code.sessionId, tenantId: ctx.tenant.id, userId: user.id, amr: code.amr, createdAt: isoTime(code.authTimeS * 1000), expiresAt, revokedAt: null, revokedReason: null, clientId: app.id, scope: code.scope });
    await tx.refreshTokens.insert({ tokenHash: hashSecret(refreshToken), tenantId: ctx.tenant.id, sessionId: code.sessionId, createdAt: nowIso, expiresAt });
    await recordEvent(tx, deps.clock, ctx, {
      type: 'application.token_issued', outcome: 'success', actor: { kind: 'application', id: app.id },
      target: { kind: 'session', id: code.sessionId }, data: { grant_type: 'authorization_code', user_id: user.id, scope: code.scope },
    });
    return { code, user };
  });
  if ('error' in result) throw new OAuthError('invalid_grant', result.error ?? 'invalid_grant');
  const { code, user } = result;
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const ttl = deps.config.PORTCULLIS_ACCESS_TOKEN_TTL_S;
  const accessToken = await deps.keys.sign(ctx.tenant, { iss, sub: user.id, aud: iss, scope: code.scope, sid: code.sessionId, amr: code.amr, client_id: app.id }, ttl);
  const idToken = await signIdToken(deps, ctx.tenant, { iss, clientId: app.id, user, code, ttlS: ttl });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope: code.scope, refresh_token: refreshToken, id_token: idToken };
}
