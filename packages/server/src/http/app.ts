import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { PortcullisError } from '@portcullis/protocol';
import type { Deps } from '../services/deps.js';
import { newId } from '../ports/ids.js';
import { createValidatorCompiler } from './validation.js';
import { sendApiError, sendOAuthError, toPortcullisError } from './errors.js';
import { registerRoutes } from './routes/index.js';
import { registerCors } from './cors.js';

export interface AppOptions {
  logger?: boolean | object;
  /** Extra plugins (the captcha emulator in development). */
  extend?: (app: FastifyInstance) => Promise<void> | void;
}

/** Paths whose fields must never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]',
  '*.password', '*.client_secret', '*.refresh_token', '*.access_token', '*.token', '*.code', '*.secret',
];

/** Builds the HTTP app around ready dependencies; no I/O here beyond what routes do. */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: deps.config.PORTCULLIS_BODY_LIMIT,
    genReqId: () => newId('req'),
    requestIdHeader: false,
    trustProxy: false,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(createValidatorCompiler());
  // JSON everywhere; form bodies only where OAuth 2.0 requires them (registered with those routes).
  app.removeContentTypeParser('text/plain');
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Portcullis API', version: '1.0.0', description: 'Multi-tenant sign-in with a risk engine. See DESIGN.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });

  registerCors(app, deps);

  app.setErrorHandler((error, request, reply) => {
    if (request.url.startsWith('/oauth2/')) {
      if (!(error instanceof PortcullisError) && toPortcullisError(error).code === 'internal_error') request.log.error({ err: error }, 'oauth2 request failed');
      return sendOAuthError(reply, error);
    }
    const mapped = toPortcullisError(error);
    if (mapped.code === 'internal_error') request.log.error({ err: error }, 'request failed');
    else if (mapped.code === 'service_unavailable') request.log.warn({ err: (error as Error)?.message }, 'dependency unavailable');
    return sendApiError(request, reply, mapped);
  });
  app.setNotFoundHandler((request, reply) => sendApiError(request, reply, new PortcullisError('not_found', { message: `No route for ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}.` })));

  await registerRoutes(app, deps);
  if (options.extend) await options.extend(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
