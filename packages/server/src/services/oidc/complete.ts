import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import { newId, newSecret } from '../../ports/ids.js';
import { hashSecret } from '../../domain/secret-hash.js';
import { isoTime } from '../context.js';
import { issuerFor } from '../deps.js';
import { OAuthError } from '../oauth-error.js';
import { readAuthorizeRequest, redirectWith } from './authorize-request.js';

/** RFC 6749 §4.1.2 recommends at most 10 minutes; one is plenty for a redirect and a back-channel call. */
export const CODE_TTL_MS = 60_000;

/**
 * Turns a session the hosted page has just started into an authorization code for the app that
 * asked (the page posts the signed request and its fresh access token). The session must be
 * younger than the request: a token left over from an earlier sign-in cannot mint codes.
 */
export async function completeAuthorization(deps: Deps, ctx: RequestContext, input: { request: string; accessToken: string }): Promise<{ redirectTo: string }> {
  const request = await readAuthorizeRequest(deps, ctx, input.request);
  if (!request) throw new OAuthError('invalid_request', 'The authorization request is invalid or expired; start again from the application.');
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const claims = await deps.keys.verify(ctx.tenant, input.accessToken, iss, iss);
  const sid = typeof claims?.sid === 'string' ? claims.sid : undefined;
  const session = sid ? await deps.store.sessions.byId(ctx.tenant.id, sid) : undefined;
  const app = await deps.store.applications.byId(ctx.tenant.id, request.clientId);
  // The client may have been deleted or its URIs changed since the request was signed.
  if (!app || !(app.redirectUris ?? []).includes(request.redirectUri)) throw new OAuthError('invalid_request', 'The application or its redirect URI is no longer registered.');
  const nowMs = deps.clock.now();
  if (!session || session.revokedAt || session.expiresAt <= isoTime(nowMs) || session.userId !== claims?.sub) {
    throw new OAuthError('access_denied', 'Sign in again to continue.');
  }
  const authTimeS = Math.floor(Date.parse(session.createdAt) / 1000);
  if (authTimeS < request.issuedAtS) throw new OAuthError('access_denied', 'Sign in on this page to continue.');
  const user = await deps.store.users.byId(ctx.tenant.id, session.userId);
  if (!user || user.disabled) throw new OAuthError('access_denied', 'Sign in again to continue.');
  const code = newSecret('pac');
  await deps.store.authCodes.insert({
    codeHash: hashSecret(code), tenantId: ctx.tenant.id, clientId: request.clientId, redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge, nonce: request.nonce, scope: request.scope, userId: user.id, sessionId: newId('ses'),
    amr: session.amr, authTimeS, expiresMs: nowMs + CODE_TTL_MS, createdAt: isoTime(nowMs),
  });
  return { redirectTo: redirectWith(request.redirectUri, { code }, request.state, iss) };
}

