import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PortcullisError, RETRY_AFTER_CODES, errorDetails, invalidRequest, oauthErrorFor, type ErrorCode } from '@portcullis/protocol';
import { OAuthError } from '../services/oauth-error.js';
import { ConflictError, StoreUnavailableError } from '../ports/store.js';
import { CounterStoreUnavailableError } from '../ports/counters.js';
import { fieldErrors } from './validation.js';

/** How long a client should wait before retrying a call that needed the counter store (DESIGN §12). */
export const COUNTER_OUTAGE_RETRY_S = 5;

/**
 * Which error body a route writes (STYLE §4): set per route as `config: { envelope: 'oauth' }`,
 * so every alias of an OAuth endpoint (`/oauth2/token`, `/tenants/<slug>/oauth2/token`) answers
 * RFC 6749 bodies, whatever its URL.
 */
export type Envelope = 'api' | 'oauth';
declare module 'fastify' {
  interface FastifyContextConfig {
    envelope?: Envelope;
  }
}

const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_TYPE: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_MAX_PARAM_LENGTH: 'invalid_request',
  FST_ERR_ASYNC_CONSTRAINT: 'invalid_request',
};

const FRAMEWORK_MESSAGES: Partial<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is not valid JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length does not match the body.',
  FST_ERR_CTP_INVALID_TYPE: 'The Content-Type header is malformed.',
  FST_ERR_BAD_URL: 'The URL is malformed.',
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is too long.',
};

/**
 * The store's own errors (adapters translate driver codes into them): an outage is a 503 the
 * client retries, a uniqueness race a 409. Nothing here knows a pg or SQLite code.
 */
function fromStoreError(error: unknown): PortcullisError | undefined {
  if (error instanceof StoreUnavailableError) return new PortcullisError('service_unavailable', { details: { retry_after_s: 5 }, cause: error });
  if (error instanceof ConflictError) return new PortcullisError('conflict', { cause: error });
  return undefined;
}

/** Any thrown thing as a PortcullisError; what is not ours becomes `internal_error` with its cause kept for the log only. */
export function toPortcullisError(error: unknown): PortcullisError {
  if (error instanceof PortcullisError) return error;
  // Redis down is an outage, not a bug: the management call that needed a count answers 503 (DESIGN §12).
  if (error instanceof CounterStoreUnavailableError) return new PortcullisError('service_unavailable', { details: errorDetails.retryAfter(COUNTER_OUTAGE_RETRY_S), cause: error });
  const e = error as FastifyError & { validation?: unknown[]; validationContext?: string };
  if (Array.isArray(e?.validation)) return invalidRequest(fieldErrors(e.validation as never, e.validationContext));
  const mapped = typeof e?.code === 'string' ? FRAMEWORK_CODES[e.code] : undefined;
  if (mapped) return new PortcullisError(mapped, { message: FRAMEWORK_MESSAGES[e.code] });
  if (e instanceof SyntaxError || (typeof e?.statusCode === 'number' && e.statusCode === 400)) {
    return new PortcullisError('invalid_request', { message: 'The request could not be parsed.' });
  }
  return fromStoreError(error) ?? new PortcullisError('internal_error', { cause: error });
}

function setRetryAfter(reply: FastifyReply, seconds: unknown): void {
  if (typeof seconds === 'number' && seconds > 0) reply.header('Retry-After', String(Math.ceil(seconds)));
}

/** The one writer of `/api/v1` error bodies: `{error, message, details, request_id}`. */
export function sendApiError(request: FastifyRequest, reply: FastifyReply, error: PortcullisError): FastifyReply {
  if (RETRY_AFTER_CODES.has(error.code)) setRetryAfter(reply, error.details?.['retry_after_s']);
  const body: Record<string, unknown> = { error: error.code, message: error.message, request_id: request.id };
  if (error.details) body['details'] = error.details;
  return reply.code(error.status).type('application/json; charset=utf-8').send(body);
}

/** The one writer of `/oauth2` error bodies: RFC 6749 `{error, error_description}`, never cached. */
export function sendOAuthError(reply: FastifyReply, error: unknown): FastifyReply {
  reply.header('Cache-Control', 'no-store');
  if (error instanceof OAuthError) {
    setRetryAfter(reply, error.retryAfterS);
    if (error.error === 'invalid_client') reply.header('WWW-Authenticate', 'Basic realm="portcullis"');
    return reply.code(error.status).send({ error: error.error, error_description: error.description });
  }
  const api = toPortcullisError(error);
  setRetryAfter(reply, api.details?.['retry_after_s']);
  const { error: code, status } = oauthErrorFor(api.code);
  const description = code === 'server_error' ? 'An internal error occurred.' : api.message;
  return reply.code(status).type('application/json; charset=utf-8').send({ error: code, error_description: description });
}

/** Logs what is ours to fix (5xx causes) once, then answers in the route's envelope. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const oauth = request.routeOptions.config?.envelope === 'oauth';
  const mapped = toPortcullisError(error);
  if (oauth && error instanceof OAuthError) return sendOAuthError(reply, error);
  if (mapped.code === 'internal_error') request.log.error({ err: error }, 'request failed');
  else if (mapped.code === 'service_unavailable') request.log.warn({ err: (error as Error)?.message }, 'dependency unavailable');
  return oauth ? sendOAuthError(reply, mapped) : sendApiError(request, reply, mapped);
}
