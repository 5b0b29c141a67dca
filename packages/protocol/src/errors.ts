/**
 * The one registry of Portcullis error codes, shared by the server and the SDKs.
 * Each code knows its HTTP status, a default human message, and whether a client may
 * recover from it by acting (solving a captcha, entering a code, waiting).
 */
export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is malformed or fails validation.', recoverable: false },
  payload_too_large: { status: 413, message: 'The request body is too large.', recoverable: false },
  unsupported_media_type: { status: 415, message: 'The content type is not supported here.', recoverable: false },
  request_timeout: { status: 408, message: 'The request took too long to arrive.', recoverable: true },
  request_headers_too_large: { status: 431, message: 'The request headers are too large.', recoverable: false },
  invalid_credentials: { status: 401, message: 'The email or password is incorrect.', recoverable: true },
  account_disabled: { status: 403, message: 'This account is disabled.', recoverable: false },
  signup_disabled: { status: 403, message: 'Sign-up is not open on this site.', recoverable: false },
  token_invalid: { status: 400, message: 'This link is invalid, already used or expired.', recoverable: false },
  email_not_verified: { status: 403, message: 'Confirm your email address first: follow the link we sent you.', recoverable: true },
  captcha_required: { status: 403, message: 'Please complete the human verification.', recoverable: true },
  captcha_invalid: { status: 403, message: 'The human verification failed; please try again.', recoverable: true },
  captcha_unavailable: { status: 503, message: 'Human verification is unavailable; please try again shortly.', recoverable: true },
  email_otp_required: { status: 403, message: 'Enter the code we sent to your email.', recoverable: true },
  otp_invalid: { status: 403, message: 'The code is wrong or has expired.', recoverable: true },
  account_locked: { status: 429, message: 'Too many failed sign-ins for this account; try again later.', recoverable: true },
  rate_limited: { status: 429, message: 'Too many requests; try again later.', recoverable: true },
  sign_in_denied: { status: 403, message: 'This sign-in was refused.', recoverable: false },
  tenant_not_found: { status: 404, message: 'No tenant serves this host.', recoverable: false },
  not_found: { status: 404, message: 'Not found.', recoverable: false },
  conflict: { status: 409, message: 'The resource already exists.', recoverable: false },
  unauthorized: { status: 401, message: 'A valid bearer token is required.', recoverable: false },
  forbidden: { status: 403, message: 'The token lacks a required scope.', recoverable: false },
  service_unavailable: { status: 503, message: 'The service is temporarily unavailable.', recoverable: true },
  internal_error: { status: 500, message: 'An internal error occurred.', recoverable: false },
} as const satisfies Record<string, { status: number; message: string; recoverable: boolean }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/** A field that failed validation, as carried in `details.fields` of `invalid_request`. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The one error class. `details` is only set where the registry's code names it; `cause`
 * stays on the server (logs) and is never serialised.
 */
export class PortcullisError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly recoverable: boolean;

  constructor(code: ErrorCode, options: { message?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(options.message ?? ERRORS[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PortcullisError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options.details;
    this.recoverable = ERRORS[code].recoverable;
  }
}

/** Error codes that carry `retry_after_s` and so a `Retry-After` header. */
export const RETRY_AFTER_CODES: ReadonlySet<ErrorCode> = new Set([
  'captcha_unavailable', 'account_locked', 'rate_limited', 'service_unavailable',
]);

/** Typed `details` builders: the shapes the table of DESIGN §4 names, written one way everywhere. */
export const errorDetails = {
  /** `invalid_request`: every bad field, with its dotted path. */
  fields: (fields: readonly FieldError[]): { fields: FieldError[] } => ({ fields: [...fields] }),
  /** 429 / 503: whole seconds, at least one (a `Retry-After: 0` invites a tight retry loop). */
  retryAfter: (seconds: number): { retry_after_s: number } => ({ retry_after_s: Math.max(1, Math.ceil(seconds)) }),
};

/** `invalid_request` naming the fields that failed. */
export function invalidRequest(fields: readonly FieldError[], message?: string): PortcullisError {
  return new PortcullisError('invalid_request', { message, details: errorDetails.fields(fields) });
}

/**
 * RFC 6749 §5.2 error codes of `/oauth2/*` (plus `rate_limited` and `temporarily_unavailable`,
 * which RFC 6749 §4.1.2.1 names for the same envelope) with the status each answers.
 */
export const OAUTH_ERRORS = {
  invalid_request: { status: 400 },
  invalid_client: { status: 401 },
  invalid_grant: { status: 400 },
  unauthorized_client: { status: 400 },
  unsupported_grant_type: { status: 400 },
  invalid_scope: { status: 400 },
  /** RFC 6749 §4.1.2.1: only ever sent to a registered redirect URI. */
  unsupported_response_type: { status: 400 },
  access_denied: { status: 403 },
  /** RFC 6750 §3.1: the userinfo bearer is missing, expired or not this tenant's. */
  invalid_token: { status: 401 },
  rate_limited: { status: 429 },
  server_error: { status: 500 },
  temporarily_unavailable: { status: 503 },
} as const satisfies Record<string, { status: number }>;
export type OAuthErrorCode = keyof typeof OAUTH_ERRORS;
export const OAUTH_ERROR_CODES = Object.keys(OAUTH_ERRORS) as OAuthErrorCode[];

const OAUTH_FROM_API: Partial<Record<ErrorCode, OAuthErrorCode>> = {
  invalid_request: 'invalid_request', payload_too_large: 'invalid_request', unsupported_media_type: 'invalid_request',
  tenant_not_found: 'invalid_request', rate_limited: 'rate_limited', service_unavailable: 'temporarily_unavailable',
};

/**
 * How an API error raised on an OAuth endpoint (body limit, validation, unknown tenant, outage)
 * reads in RFC 6749 terms; anything unlisted is `server_error`. The status stays the API's, except
 * that request errors answer 400 as RFC 6749 §5.2 says (an unknown tenant is a bad request there).
 */
export function oauthErrorFor(code: ErrorCode): { error: OAuthErrorCode; status: number } {
  const error = OAUTH_FROM_API[code] ?? 'server_error';
  if (error === 'server_error') return { error, status: 500 };
  return { error, status: code === 'tenant_not_found' ? 400 : ERRORS[code].status };
}
