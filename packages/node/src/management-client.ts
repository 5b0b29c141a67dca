import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/schema.js';

export type { paths, components, operations } from './generated/schema.js';

export interface ManagementClientOptions {
  /** The Portcullis origin, e.g. `https://auth.example.com`. */
  baseUrl: string;
  /** Tenant slug, sent as `X-Tenant` on every call (DESIGN §3). */
  tenant: string;
  clientId: string;
  clientSecret: string;
  /** Scopes to ask for (space-separated); default: every scope the application holds. */
  scope?: string;
  /** A fetch to send requests with (tests, proxies); default the global one. */
  fetch?: typeof fetch;
  /** The clock, in ms (tests). */
  now?: () => number;
}

/** The token endpoint refused the client (RFC 6749 §5.2 `error`, e.g. `invalid_client`). */
export class ManagementAuthError extends Error {
  override readonly name = 'ManagementAuthError';
  constructor(readonly error: string, readonly status: number, description?: string) {
    super(`Portcullis token endpoint: ${error}${description ? ` (${description})` : ''}`);
  }
}

/** A typed client for every management route (generated from /openapi.json), plus its token. */
export type ManagementClient = Client<paths> & {
  /** The current access token (fetched or cached). */
  accessToken(): Promise<string>;
};

/** Refresh this long before `expires_in` runs out, so a token never expires between our check and the server's. */
const EARLY_MS = 60_000;

/**
 * Calls the management API as a machine client: a client-credentials token is fetched on first
 * use, cached until 60 s before it expires (concurrent calls share one fetch), and fetched again
 * once if the API answers 401 anyway (key rotation elsewhere, clock skew). A second 401 is returned.
 */
export function createManagementClient(options: ManagementClientOptions): ManagementClient {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const send = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  let cached: { token: Promise<string>; expiresAt: number } | undefined;

  async function fetchToken(): Promise<{ token: string; expiresIn: number }> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...(options.scope ? { scope: options.scope } : {}) });
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
    const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64');
    const res = await send(`${baseUrl}/oauth2/token`, {
      method: 'POST', body, redirect: 'error',
      headers: { authorization: `Basic ${basic}`, 'x-tenant': options.tenant, accept: 'application/json' },
    });
    const json = await res.json().catch(() => ({})) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || typeof json.access_token !== 'string') throw new ManagementAuthError(json.error ?? 'server_error', res.status, json.error_description);
    return { token: json.access_token, expiresIn: typeof json.expires_in === 'number' ? json.expires_in : 0 };
  }

  /** The cached token, unless it expired or is `rejected` (the one a 401 answered: concurrent 401s share one refetch). */
  function accessToken(rejected?: Promise<string>): Promise<string> {
    if (cached && cached.token !== rejected && now() < cached.expiresAt) return cached.token;
    const requestedAt = now();
    const entry = { token: fetchToken().then((t) => { entry.expiresAt = requestedAt + t.expiresIn * 1000 - EARLY_MS; return t.token; }), expiresAt: Infinity };
    entry.token.catch(() => { if (cached === entry) cached = undefined; });
    cached = entry;
    return entry.token;
  }

  async function authorizedFetch(request: Request): Promise<Response> {
    const retry = request.clone();
    const used = accessToken();
    request.headers.set('authorization', `Bearer ${await used}`);
    const res = await send(request);
    if (res.status !== 401) return res;
    await res.body?.cancel();
    retry.headers.set('authorization', `Bearer ${await accessToken(used)}`);
    return send(retry);
  }

  const client = createClient<paths>({ baseUrl, headers: { 'x-tenant': options.tenant }, fetch: authorizedFetch });
  return Object.assign(client, { accessToken: () => accessToken() });
}
