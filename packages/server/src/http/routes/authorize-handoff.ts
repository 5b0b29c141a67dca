import type { Deps } from '../../services/deps.js';
import type { RequestContext } from '../../services/context.js';
import { validateAuthorize, type AuthorizeQuery, type AuthorizeOutcome } from '../../services/oidc/authorize-request.js';

/** What a hosted page needs to turn a fresh session into the app's code: the signed request, where to post it, the app's name. */
export interface AuthorizeHandoff { request: string; completeUrl: string; client: string }

/** The handoff for a validated authorize request; `atIssuer` keeps the completion under `/tenants/<slug>`. */
export async function authorizeHandoff(deps: Deps, ctx: RequestContext, outcome: Extract<AuthorizeOutcome, { kind: 'sign_in' }>, atIssuer: boolean): Promise<AuthorizeHandoff> {
  const completeUrl = `${atIssuer ? `/tenants/${ctx.tenant.slug}` : ''}/oauth2/authorize/complete`;
  const client = (await deps.store.applications.byId(ctx.tenant.id, outcome.request.clientId))?.name ?? 'the application';
  return { request: outcome.signed, completeUrl, client };
}

/**
 * The handoff for a return target `authorizeReturn` accepted (a page opened from a mailed link):
 * the request is validated afresh, as `/oauth2/authorize` would — client and redirect URI still
 * registered — and signed anew, so a link followed hours later still completes. A request that no
 * longer holds gives none: the page then only links back to the authorize endpoint, which answers it.
 */
export async function handoffFor(deps: Deps, ctx: RequestContext, path: string): Promise<AuthorizeHandoff | undefined> {
  const query = Object.fromEntries(new URLSearchParams(path.slice(path.indexOf('?') + 1))) as AuthorizeQuery;
  const outcome = await validateAuthorize(deps, ctx, query).catch(() => undefined);
  return outcome?.kind === 'sign_in' ? authorizeHandoff(deps, ctx, outcome, path.startsWith('/tenants/')) : undefined;
}
