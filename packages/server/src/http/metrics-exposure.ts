import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PortcullisError } from '@portcullis/protocol';
import type { Config } from '../config/schema.js';

/** Where `/metrics` is served; in production never open on the public port (metrics name tenants, routes and load). */
export interface MetricsExposure {
  /** Served on the main port (behind `token` when set). */
  mainPort: boolean;
  token?: string;
  /** A separate listener, loopback unless configured otherwise. */
  listener?: { host: string; port: number };
}

/** The default management port in production (the Prometheus exporter range). */
export const DEFAULT_METRICS_PORT = 9464;

/**
 * Outside production: the main port, open (a bearer if one is configured) and a separate port if
 * one is configured. In production: the separate port (9464 on loopback by default), or the main
 * port behind `PORTCULLIS_METRICS_TOKEN`.
 */
export function metricsExposure(config: Readonly<Config>): MetricsExposure {
  const token = config.PORTCULLIS_METRICS_TOKEN;
  const production = config.NODE_ENV === 'production';
  const port = config.PORTCULLIS_METRICS_PORT ?? (production && !token ? DEFAULT_METRICS_PORT : undefined);
  return {
    mainPort: !production || token !== undefined,
    ...(token ? { token } : {}),
    ...(port !== undefined ? { listener: { host: config.PORTCULLIS_METRICS_HOST, port } } : {}),
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** preHandler: `Authorization: Bearer <token>`, compared in constant time. */
export function requireMetricsToken(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) throw new PortcullisError('unauthorized');
  };
}
