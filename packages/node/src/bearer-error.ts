/** RFC 6750 §3.1 error codes, with the status each answers. */
export const BEARER_ERRORS = {
  invalid_request: { status: 400 },
  invalid_token: { status: 401 },
  insufficient_scope: { status: 403 },
} as const;
export type BearerErrorCode = keyof typeof BEARER_ERRORS;

/** RFC 6750 §3: quoted values may hold %x20-21 / %x23-5B / %x5D-7E only, so nothing can break out of the quotes. */
const QUOTABLE = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

function quoted(name: string, value: string): string {
  if (!QUOTABLE.test(value)) throw new TypeError(`${name} holds a character RFC 6750 does not allow`);
  return `${name}="${value}"`;
}

/**
 * Why a request was refused, as RFC 6750 says to answer it: `status` and the `WWW-Authenticate`
 * value to send. `code` is undefined when the request carried no bearer token at all (§3.1: then
 * the challenge names no error, so a client is not told about tokens it never sent).
 */
export class BearerError extends Error {
  override readonly name = 'BearerError';
  readonly status: 400 | 401 | 403;
  readonly wwwAuthenticate: string;

  constructor(readonly code: BearerErrorCode | undefined, description: string, options: { scopes?: readonly string[]; realm?: string } = {}) {
    super(description);
    this.status = code ? BEARER_ERRORS[code].status : 401;
    const params = [
      ...(options.realm ? [quoted('realm', options.realm)] : []),
      ...(code ? [quoted('error', code), quoted('error_description', description)] : []),
      ...(options.scopes?.length ? [quoted('scope', options.scopes.join(' '))] : []),
    ];
    this.wwwAuthenticate = params.length ? `Bearer ${params.join(', ')}` : 'Bearer';
  }

  /** The JSON body the middleware sends with the challenge (RFC 6749 §5.2 shape). */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code ?? 'unauthorized', error_description: this.message };
  }
}
