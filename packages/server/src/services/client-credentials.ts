import type { TokenResponse } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
import { hashSecret, sameSecretHash } from '../domain/secret-hash.js';
import { isoTime } from './context.js';
import { issuerFor, managementAudience } from './deps.js';
import { OAuthError } from './oauth-error.js';
import { withCounters } from './risk/counter-outage.js';
import { counterKey } from '../domain/ip/address.js';

const WINDOW_MS = 15 * 60 * 1000;
/** Failures from one address (any client ids) allowed per window, as a multiple of the per client+address limit. */
const ADDRESS_FACTOR = 10;
/** Failures for one client id (from every address) per window after which the spray is audited, as a multiple. */
const CEILING_FACTOR = 100;

type Throttle = 'clientAddress' | 'address' | 'client';

/**
 * The throttle's counters, by name. IPv6 addresses count on their /64, as sign-in does: one host
 * holds the whole prefix.
 */
function throttleKeys(tenantId: string, clientId: string, ip: string): Record<Throttle, string> {
  const address = counterKey(ip) ?? ip;
  return { clientAddress: `cc:${tenantId}:ca:${clientId}|${address}`, address: `cc:${tenantId}:ip:${address}`, client: `cc:${tenantId}:client:${clientId}` };
}

/**
 * OAuth2 client credentials (DESIGN §9). Machines never meet a captcha; guessing secrets is instead
 * throttled per client id and address and per address, checked before the secret is compared.
 *
 * A `client_id` is not a secret (it sits in configs, logs, browser bundles), so no limit counted
 * per client id alone may refuse: anyone could lock out every integration, the tenant's admin
 * application included. Failures for one client from all addresses only reach a ceiling, far
 * higher, that is audited (`application.token_failed`, reason `client_ceiling`, once a window)
 * and refuses nothing: a correct secret is always answered, and from an address with no
 * failures it is never throttled. A 256-bit secret is not found by guessing, so the ceiling is
 * for the tenant to see a spray, not for stopping it.
 */
export async function issueClientToken(deps: Deps, ctx: RequestContext, input: { clientId: string; clientSecret: string; scope: string | undefined }): Promise<TokenResponse> {
  const limit = deps.config.PORTCULLIS_CLIENT_AUTH_LIMIT;
  const keys = throttleKeys(ctx.tenant.id, input.clientId, ctx.ip);
  // With the counter store down the throttle cannot count; client secrets carry 256 random bits, so
  // guessing stays hopeless without it: machines keep their tokens, and the outage is audited.
  const [pair, address] = await withCounters(deps, ctx.tenant.id, () => deps.counters.inspect([keys.clientAddress, keys.address])) ?? [];
  const over = (r: { count: number; ttlMs: number } | undefined, max: number) => (r !== undefined && r.count >= max ? [r.ttlMs] : []);
  const waits = [...over(pair, limit), ...over(address, limit * ADDRESS_FACTOR)];
  if (waits.length > 0) {
    deps.metrics.clientTokens.inc({ outcome: 'rate_limited' });
    throw new OAuthError('rate_limited', 'Too many failed client authentications; try again later.', 429, Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
  }
  const app = await deps.store.applications.byId(ctx.tenant.id, input.clientId);
  const given = hashSecret(input.clientSecret);
  const nowIso = isoTime(deps.clock.now());
  const valid = !!app && (sameSecretHash(given, app.secretHash)
    || (!!app.previousSecretHash && !!app.previousSecretExpiresAt && app.previousSecretExpiresAt > nowIso && sameSecretHash(given, app.previousSecretHash)));
  if (!app || !valid) {
    const counts = await withCounters(deps, ctx.tenant.id, () => deps.counters.hit([keys.clientAddress, keys.address, keys.client].map((key) => ({ key, windowMs: WINDOW_MS }))));
    // Exactly one failure sees the count reach the ceiling (hits are atomic): one row a window, not one per guess.
    const [, , forClient] = counts ?? [];
    const ceiling = limit * CEILING_FACTOR;
    const atCeiling = forClient === ceiling;
    await deps.auditWriter.record(ctx, {
      type: 'application.token_failed', outcome: 'failure', actor: { kind: 'application', id: app?.id ?? null },
      target: { kind: 'application', id: app?.id ?? null },
      data: {
        error: 'invalid_client', client_id: input.clientId.slice(0, 64),
        ...(atCeiling ? { reason: 'client_ceiling', failures: ceiling, window_s: WINDOW_MS / 1000 } : { reason: app ? 'wrong_secret' : 'unknown_client' }),
      },
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
