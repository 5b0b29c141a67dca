import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import { isoTime } from '../context.js';
import { issuerFor } from '../deps.js';
import { OAuthError } from '../oauth-error.js';
import { userClaims } from './id-token.js';

/**
 * `GET /oauth2/userinfo` (OIDC Core §5.3): a user access token of this tenant whose session is
 * still alive. A revoked session (logout, code reuse) stops answering at once, not at expiry.
 */
export async function userInfo(deps: Deps, ctx: RequestContext, authorization: string | undefined): Promise<{ sub: string; email: string; email_verified: boolean }> {
  const bearer = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '')?.[1];
  if (!bearer) throw new OAuthError('invalid_token', 'A Bearer access token is required.');
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const claims = await deps.keys.verify(ctx.tenant, bearer, iss, iss);
  const sid = typeof claims?.sid === 'string' ? claims.sid : undefined;
  const session = sid ? await deps.store.sessions.byId(ctx.tenant.id, sid) : undefined;
  if (!session || session.revokedAt || session.expiresAt <= isoTime(deps.clock.now()) || session.userId !== claims?.sub) {
    throw new OAuthError('invalid_token', 'The access token is invalid, expired or revoked.');
  }
  const user = await deps.store.users.byId(ctx.tenant.id, session.userId);
  if (!user || user.disabled) throw new OAuthError('invalid_token', 'The access token is invalid, expired or revoked.');
  return { sub: user.id, ...userClaims(user) };
}
