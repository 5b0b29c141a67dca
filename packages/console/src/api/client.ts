import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/schema.js';

/** A failed management call, as the API's error envelope tells it (DESIGN §4). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }

  /** `details.fields` of `invalid_request`: the field paths the console shows messages next to. */
  get fields(): Array<{ path: string; message: string }> {
    const fields = this.details.fields;
    return Array.isArray(fields) ? fields.filter((f): f is { path: string; message: string } => typeof f?.path === 'string') : [];
  }
}

export type Api = ReturnType<typeof createApi>;

/**
 * The typed management API client: types generated from the server's /openapi.json at build time.
 * Every call carries the admin's current access token (refreshed by the SDK when near expiry) and
 * the tenant, so the console holds no credential of its own.
 */
export function createApi(tenant: string, accessToken: () => Promise<string | null>) {
  const client = createClient<paths>({ baseUrl: '' });
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = await accessToken();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      if (tenant) request.headers.set('X-Tenant', tenant);
      return request;
    },
  };
  client.use(auth);
  return client;
}

interface Outcome<T> { data?: T; error?: unknown; response: Response }

/** The success body of a call, or an {@link ApiError} thrown from its error envelope. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const e = (error ?? {}) as { error?: string; message?: string; details?: Record<string, unknown> };
    throw new ApiError(response.status, e.error ?? 'internal_error', e.message ?? `The server answered ${response.status}.`, e.details ?? {});
  }
  return data as T;
}
