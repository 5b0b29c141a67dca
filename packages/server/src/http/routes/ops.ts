import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../services/deps.js';
import { metricsExposure, requireMetricsToken } from '../metrics-exposure.js';

/** `GET /metrics` in Prometheus text format. */
export async function metricsRoute(app: FastifyInstance, deps: Deps, token?: string): Promise<void> {
  app.get('/metrics', { schema: { hide: true }, ...(token ? { preHandler: requireMetricsToken(token) } : {}) }, async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType).header('Cache-Control', 'no-store');
    return deps.metrics.registry.metrics();
  });
}

/** Liveness, readiness and (outside production, or behind a bearer) metrics: no tenant. */
export async function opsRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const database = await deps.store.ping();
    return reply.code(database ? 200 : 503).send({ ready: database, checks: { database } });
  });
  const exposure = metricsExposure(deps.config);
  if (exposure.mainPort) await metricsRoute(app, deps, exposure.token);
}
