import { MANAGEMENT_SCOPES } from '@portcullis/protocol';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../services/deps.js';
import type { TenantRecord } from '../../ports/store.js';
import { issuerFor } from '../../services/deps.js';
import { requestContext } from '../context.js';
import type { App } from '../typed-app.js';

function discovery(deps: Deps, tenant: TenantRecord) {
  const issuer = issuerFor(deps.config, tenant.slug);
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    userinfo_endpoint: `${issuer}/oauth2/userinfo`,
    end_session_endpoint: `${issuer}/oauth2/logout`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    // RFC 9207: the authorization response names its issuer, so a client can tell mix-ups apart.
    authorization_response_iss_parameter_supported: true,
    // `none`: a spa is a public client, held to PKCE instead.
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    id_token_signing_alg_values_supported: ['ES256'],
    subject_types_supported: ['public'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'amr', 'sid', 'email', 'email_verified'],
    scopes_supported: ['openid', 'email', 'offline_access', ...MANAGEMENT_SCOPES],
  };
}

/** JWKS and discovery, per tenant: by Host/X-Tenant at the root, or under the issuer path `/tenants/<slug>`. */
export async function wellKnownRoutes(app: App, deps: Deps): Promise<void> {
  const tenantOf = async (request: FastifyRequest) => {
    const slug = (request.params as { slug?: string }).slug;
    return slug ? deps.tenants.resolve(undefined, slug) : (await requestContext(deps, request)).tenant;
  };
  const cache = { 'Cache-Control': 'public, max-age=300' };
  for (const [prefix, suffix] of [['', ''], ['/tenants/:slug', 'AtIssuer']] as const) {
    app.get(`${prefix}/.well-known/jwks.json`, { schema: { tags: ['discovery'], operationId: `getJwks${suffix}` } }, async (request, reply) => {
      reply.headers(cache);
      return deps.keys.jwks(await tenantOf(request));
    });
    app.get(`${prefix}/.well-known/openid-configuration`, { schema: { tags: ['discovery'], operationId: `getOpenidConfiguration${suffix}` } }, async (request, reply) => {
      reply.headers(cache);
      return discovery(deps, await tenantOf(request));
    });
  }
}
