import type { ApplicationRecord } from '../ports/store.js';
import type { Deps } from './deps.js';
import type { RequestContext } from './context.js';
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
 * holds the whole prefix. One set of keys for every grant that authenticates a client: guesses at
 * a `web` client's secret through the code grant and through client credentials add up.
 */
function throttleKeys(tenantId: string, clientId: string, ip: string): Record<Throttle, string> {
  const address = counterKey(ip) ?? ip;
  return { clientAddress: `cc:${tenantId}:ca:${clientId}|${address}`, address: `cc:${tenantId}:ip:${address}`, client: `cc:${tenantId}:client:${clientId}` };
}

/**
 * The client-authentication throttle (DESIGN §9), shared by every grant that checks a client secret;
 * checked before the secret is compared. Answers the 429 to throw, or undefined.
 *
 * A `client_id` is not a secret (it sits in configs, logs, browser bundles), so no limit counted
 * per client id alone may refuse: anyone could lock out every integration, the tenant's admin
 * application included. Failures for one client from all addresses only reach a ceiling, far
 * higher, that is audited (`application.token_failed`, reason `client_ceiling`, once a window)
 * and refuses nothing: a correct secret is always answered, and from an address with no
 * failures it is never throttled. A 256-bit secret is not found by guessing, so the ceiling is
 * for the tenant to see a spray, not for stopping it.
 */
export async function clientAuthThrottled(deps: Deps, ctx: RequestContext, clientId: string): Promise<OAuthError | undefined> {
  const limit = deps.config.PORTCULLIS_CLIENT_AUTH_LIMIT;
  const keys = throttleKeys(ctx.tenant.id, clientId, ctx.ip);
  // With the counter store down the throttle cannot count; client secrets carry 256 random bits, so
  // guessing stays hopeless without it: clients keep their tokens, and the outage is audited.
  const [pair, address] = await withCounters(deps, ctx.tenant.id, () => deps.counters.inspect([keys.clientAddress, keys.address])) ?? [];
  const over = (r: { count: number; ttlMs: number } | undefined, max: number) => (r !== undefined && r.count >= max ? [r.ttlMs] : []);
  const waits = [...over(pair, limit), ...over(address, limit * ADDRESS_FACTOR)];
  if (waits.length === 0) return undefined;
  return new OAuthError('rate_limited', 'Too many failed client authentications; try again later.', 429, Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
}

/** Counts a failed client authentication and audits it (`application.token_failed`); the secret itself is never recorded. */
export async function recordClientAuthFailure(deps: Deps, ctx: RequestContext, clientId: string, app: ApplicationRecord | undefined, grantType?: string): Promise<void> {
  const limit = deps.config.PORTCULLIS_CLIENT_AUTH_LIMIT;
  const keys = throttleKeys(ctx.tenant.id, clientId, ctx.ip);
  const counts = await withCounters(deps, ctx.tenant.id, () => deps.counters.hit([keys.clientAddress, keys.address, keys.client].map((key) => ({ key, windowMs: WINDOW_MS }))));
  // Exactly one failure sees the count reach the ceiling (hits are atomic): one row a window, not one per guess.
  const [, , forClient] = counts ?? [];
  const ceiling = limit * CEILING_FACTOR;
  const atCeiling = forClient === ceiling;
  await deps.auditWriter.record(ctx, {
    type: 'application.token_failed', outcome: 'failure', actor: { kind: 'application', id: app?.id ?? null },
    target: { kind: 'application', id: app?.id ?? null },
    data: {
      error: 'invalid_client', client_id: clientId.slice(0, 64), ...(grantType ? { grant_type: grantType } : {}),
      ...(atCeiling ? { reason: 'client_ceiling', failures: ceiling, window_s: WINDOW_MS / 1000 } : { reason: app ? 'wrong_secret' : 'unknown_client' }),
    },
  });
}
