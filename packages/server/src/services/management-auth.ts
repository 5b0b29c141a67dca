import { PortcullisError, type ManagementScope } from '@portcullis/protocol';
import type { Deps } from './deps.js';
import type { Principal, RequestContext } from './context.js';
import { issuerFor, managementAudience } from './deps.js';
import { managementScopesFor } from '../domain/roles.js';

type Claims = NonNullable<Awaited<ReturnType<Deps['keys']['verify']>>>;

function forbidden(required: readonly ManagementScope[]): PortcullisError {
  return new PortcullisError('forbidden', { details: { required_scopes: [...required] } });
}

/**
 * A user's access token (DESIGN §14): honoured while its session is open and its user still
 * exists, is enabled and still holds the role. The role is re-read on every call, so removing
 * `admin` ends console access at the next request, not when the token expires.
 */
async function userPrincipal(deps: Deps, ctx: RequestContext, claims: Claims, required: readonly ManagementScope[]): Promise<Principal> {
  const user = await deps.store.users.byId(ctx.tenant.id, claims.sub as string);
  if (!user || user.disabled) throw new PortcullisError('unauthorized');
  const session = typeof claims.sid === 'string' ? await deps.store.sessions.byId(ctx.tenant.id, claims.sid) : undefined;
  if (!session || session.revokedAt || session.userId !== user.id) throw new PortcullisError('unauthorized');
  const granted = new Set(typeof claims.scope === 'string' ? claims.scope.split(' ') : []);
  const held = managementScopesFor(user.roles);
  if (required.some((s) => !granted.has(s) || !held.includes(s))) throw forbidden(required);
  return { kind: 'user', id: user.id };
}

/**
 * Authorises a management call. The bearer is signed by this tenant's own key with this tenant's
 * issuer (tenant A's admin token is `unauthorized` on B) and is either a client-credentials token
 * (audience `<issuer>/api`) whose application still exists, or a user's access token (audience
 * the issuer). Either way it must hold every required scope.
 */
export async function authorize(deps: Deps, ctx: RequestContext, authorization: string | undefined, required: readonly ManagementScope[]): Promise<Principal> {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '');
  if (!match?.[1]) throw new PortcullisError('unauthorized');
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const machine = await deps.keys.verify(ctx.tenant, match[1], iss, managementAudience(iss));
  if (!machine) {
    const person = await deps.keys.verify(ctx.tenant, match[1], iss, iss);
    if (!person || typeof person.sub !== 'string' || !person.sub.startsWith('usr_')) throw new PortcullisError('unauthorized');
    return userPrincipal(deps, ctx, person, required);
  }
  if (typeof machine.sub !== 'string' || !machine.sub.startsWith('app_')) throw new PortcullisError('unauthorized');
  const app = await deps.store.applications.byId(ctx.tenant.id, machine.sub);
  if (!app) throw new PortcullisError('unauthorized');
  const granted = new Set(typeof machine.scope === 'string' ? machine.scope.split(' ') : []);
  if (required.some((s) => !granted.has(s) || !app.scopes.includes(s))) throw forbidden(required);
  return { kind: 'application', id: app.id };
}
