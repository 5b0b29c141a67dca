import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorEnvelope, OAuthErrorBody, type ManagementScope } from '@portcullis/protocol';
import type { Deps } from '../services/deps.js';
import type { Principal, RequestContext } from '../services/context.js';
import { authorize } from '../services/management-auth.js';
import { requestContext } from './context.js';
import { named } from './openapi.js';

type Guarded = FastifyRequest & { principal?: Principal };

/** preHandler for management routes: tenant, then bearer token, then scopes. */
export function requireScopes(deps: Deps, ...scopes: ManagementScope[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const ctx = await requestContext(deps, request);
    (request as Guarded).principal = await authorize(deps, ctx, request.headers.authorization, scopes);
  };
}

/** The context and principal a guarded route was admitted with. */
export async function guarded(deps: Deps, request: FastifyRequest): Promise<{ ctx: RequestContext; actor: Principal }> {
  const actor = (request as Guarded).principal;
  if (!actor) throw new Error('route is missing its requireScopes guard');
  return { ctx: await requestContext(deps, request), actor };
}

const Error_ = named('Error', ErrorEnvelope);
const OAuthError_ = named('OAuthError', OAuthErrorBody);

/** Error statuses every API route may answer, for the OpenAPI document and the serialiser. */
export const errorResponses = { '4xx': Error_, '5xx': Error_ } as const;

/** Error statuses of the OAuth endpoints (RFC 6749 §5.2 bodies). */
export const oauthErrorResponses = { '4xx': OAuthError_, '5xx': OAuthError_ } as const;

export const bearerSecurity = [{ bearer: [] }];
