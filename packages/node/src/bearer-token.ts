import { BearerError } from './bearer-error.js';

/** RFC 6750 §2.1 `b64token`, after a case-insensitive scheme (RFC 9110 §11.1) and one space. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCHEME = /^Bearer(?: |$)/i;

/**
 * The bearer token of an `Authorization` header. No header, or another scheme, is a request without
 * a token (401, no error code, RFC 6750 §3.1); a `Bearer` header that is not one well-formed token,
 * or the header sent twice, is `invalid_request` (400).
 */
export function bearerToken(authorization: string | readonly string[] | null | undefined): string {
  if (Array.isArray(authorization)) {
    if (authorization.length > 1) throw new BearerError('invalid_request', 'The Authorization header is sent more than once');
    return bearerToken(authorization[0]);
  }
  const value = (authorization as string | null | undefined)?.trim();
  if (!value || !SCHEME.test(value)) throw new BearerError(undefined, 'A bearer token is required');
  const token = BEARER.exec(value)?.[1];
  if (!token) throw new BearerError('invalid_request', 'The Authorization header does not hold one bearer token');
  return token;
}
