/**
 * The one registry of Portcullis error codes, shared by the server and the SDKs.
 * Each code knows its HTTP status, a default human message, and whether a client may
 * recover from it by acting (solving a captcha, entering a code, waiting).
 */
export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is malformed or fails validation.', recoverable: false },
  payload_too_large: { status: 413, message: 'The request body is too large.', recoverable: false },
  unsupported_media_type: { status: 415, message: 'The content type is not supported here.', recoverable: false },
  invalid_credentials: { status: 401, message: 'The email or password is incorrect.', recoverable: true },
  account_disabled: { status: 403, message: 'This account is disabled.', recoverable: false },
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
