import { ERRORS } from '@portcullis/protocol';

/**
 * Codes the SDK raises itself, beside the server registry (`ERRORS` in `@portcullis/protocol`).
 * `recoverable` means the user can get through by acting again (retry, another click).
 */
export const CLIENT_ERRORS = {
  captcha_blocked: { message: 'The human verification could not load.', recoverable: false },
  captcha_cancelled: { message: 'The human verification was cancelled.', recoverable: true },
  captcha_error: { message: 'The human verification widget reported an error.', recoverable: true },
  email_otp_cancelled: { message: 'Entering the email code was cancelled.', recoverable: true },
  network_error: { message: 'The server could not be reached.', recoverable: true },
  state_mismatch: { message: 'This sign-in was not started in this tab, or was already finished.', recoverable: true },
  issuer_mismatch: { message: 'The sign-in answer came from another issuer than the one asked.', recoverable: true },
  id_token_invalid: { message: 'The ID token does not match this sign-in.', recoverable: true },
  unexpected_response: { message: 'The server answered in an unexpected way.', recoverable: false },
} as const satisfies Record<string, { message: string; recoverable: boolean }>;

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

/** RFC 6749 codes from `/oauth2/token` a client may get past by waiting. */
const RECOVERABLE_OAUTH = new Set(['temporarily_unavailable', 'rate_limited']);

type Known = { message: string; recoverable: boolean };

function known(code: string): Known | undefined {
  if (Object.hasOwn(ERRORS, code)) return ERRORS[code as keyof typeof ERRORS];
  if (Object.hasOwn(CLIENT_ERRORS, code)) return CLIENT_ERRORS[code as ClientErrorCode];
  return undefined;
}

/** Options for {@link PortcullisClientError}; `recoverable` defaults from the registries. */
export interface ClientErrorOptions {
  message?: string;
  details?: Record<string, unknown>;
  status?: number;
  recoverable?: boolean;
  cause?: unknown;
}

/**
 * The one error the SDK rejects with. `code` is a server registry code (`captcha_required`,
 * `account_locked`, …), an RFC 6749 code from the token endpoint (`invalid_grant`), or one of
 * {@link CLIENT_ERRORS}; switch on it, never on `message`.
 */
export class PortcullisClientError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;
  readonly recoverable: boolean;
  readonly status?: number;
  /**
   * Seconds until trying again can succeed, from `details.retry_after_s` (`account_locked`,
   * `rate_limited`, `captcha_unavailable`, and `sign_in_denied` when the refusal rests on
   * counters that expire); undefined when the server named no time.
   */
  readonly retryAfterS?: number;

  constructor(code: string, options: ClientErrorOptions = {}) {
    const entry = known(code);
    super(options.message ?? entry?.message ?? code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PortcullisClientError';
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
    if (options.status !== undefined) this.status = options.status;
    const wait = options.details?.['retry_after_s'];
    if (typeof wait === 'number' && Number.isFinite(wait) && wait > 0) this.retryAfterS = wait;
    this.recoverable = options.recoverable ?? entry?.recoverable ?? RECOVERABLE_OAUTH.has(code);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An error from a non-2xx answer: the `/api/v1` envelope `{error, message, details}` or the
 * RFC 6749 body `{error, error_description}`; anything else (a proxy's HTML page) is
 * `unexpected_response` with the status kept.
 */
export function errorFromBody(status: number, body: unknown): PortcullisClientError {
  if (isRecord(body) && typeof body['error'] === 'string') {
    const message = typeof body['message'] === 'string' ? body['message']
      : typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
    const details = isRecord(body['details']) ? body['details'] : undefined;
    return new PortcullisClientError(body['error'], { message, details, status });
  }
  return new PortcullisClientError('unexpected_response', { status, recoverable: status >= 500 });
}
