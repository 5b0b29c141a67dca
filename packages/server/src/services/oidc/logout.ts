import { decodeJwt } from 'jose';
import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import { isoTime } from '../context.js';
import { recordEvent } from '../audit.js';
import { issuerFor } from '../deps.js';
import { OAuthError } from '../oauth-error.js';

export interface LogoutQuery {
  id_token_hint?: string | undefined;
  post_logout_redirect_uri?: string | undefined;
  state?: string | undefined;
  client_id?: string | undefined;
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). The hint must be an ID token this
 * tenant signed and still unexpired (the key ring's verification checks `exp`; an expired hint is
 * refused rather than trusted); its session is revoked. The browser goes back only to a URI registered for the hint's client, never to one
 * named only in the query.
 */
export async function endSessionFromHint(deps: Deps, ctx: RequestContext, q: LogoutQuery): Promise<{ redirectTo: string | null }> {
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  let clientId = q.client_id;
  let sid: string | undefined;
  let sub: string | undefined;
  if (q.id_token_hint) {
    const claims = await deps.keys.verify(ctx.tenant, q.id_token_hint, iss, q.client_id ?? audOf(q.id_token_hint));
    if (!claims || typeof claims.aud !== 'string') throw new OAuthError('invalid_request', 'id_token_hint is not a valid ID token of this issuer.');
    clientId = claims.aud;
    sid = typeof claims['sid'] === 'string' ? claims['sid'] : undefined;
    sub = claims.sub;
  }
  if (q.post_logout_redirect_uri && !clientId) throw new OAuthError('invalid_request', 'post_logout_redirect_uri needs id_token_hint or client_id.');
  const app = clientId ? await deps.store.applications.byId(ctx.tenant.id, clientId) : undefined;
  if (q.post_logout_redirect_uri && !(app?.postLogoutRedirectUris ?? []).includes(q.post_logout_redirect_uri)) {
    throw new OAuthError('invalid_request', 'post_logout_redirect_uri is not registered for this client.');
  }
  if (sid) {
    const session = await deps.store.sessions.byId(ctx.tenant.id, sid);
    if (session && session.userId === sub) {
      await deps.store.transaction(async (tx) => {
        if (!(await tx.sessions.revoke(ctx.tenant.id, session.id, isoTime(deps.clock.now()), 'logout'))) return;
        await recordEvent(tx, deps.clock, ctx, { type: 'user.signed_out', outcome: 'success', actor: { kind: 'user', id: session.userId }, target: { kind: 'session', id: session.id }, data: { client_id: clientId } });
      });
    }
  }
  if (!q.post_logout_redirect_uri) return { redirectTo: null };
  const url = new URL(q.post_logout_redirect_uri);
  if (q.state) url.searchParams.set('state', q.state);
  return { redirectTo: url.toString() };
}

/** The unverified `aud` of a hint, only to pick the audience the verification then insists on. */
function audOf(token: string): string {
  try {
    const aud = decodeJwt(token).aud;
    return typeof aud === 'string' ? aud : '';
  } catch {
    return '';
  }
}
