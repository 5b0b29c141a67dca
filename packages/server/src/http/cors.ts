import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../services/deps.js';
import { requestContext } from './context.js';

const ALLOW_HEADERS = 'authorization, content-type, x-tenant';
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const CACHE_MS = 5000;

function allow(reply: FastifyReply, origin: string): void {
  reply.header('Access-Control-Allow-Origin', origin).header('Access-Control-Allow-Credentials', 'true')
    .header('Access-Control-Expose-Headers', 'x-request-id, retry-after');
}

/**
 * CORS per tenant (DESIGN §13): only a tenant's allowed origins (exact `scheme://host[:port]`),
 * echoed back, never `*`. A preflight carries no X-Tenant, so it is answered for an origin that
 * some tenant allows; the real request then gets CORS headers only from its own tenant, and the
 * browser withholds the response from any other origin.
 */
export function registerCors(app: FastifyInstance, deps: Deps): void {
  let known: { at: number; origins: Set<string> } | undefined;
  const allowedSomewhere = async (origin: string) => {
    if (!known || deps.clock.now() - known.at > CACHE_MS) {
      const tenants = await deps.store.tenants.list();
      known = { at: deps.clock.now(), origins: new Set(tenants.flatMap((t) => t.allowedOrigins)) };
    }
    return known.origins.has(origin);
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (!origin) return;
    reply.header('Vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      if (await allowedSomewhere(origin)) {
        allow(reply, origin);
        reply.header('Access-Control-Allow-Methods', ALLOW_METHODS).header('Access-Control-Allow-Headers', ALLOW_HEADERS).header('Access-Control-Max-Age', '600');
      }
      return reply.code(204).send();
    }
    try {
      const ctx = await requestContext(deps, request);
      if (ctx.tenant.allowedOrigins.includes(origin)) allow(reply, origin);
    } catch {
      // No tenant, no CORS headers: the route itself answers the error.
    }
  });
}
