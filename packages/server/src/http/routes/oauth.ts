import type { FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import { FORBIDDEN_IN_IDENTIFIERS, TokenRequest, TokenResponse } from '@portcullis/protocol';
import type { Deps } from '../../services/deps.js';
import { issueClientToken } from '../../services/client-credentials.js';
import { refreshSession } from '../../services/sessions.js';
import { exchangeCode } from '../../services/oidc/code-grant.js';
import { OAuthError } from '../../services/oauth-error.js';
import { requestContext } from '../context.js';
import { oauthErrorResponses } from '../guard.js';
import { named } from '../openapi.js';
import type { App } from '../typed-app.js';

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials.');
  let id: string;
  let secret: string;
  try {
    id = decodeURIComponent(decoded.slice(0, colon));
    secret = decodeURIComponent(decoded.slice(colon + 1));
  } catch {
    throw new OAuthError('invalid_client', 'Malformed Basic credentials.');
  }
  // The header bypasses the body schema: bound and clean it here (a NUL would reach the database).
  if (id.length > 128 || secret.length > 256 || FORBIDDEN_IN_IDENTIFIERS.test(id) || /[\u0000-\u001f]/.test(secret)) throw new OAuthError('invalid_client', 'Malformed Basic credentials.');
  return { id, secret };
}

/** The client of a code or refresh grant: Basic credentials, or `client_id` (and a web client's `client_secret`) in the body. */
function clientOf(request: FastifyRequest, body: { client_id?: string | undefined; client_secret?: string | undefined }): { id: string | undefined; secret: string | undefined } {
  const basic = basicCredentials(request);
  if (basic && body.client_secret) throw new OAuthError('invalid_request', 'Use one client authentication method, not two.');
  if (basic && body.client_id && body.client_id !== basic.id) throw new OAuthError('invalid_request', 'client_id does not match the Basic credentials.');
  return { id: basic?.id ?? body.client_id, secret: basic?.secret ?? body.client_secret };
}

export async function oauthRoutes(app: App, deps: Deps): Promise<void> {
  await app.register(formbody, { bodyLimit: deps.config.PORTCULLIS_BODY_LIMIT });
  // Also under the issuer path, as discovery advertises it: the tenant then comes from the URL.
  // Every alias answers RFC 6749 bodies: the envelope is the route's, not the URL's.
  const aliases = [['/oauth2/token', 'requestToken'], ['/tenants/:slug/oauth2/token', 'requestTokenAtIssuer']] as const;
  for (const [path, operationId] of aliases) app.post(path, {
    config: { envelope: 'oauth' },
    schema: {
      tags: ['oauth2'], operationId, summary: 'Authorization code (PKCE), client credentials and refresh-token rotation',
      consumes: ['application/x-www-form-urlencoded'],
      body: named('TokenRequest', TokenRequest), response: { 200: named('TokenResponse', TokenResponse), ...oauthErrorResponses },
    },
  }, async (request, reply) => {
    if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
    }
    const body = request.body;
    const ctx = await requestContext(deps, request);
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    if (body.grant_type === 'client_credentials') {
      const basic = basicCredentials(request);
      if (basic && body.client_secret) throw new OAuthError('invalid_request', 'Use one client authentication method, not two.');
      const clientId = basic?.id ?? body.client_id;
      const clientSecret = basic?.secret ?? body.client_secret;
      if (!clientId || !clientSecret) throw new OAuthError('invalid_client', 'Client authentication is required.');
      return issueClientToken(deps, ctx, { clientId, clientSecret, scope: body.scope });
    }
    if (body.grant_type === 'refresh_token') {
      if (!body.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required.');
      const client = clientOf(request, body);
      const tokens = await refreshSession(deps, ctx, body.refresh_token, { clientId: client.id, clientSecret: client.secret });
      return { access_token: tokens.accessToken, token_type: 'Bearer' as const, expires_in: tokens.expiresIn, refresh_token: tokens.refreshToken };
    }
    if (body.grant_type === 'authorization_code') {
      const client = clientOf(request, body);
      return exchangeCode(deps, ctx, {
        clientId: client.id, clientSecret: client.secret,
        code: body.code, redirectUri: body.redirect_uri, codeVerifier: body.code_verifier,
      });
    }
    throw new OAuthError('unsupported_grant_type', 'Supported grant types: authorization_code, client_credentials, refresh_token.');
  });
}
