import type { IncomingMessage, ServerResponse } from 'node:http';
import { BearerError } from './bearer-error.js';
import { authorize, verifierFor, type AuthOptions } from './authenticate.js';
import type { AccessClaims } from './verifier.js';

/** A request after `requireAuth`: the verified claims sit on `auth`. */
export interface AuthenticatedRequest extends IncomingMessage {
  auth: AccessClaims;
}

function sendChallenge(res: ServerResponse, error: BearerError): void {
  res.statusCode = error.status;
  res.setHeader('www-authenticate', error.wwwAuthenticate);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(error));
}

/**
 * Express / Connect middleware (plain `node:http` handlers too): sets `req.auth` and calls `next()`,
 * or answers 400/401/403 with `WWW-Authenticate` itself. An outage (JWKS unreachable) goes to
 * `next(err)`, so the app's error handler answers it and no token is let through.
 */
export function requireAuth(options: AuthOptions) {
  verifierFor(options); // fail on bad options at setup, not on the first request
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    authorize(req.headers.authorization, options).then(
      (claims) => { (req as AuthenticatedRequest).auth = claims; next(); },
      (err: unknown) => { if (err instanceof BearerError) sendChallenge(res, err); else next(err); },
    );
  };
}

/** What the Fastify hook touches, structurally, so this package needs no Fastify types. */
interface FastifyLikeRequest { headers: IncomingMessage['headers']; auth?: AccessClaims }
interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(body: unknown): unknown;
}

/**
 * A Fastify `preHandler` (route option or `app.addHook('preHandler', …)`): sets `request.auth`, or
 * answers the RFC 6750 challenge. Outages reject, so Fastify's error handler answers them.
 */
export function fastifyAuth(options: AuthOptions) {
  verifierFor(options);
  return async (request: FastifyLikeRequest, reply: FastifyLikeReply): Promise<unknown> => {
    try {
      request.auth = await authorize(request.headers.authorization, options);
      return undefined;
    } catch (err) {
      if (!(err instanceof BearerError)) throw err;
      // An async hook that answers returns the reply, so Fastify stops there (no handler runs).
      reply.code(err.status).header('www-authenticate', err.wwwAuthenticate).header('cache-control', 'no-store').send(err.toJSON());
      return reply;
    }
  };
}
