import type { TokenResponse } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import { hashSecret, sameSecretHash } from '../domain/secret-hash.js';
import { isoTime } from './context.js';
import { issuerFor, managementAudience } from './deps.js';
import { OAuthError } from './oauth-error.js';
import { withCounters } from './risk/counter-outage.js';

const WINDOW_MS = 15 * 60 * 1000;

/**
 * OAuth2 client credentials (DESIGN §9). Machines never meet a captcha; guessing secrets is instead
 * throttled per client id and per IP, and the check runs before the secret is compared.
 */
export async function issueClientToken(deps: Deps, ctx: RequestContext, input: { clientId: string; clientSecret: string; scope: string | undefined }): Promise<TokenResponse> {
  const limit = deps.config.PORTCULLIS_CLIENT_AUTH_LIMIT;
  const keys = [`cc:${ctx.tenant.id}:client:${input.clientId}`, `cc:${ctx.tenant.id}:ip:${ctx.ip}`];
  // With the counter store down the throttle cannot count; client secrets carry 256 random bits, so
  // guessing stays hopeless without it: machines keep their tokens, and the outage is audited.
  const [byClient = 0, byIp = 0] = await withCounters(deps, ctx.tenant.id, () => deps.counters.peek(keys)) ?? [];
  if (byClient >= limit || byIp >= limit * 10) {
    deps.metrics.clientTokens.inc({ outcome: 'rate_limited' });
    throw new OAuthError('rate_limited', 'Too many failed client authentications; try again later.', 429, WINDOW_MS / 1000);
  }
  const app = await deps.store.applications.byId(ctx.tenant.id, input.clientId);
  const given = hashSecret(input.clientSecret);
  const nowIso = isoTime(deps.clock.now());
  const valid = !!app && (sameSecretHash(given, app.secretHash)
    || (!!app.previousSecretHash && !!app.previousSecretExpiresAt && app.previousSecretExpiresAt > nowIso && sameSecretHash(given, app.previousSecretHash)));
  if (!app || !valid) {
    await withCounters(deps, ctx.tenant.id, () => deps.counters.hit(keys.map((key) => ({ key, windowMs: WINDOW_MS }))));
    await deps.auditWriter.record(ctx, {
      type: 'application.token_failed', outcome: 'failure', actor: { kind: 'application', id: app?.id ?? null },
      target: { kind: 'application', id: app?.id ?? null }, data: { error: 'invalid_client', client_id: input.clientId.slice(0, 64) },
    });
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
