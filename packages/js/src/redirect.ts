import { PortcullisClientError } from './errors.js';
import { getJson, postForm, readTokens, type IssuedTokens, type Transport } from './http.js';
import type { Session } from './options.js';

/** Options of `AuthClient.signInWithRedirect` (OIDC code flow with PKCE, DESIGN §19). */
export interface RedirectSignInOptions {
  /** The `spa` application's id. */
  clientId: string;
  /** One of the application's registered redirect URIs, exactly. */
  redirectUri: string;
  /** Default `openid email`; must include `openid`. */
  scope?: string;
  /** The app's own state (a return path, say), handed back by `handleRedirectCallback`; it never travels on the wire. */
  state?: string;
}

/** The ID token's claims the SDK checked, and the rest as sent (OIDC Core §2). */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  nonce: string;
  sid?: string;
  email?: string;
  email_verified?: boolean;
  [claim: string]: unknown;
}

/** What `AuthClient.handleRedirectCallback` resolves with. */
export interface RedirectResult {
  session: Session;
  /** The raw ID token (for `id_token_hint` at logout) and its checked claims. */
  idToken: string;
  claims: IdTokenClaims;
  /** The `state` given to `signInWithRedirect`, if any. */
  state?: string;
}

/** What a redirect sign-in left in this tab, keyed by its `state`: single use, read once. */
interface Pending {
  verifier: string;
  nonce: string;
  clientId: string;
  redirectUri: string;
  issuer: string;
  tokenEndpoint: string;
  appState?: string;
}

/** Where the browser seams of the redirect flow come from; tests pass fakes. */
export interface RedirectSeams {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  assign: (url: string) => void;
  now: () => number;
}

const KEY = 'portcullis.redirect.';
/** An ID token a minute past `exp` by our clock is refused; a little skew between clocks is not. */
const SKEW_S = 60;

const fail = (code: string, details?: Record<string, unknown>) => new PortcullisClientError(code, details ? { details } : {});

/** 32 random bytes, base64url: 256 bits for the verifier, state and nonce (RFC 7636 §7.1 asks for 256). */
function random(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The issuer's discovery document: under `/tenants/<slug>` when the client names a tenant. */
async function discover(t: Transport): Promise<{ issuer: string; authorization_endpoint: string; token_endpoint: string }> {
  const path = `${t.tenant ? `/tenants/${encodeURIComponent(t.tenant)}` : ''}/.well-known/openid-configuration`;
  const doc = await getJson(t, path) as Record<string, unknown>;
  for (const k of ['issuer', 'authorization_endpoint', 'token_endpoint']) {
    if (typeof doc[k] !== 'string') throw new PortcullisClientError('unexpected_response', { status: 200 });
  }
  return doc as { issuer: string; authorization_endpoint: string; token_endpoint: string };
}

/**
 * Starts the code flow: fresh PKCE verifier (S256), `state` and `nonce`, kept in sessionStorage
 * (this tab only, gone when it closes), then sends the browser to the authorization endpoint.
 */
export async function startRedirect(t: Transport, seams: RedirectSeams, o: RedirectSignInOptions): Promise<void> {
  const { issuer, authorization_endpoint, token_endpoint } = await discover(t);
  const [verifier, state, nonce] = [random(), random(), random()];
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const pending: Pending = {
    verifier, nonce, clientId: o.clientId, redirectUri: o.redirectUri, issuer, tokenEndpoint: token_endpoint,
    ...(o.state === undefined ? {} : { appState: o.state }),
  };
  seams.storage.setItem(KEY + state, JSON.stringify(pending));
  const url = new URL(authorization_endpoint);
  const params = {
    response_type: 'code', client_id: o.clientId, redirect_uri: o.redirectUri, scope: o.scope ?? 'openid email',
    state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  seams.assign(url.toString());
}

/**
 * Finishes the code flow on the redirect URI: the `state` must be one this tab started (CSRF),
 * `iss` must name the issuer it started with (RFC 9207: a mix-up attacker's code is refused
 * before it is sent anywhere), the code is exchanged with the verifier, and the ID token must
 * carry our nonce, our client as audience and that issuer. The ID token's signature is not
 * checked: it came straight from the token endpoint over TLS (OIDC Core §3.1.3.7).
 */
export async function finishRedirect(t: Transport, seams: RedirectSeams, href: string): Promise<{ tokens: IssuedTokens; idToken: string; claims: IdTokenClaims; clientId: string; appState?: string }> {
  const params = new URL(href).searchParams;
  const state = params.get('state');
  const raw = state ? seams.storage.getItem(KEY + state) : null;
  if (!state || raw === null) throw fail('state_mismatch');
  // Single use: a replayed callback URL finds nothing.
  seams.storage.removeItem(KEY + state);
  const p = JSON.parse(raw) as Pending;
  if (params.get('iss') !== p.issuer) throw fail('issuer_mismatch');
  const error = params.get('error');
  if (error) throw new PortcullisClientError(error, { message: params.get('error_description') ?? undefined, status: 400 });
  const code = params.get('code');
  if (!code) throw new PortcullisClientError('unexpected_response');
  // The token endpoint is the issuer's (an absolute URL), not necessarily under `baseUrl`.
  const body = await postForm({ baseUrl: '', fetch: t.fetch }, p.tokenEndpoint, {
    grant_type: 'authorization_code', code, redirect_uri: p.redirectUri, client_id: p.clientId, code_verifier: p.verifier,
  }) as Record<string, unknown>;
  const tokens = readTokens(body);
  const idToken = body['id_token'];
  if (typeof idToken !== 'string') throw new PortcullisClientError('unexpected_response', { status: 200 });
  const claims = checkIdToken(idToken, p, seams.now());
  return { tokens, idToken, claims, clientId: p.clientId, ...(p.appState === undefined ? {} : { appState: p.appState }) };
}

function checkIdToken(idToken: string, p: Pending, nowMs: number): IdTokenClaims {
  let claims: IdTokenClaims;
  try {
    const part = idToken.split('.')[1] ?? '';
    const json = new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
    claims = JSON.parse(json) as IdTokenClaims;
  } catch {
    throw fail('id_token_invalid', { claim: 'format' });
  }
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  // The nonce ties the token to this tab's request: a token replayed from elsewhere lacks it.
  const problem = claims.iss !== p.issuer ? 'issuer' : !audience.includes(p.clientId) ? 'audience'
    : claims.nonce !== p.nonce ? 'nonce' : typeof claims.sub !== 'string' ? 'subject'
      : !(typeof claims.exp === 'number' && claims.exp + SKEW_S > nowMs / 1000) ? 'expiry' : undefined;
  if (problem) throw fail('id_token_invalid', { claim: problem });
  return claims;
}
