import type { FastifyInstance, FastifyRequest } from 'fastify';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { Deps } from '../services/deps.js';
import { requestContext } from './context.js';

const CACHE_MS = 5000;
const BASE: FastifyCorsOptions = {
  credentials: true,
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['authorization', 'content-type', 'x-tenant'],
  exposedHeaders: ['x-request-id', 'retry-after'],
  maxAge: 600,
  strictPreflight: false,
};
const DENIED: FastifyCorsOptions = { ...BASE, origin: false };
const MAX_ORIGINS = 10_000;

/**
 * CORS per tenant (DESIGN §13) through `@fastify/cors` with a delegator: only a tenant's allowed
 * origins (exact `scheme://host[:port]`), echoed back, never `*`, credentials allowed. A preflight
 * carries no X-Tenant, so it is answered for an origin that some tenant allows; the real request
 * then gets CORS headers only from its own tenant, and the browser withholds the response from
 * any other origin.
 */
export async function registerCors(app: FastifyInstance, deps: Deps): Promise<void> {
  let known: { at: number; origins: Set<string> } | undefined;
  const allowedSomewhere = async (origin: string) => {
    if (!known || deps.clock.now() - known.at > CACHE_MS) {
      const tenants = await deps.store.tenants.list();
      known = { at: deps.clock.now(), origins: new Set(tenants.flatMap((t) => t.allowedOrigins)) };
    }
    return known.origins.has(origin);
  };
  const allowed = async (request: FastifyRequest, origin: string): Promise<boolean> => {
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) return allowedSomewhere(origin);
    try {
      return (await requestContext(deps, request)).tenant.allowedOrigins.includes(origin);
    } catch {
      return false; // No tenant, no CORS headers: the route itself answers the error.
    }
  };
  // The options are built once per allowed origin, not per request: a delegator's options are
  // `dynamic`, so the plugin sends `Vary: Origin` on every answer, allowed or not. Only origins some
  // tenant allows enter the map, and it is bounded all the same.
  const perOrigin = new Map<string, FastifyCorsOptions>();
  const optionsFor = (origin: string): FastifyCorsOptions => {
    let options = perOrigin.get(origin);
    if (!options) {
      if (perOrigin.size >= MAX_ORIGINS) perOrigin.clear();
      perOrigin.set(origin, options = { ...BASE, origin });
    }
    return options;
  };
  await app.register(cors, {
    delegator: async (request: FastifyRequest): Promise<FastifyCorsOptions> => {
      const origin = request.headers.origin;
      return origin !== undefined && await allowed(request, origin) ? optionsFor(origin) : DENIED;
    },
  });
}
