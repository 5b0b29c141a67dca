import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../services/deps.js';

/** Liveness, readiness and metrics: no tenant, no auth (keep `/metrics` behind the network edge). */
export async function opsRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const database = await deps.store.ping();
    return reply.code(database ? 200 : 503).send({ ready: database, checks: { database } });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
