import { PortcullisError, type ManagementScope } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { Principal, RequestContext } from './context.js';
import { issuerFor, managementAudience } from './deps.js';

/**
 * Authorises a management call: the bearer must be a client-credentials token signed by this
 * tenant's own key with this tenant's issuer (tenant A's admin token is `unauthorized` on B), its
 * application must still exist, and it must hold every required scope.
 */
export async function authorize(deps: Deps, ctx: RequestContext, authorization: string | undefined, required: readonly ManagementScope[]): Promise<Principal> {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '');
  if (!match?.[1]) throw new PortcullisError('unauthorized');
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const claims = await deps.keys.verify(ctx.tenant, match[1], iss, managementAudience(iss));
  if (!claims || typeof claims.sub !== 'string' || !claims.sub.startsWith('app_')) throw new PortcullisError('unauthorized');
  const app = await deps.store.applications.byId(ctx.tenant.id, claims.sub);
  if (!app) throw new PortcullisError('unauthorized');
  const granted = new Set(typeof claims.scope === 'string' ? claims.scope.split(' ') : []);
  const missing = required.filter((s) => !granted.has(s) || !app.scopes.includes(s));
  if (missing.length > 0) throw new PortcullisError('forbidden', { details: { required_scopes: [...required] } });
  return { kind: 'application', id: app.id };
}
