import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { PortcullisError } from '@portcullis/protocol';
import type { Deps } from '../services/deps.js';
import { newId } from '../ports/ids.js';
import { createValidatorCompiler } from './validation.js';
import { sendApiError, sendError, toPortcullisError } from './errors.js';
import { registerRoutes } from './routes/index.js';
import { metricsRoute } from './routes/ops.js';
import { registerCors } from './cors.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerJsonBody } from './json-body.js';
import { registerEarlyAnswer } from './early-answer.js';
import { registerRefusalShed } from './refusal-shed.js';
import { createClientErrorHandler } from './client-errors.js';
import { serializeRequest } from './request-log.js';
import { registerOpenApi } from './openapi.js';

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

/** Longest path parameter the router accepts; longer is `invalid_request` (schemas bound them far lower). */
const MAX_PARAM_LENGTH = 512;

/** The caller's logger options, with a request serializer that keeps secrets in query strings out of the log. */
function loggerOptions(logger: AppOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : logger as { serializers?: Record<string, unknown> };
  return { ...base, serializers: { ...base.serializers, req: serializeRequest } } as FastifyServerOptions['logger'];
}

/** Fastify with what every listener shares: ids, timeouts, the error envelopes, framework errors in them. */
function createServer(deps: Deps, options: AppOptions): FastifyInstance {
  const c = deps.config;
  const app = Fastify({
    logger: loggerOptions(options.logger),
    bodyLimit: c.PORTCULLIS_BODY_LIMIT,
    genReqId: () => newId('req'),
    requestIdHeader: false,
    trustProxy: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Slow clients (one byte a second) are cut off: headers, whole request, silence, keep-alive idle.
    connectionTimeout: c.PORTCULLIS_IDLE_TIMEOUT_MS,
    keepAliveTimeout: c.PORTCULLIS_KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: c.PORTCULLIS_REQUEST_TIMEOUT_MS,
    http: {
      headersTimeout: Math.min(c.PORTCULLIS_HEADERS_TIMEOUT_MS, c.PORTCULLIS_REQUEST_TIMEOUT_MS),
      requestTimeout: c.PORTCULLIS_REQUEST_TIMEOUT_MS,
      // Node checks both timeouts on this interval (30 s by default, which would stretch every bound).
      connectionsCheckingInterval: Math.min(1000, c.PORTCULLIS_HEADERS_TIMEOUT_MS),
    },
    // A bad %-escape or an overlong parameter is refused before routing: still our envelope, no framework names.
    frameworkErrors: (error, request, reply) => {
      reply.header('X-Request-Id', request.id).header('X-Content-Type-Options', 'nosniff');
      return sendApiError(request, reply, toPortcullisError(error));
    },
    clientErrorHandler: createClientErrorHandler(() => newId('req')),
  });
  app.setValidatorCompiler(createValidatorCompiler());
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) => sendApiError(request, reply, new PortcullisError('not_found', { message: `No route for ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}.` })));
  return app;
}

/** Builds the HTTP app around ready dependencies; no I/O here beyond what routes do. */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = createServer(deps, options);
  // JSON everywhere (depth-bounded); form bodies only where OAuth 2.0 requires them (registered with those routes).
  app.removeContentTypeParser('text/plain');
  registerJsonBody(app);
  registerEarlyAnswer(app, deps.config.PORTCULLIS_BODY_DISCARD_LIMIT);
  registerRefusalShed(app, deps);
  // Baseline headers on every answer (nosniff, frame and referrer policy, HSTS). CSP is left to the
  // hosted page, which sets a nonce policy per response; a global one would clash with it. The SDK
  // bundle and the emulator's widget are loaded by tenant apps on other origins: cross-origin CORP.
  await registerSecurityHeaders(app, { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'cross-origin' } });
  await registerOpenApi(app, deps.config);
  await registerCors(app, deps);

  await registerRoutes(app, deps);
  if (options.extend) await options.extend(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** The management listener: `/metrics` only, for a port that only the scraper can reach (DESIGN §2, docs/operations.md). */
export async function buildMetricsApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = createServer(deps, options);
  await registerSecurityHeaders(app, { contentSecurityPolicy: false });
  await metricsRoute(app, deps, deps.config.PORTCULLIS_METRICS_TOKEN);
  return app;
}
