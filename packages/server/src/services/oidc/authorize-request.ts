import type { ApplicationRecord } from '../../ports/store.js';
import type { Deps } from '../deps.js';
import type { RequestContext } from '../context.js';
import { issuerFor } from '../deps.js';
import { OAuthError, type OAuthErrorCode } from '../oauth-error.js';

/** The query of `GET /oauth2/authorize` as it arrives (every field optional: the service says what is missing). */
export interface AuthorizeQuery {
  response_type?: string | undefined;
  client_id?: string | undefined;
  redirect_uri?: string | undefined;
  scope?: string | undefined;
  state?: string | undefined;
  nonce?: string | undefined;
  code_challenge?: string | undefined;
  code_challenge_method?: string | undefined;
}

/** A validated authorization request: what the code will be bound to. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
}

export type AuthorizeOutcome =
  | { kind: 'sign_in'; request: AuthorizeRequest; signed: string }
  | { kind: 'redirect'; location: string };

/** The signed request stays valid this long: time enough to sign in, captcha and email code included. */
const REQUEST_TTL_S = 15 * 60;
const REQUEST_TYP = 'oauth-authz-req+jwt';
/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export const authorizeAudience = (issuer: string) => `${issuer}/oauth2/authorize`;

/** `<redirect_uri>?…&state=…&iss=…` (RFC 9207): the answer of a registered redirect URI, success or error. */
export function redirectWith(redirectUri: string, params: Record<string, string>, state: string | null, iss: string): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (state !== null) url.searchParams.set('state', state);
  url.searchParams.set('iss', iss);
  return url.toString();
}

/**
 * Validates `GET /oauth2/authorize` (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2). Until client
 * and redirect URI are known good, errors are answered here (throws): sending them to an
 * unregistered URI would make this server an open redirector. After that, errors go back to
 * the app's redirect URI with its `state`.
 */
export async function validateAuthorize(deps: Deps, ctx: RequestContext, q: AuthorizeQuery): Promise<AuthorizeOutcome> {
  if (!q.client_id) throw new OAuthError('invalid_request', 'client_id is required.');
  const app = await deps.store.applications.byId(ctx.tenant.id, q.client_id);
  if (!app || (app.type ?? 'machine') === 'machine') throw new OAuthError('invalid_request', 'Unknown client_id, or the application is not a spa or web client.');
  if (!q.redirect_uri) throw new OAuthError('invalid_request', 'redirect_uri is required.');
  // Exact string match (RFC 9700 §4.1.3): no prefix, wildcard or normalisation tricks.
  if (!(app.redirectUris ?? []).includes(q.redirect_uri)) throw new OAuthError('invalid_request', 'redirect_uri is not registered for this client.');
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const state = q.state ?? null;
  const fail = (error: OAuthErrorCode, description: string): AuthorizeOutcome =>
    ({ kind: 'redirect', location: redirectWith(q.redirect_uri!, { error, error_description: description }, state, iss) });
  const problem = requestProblem(app, q);
  if (problem) return fail(problem[0], problem[1]);
  const request: AuthorizeRequest = {
    clientId: app.id, redirectUri: q.redirect_uri, scope: scopeOf(q.scope!), state, nonce: q.nonce ?? null, codeChallenge: q.code_challenge ?? null,
  };
  const nowS = Math.floor(deps.clock.now() / 1000);
  const signed = await deps.keys.signDocument(ctx.tenant, REQUEST_TYP, {
    iss, aud: authorizeAudience(iss), iat: nowS, exp: nowS + REQUEST_TTL_S,
    client_id: request.clientId, redirect_uri: request.redirectUri, scope: request.scope, state: request.state, nonce: request.nonce, code_challenge: request.codeChallenge,
  });
  return { kind: 'sign_in', request, signed };
}

/** Only the scopes this server knows about for people go into a code; `openid` is required. */
function scopeOf(scope: string): string {
  const known = new Set(['openid', 'email', 'profile', 'offline_access']);
  return [...new Set(scope.split(' ').filter((s) => known.has(s)))].join(' ');
}

function requestProblem(app: ApplicationRecord, q: AuthorizeQuery): [OAuthErrorCode, string] | undefined {
  if (q.response_type !== 'code') return ['unsupported_response_type', 'Only response_type=code is supported.'];
  if (!q.scope?.split(' ').includes('openid')) return ['invalid_scope', 'scope must include openid.'];
  if (q.code_challenge_method !== undefined && q.code_challenge_method !== 'S256') return ['invalid_request', 'Only code_challenge_method=S256 is supported.'];
  if (q.code_challenge !== undefined && !S256_CHALLENGE.test(q.code_challenge)) return ['invalid_request', 'code_challenge must be 43 base64url characters (S256).'];
  if (q.code_challenge !== undefined && q.code_challenge_method === undefined) return ['invalid_request', 'code_challenge_method=S256 is required with code_challenge (plain is not supported).'];
  // A public client has no secret: without PKCE a stolen code would be as good as tokens.
  if (app.type === 'spa' && q.code_challenge === undefined) return ['invalid_request', 'A public client must use PKCE (code_challenge with S256).'];
  return undefined;
}

/** Reads back a request this server signed; null when forged, expired or another tenant's. */
export async function readAuthorizeRequest(deps: Deps, ctx: RequestContext, signed: string): Promise<(AuthorizeRequest & { issuedAtS: number }) | null> {
  const iss = issuerFor(deps.config, ctx.tenant.slug);
  const claims = await deps.keys.verify(ctx.tenant, signed, iss, authorizeAudience(iss));
  if (!claims || typeof claims['client_id'] !== 'string' || typeof claims['redirect_uri'] !== 'string' || typeof claims['scope'] !== 'string') return null;
  // An access token has another audience; this checks the document is a request, not some other signed thing.
  if (claims.aud !== authorizeAudience(iss)) return null;
  const opt = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    clientId: claims['client_id'], redirectUri: claims['redirect_uri'], scope: claims['scope'],
    state: opt(claims['state']), nonce: opt(claims['nonce']), codeChallenge: opt(claims['code_challenge']), issuedAtS: claims.iat ?? 0,
  };
}
