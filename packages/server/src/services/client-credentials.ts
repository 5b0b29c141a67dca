import type { TokenResponse } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import { clientSecretMatches } from '../domain/secret-hash.js';
import { isoTime } from './context.js';
import { issuerFor, managementAudience } from './deps.js';
import { OAuthError } from './oauth-error.js';
import { clientAuthThrottled, recordClientAuthFailure } from './client-auth-throttle.js';

/**
 * OAuth2 client credentials (DESIGN §9). Machines never meet a captcha; guessing secrets is instead
 * throttled per client id and address and per address, checked before the secret is compared, by the
 * one client-authentication throttle every grant shares (client-auth-throttle.ts).
 */
export async function issueClientToken(deps: Deps, ctx: RequestContext, input: { clientId: string; clientSecret: string; scope: string | undefined }): Promise<TokenResponse> {
  const throttled = await clientAuthThrottled(deps, ctx, input.clientId);
  if (throttled) {
    deps.metrics.clientTokens.inc({ outcome: 'rate_limited' });
    throw throttled;
  }
  const app = await deps.store.applications.byId(ctx.tenant.id, input.clientId);
  if (!app || !clientSecretMatches(app, input.clientSecret, isoTime(deps.clock.now()))) {
    await recordClientAuthFailure(deps, ctx, input.clientId, app);
    deps.metrics.clientTokens.inc({ outcome: 'invalid_client' });
    throw new OAuthError('invalid_client', 'Client authentication failed.');
  }
  const requested = input.scope?.split(' ').filter(Boolean) ?? app.scopes;
  const refused = requested.filter((s) => !app.scopes.includes(s));
  if (refused.length > 0) {
    deps.metrics.clientTokens.inc({ outcome: 'invalid_scope' });
    throw new OAuthError('invalid_scope', `Scope not allowed for this client: ${refused.join(' ')}`);
  }
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const scope = requested.join(' ');
  const accessToken = await deps.keys.sign(ctx.tenant, { iss, sub: app.id, aud: managementAudience(iss), scope, client_id: app.id }, app.tokenTtlS);
  await deps.auditWriter.record(ctx, {
    type: 'application.token_issued', outcome: 'success', actor: { kind: 'application', id: app.id },
    target: { kind: 'application', id: app.id }, data: { scope },
  });
  deps.metrics.clientTokens.inc({ outcome: 'success' });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: app.tokenTtlS, scope };
}
