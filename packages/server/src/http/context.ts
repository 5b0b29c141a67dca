import type { FastifyRequest } from 'fastify';
import { PortcullisError } from '@portcullis/protocol';
import type { Deps } from '../services/deps.js';
import type { RequestContext } from '../services/context.js';
import { clientIp } from '../domain/ip/address.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Resolves tenant and client IP once per request (DESIGN §3, §8). */
export async function requestContext(deps: Deps, request: FastifyRequest): Promise<RequestContext> {
  const cached = (request as { portcullisContext?: RequestContext }).portcullisContext;
  if (cached) return cached;
  const ip = clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], deps.trustedProxies);
  if (!ip) throw new PortcullisError('invalid_request', { message: 'The client address could not be determined.' });
  const slug = (request.params as { slug?: unknown } | undefined)?.slug;
  const tenant = typeof slug === 'string'
    ? await deps.tenants.resolve(undefined, slug)
    : await deps.tenants.resolve(header(request, 'host'), header(request, 'x-tenant'));
  const ctx: RequestContext = { tenant, ip, userAgent: header(request, 'user-agent')?.slice(0, 512), requestId: request.id };
  (request as { portcullisContext?: RequestContext }).portcullisContext = ctx;
  return ctx;
}
