import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PortcullisError, RETRY_AFTER_CODES, type ErrorCode } from '@portcullis/protocol';
import { OAuthError } from '../services/oauth-error.js';
import { ConflictError, StoreUnavailableError } from '../ports/store.js';
import { fieldErrors } from './validation.js';

const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
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
  const e = error as FastifyError & { validation?: unknown[]; validationContext?: string };
  if (Array.isArray(e?.validation)) {
    return new PortcullisError('invalid_request', { details: { fields: fieldErrors(e.validation as never, e.validationContext) } });
  }
  const mapped = typeof e?.code === 'string' ? FRAMEWORK_CODES[e.code] : undefined;
  if (mapped) return new PortcullisError(mapped, { message: mapped === 'invalid_request' ? 'The body is not valid JSON.' : undefined });
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

const OAUTH_FROM_API: Partial<Record<ErrorCode, string>> = {
  invalid_request: 'invalid_request', payload_too_large: 'invalid_request', unsupported_media_type: 'invalid_request',
  tenant_not_found: 'invalid_request', rate_limited: 'rate_limited', service_unavailable: 'temporarily_unavailable',
};

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
  const code = OAUTH_FROM_API[api.code] ?? 'server_error';
  // RFC 6749 §5.2 answers request errors with 400, whatever our API code's own status.
  const status = code === 'server_error' ? 500 : code === 'invalid_request' && api.status === 404 ? 400 : api.status;
  const description = code === 'server_error' ? 'An internal error occurred.' : api.message;
  return reply.code(status).send({ error: code, error_description: description });
}
