import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Harness } from '../support/harness.js';

export const REDIRECT = 'http://127.0.0.1:8765/callback';
export const LOGOUT_RETURN = 'http://127.0.0.1:8765/signed-out';
export const ISSUER = 'http://127.0.0.1:3000/tenants/acme';
export const USER = { email: 'anita@example.com', password: 'correct horse battery staple' };
const FORM = 'application/x-www-form-urlencoded';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Registers an OIDC client through the management API. */
export async function createClient(h: Harness, type: 'spa' | 'web', extra: Record<string, unknown> = {}): Promise<{ client_id: string; client_secret?: string }> {
  const res = await h.api('POST', '/api/v1/applications', {
    name: `${type} app`, scopes: [], type, redirect_uris: [REDIRECT], post_logout_redirect_uris: [LOGOUT_RETURN], ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data;
}

export function authorizeUrl(params: Record<string, string>): string {
  return `/tenants/acme/oauth2/authorize?${new URLSearchParams(params).toString()}`;
}

/** GET /oauth2/authorize for a valid request: the hosted page, and the signed request in its config. */
export async function openAuthorize(h: Harness, params: Record<string, string>): Promise<string> {
  const res = await h.app.inject({ url: authorizeUrl(params) });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  const json = /<script type="application\/json" id="portcullis-config">(.*?)<\/script>/s.exec(res.body)?.[1];
  const config = JSON.parse(json!) as { authorize: { request: string; completeUrl: string } };
  expect(config.authorize.completeUrl).toBe('/tenants/acme/oauth2/authorize/complete');
  return config.authorize.request;
}

/** What the page does after signing in: posts the request with its fresh access token. */
export async function complete(h: Harness, request: string, accessToken: string) {
  return h.app.inject({ method: 'POST', url: '/tenants/acme/oauth2/authorize/complete', payload: { request, access_token: accessToken } });
}

export async function signIn(h: Harness): Promise<string> {
  const res = await h.login(USER);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data.access_token;
}

/** The whole front channel: authorize, sign in, complete; returns the redirect URL. */
export async function codeFor(h: Harness, clientId: string, extra: Record<string, string> = {}): Promise<URL> {
  const request = await openAuthorize(h, { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'openid email', state: 'st-1', nonce: 'n-1', ...extra });
  const res = await complete(h, request, await signIn(h));
  expect(res.statusCode, res.body).toBe(200);
  return new URL(res.json().redirect_to);
}

export function token(h: Harness, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return h.app.inject({ method: 'POST', url: '/tenants/acme/oauth2/token', headers: { 'content-type': FORM, ...headers }, payload: new URLSearchParams(fields).toString() });
}
