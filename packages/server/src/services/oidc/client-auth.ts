import type { ApplicationRecord } from '../../ports/store.js';
import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import { clientSecretMatches } from '../../domain/secret-hash.js';
import { isoTime } from '../context.js';
import { OAuthError } from '../oauth-error.js';
import { clientAuthThrottled, recordClientAuthFailure } from '../client-auth-throttle.js';

/**
 * Authenticates the client of a code or refresh grant: a `web` client by its secret (the previous
 * one during the overlap), a `spa` by its id alone (public, RFC 6749 §2.1). Guesses at a web
 * client's secret meet the same throttle as client credentials (per client+address and per
 * address, checked before the secret is compared), so the code grant is no side door for them.
 */
export async function authenticateOidcClient(deps: Deps, ctx: RequestContext, clientId: string, secret: string | undefined, grantType: string): Promise<ApplicationRecord> {
  const throttled = await clientAuthThrottled(deps, ctx, clientId);
  if (throttled) throw throttled;
  const app = await deps.store.applications.byId(ctx.tenant.id, clientId);
  if (!app) {
    await recordClientAuthFailure(deps, ctx, clientId, undefined, grantType);
    throw new OAuthError('invalid_client', 'Client authentication failed.');
  }
  // A machine client is a real client, not a guess: refused, not counted.
  if ((app.type ?? 'machine') === 'machine') throw new OAuthError('invalid_client', 'Client authentication failed.');
  if (app.type === 'spa') return app;
  if (!secret) throw new OAuthError('invalid_client', 'Client authentication is required.');
  if (!clientSecretMatches(app, secret, isoTime(deps.clock.now()))) {
    await recordClientAuthFailure(deps, ctx, clientId, app, grantType);
    throw new OAuthError('invalid_client', 'Client authentication failed.');
  }
  return app;
}
