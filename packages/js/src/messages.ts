import type { PortcullisClientError } from './errors.js';

type Details = Record<string, unknown>;

/** The error as far as the wording needs it (a plain `{code, message, details}` also works). */
export type DescribableError = Pick<PortcullisClientError, 'code' | 'message'> & { details?: Details | undefined; retryAfterS?: number | undefined };

/**
 * "in 45 seconds" / "in 15 minutes" / "in 2 hours" for a wait in seconds, rounded up (telling
 * someone to come back before the lock lifts would only earn them another refusal); "later"
 * when the server named no time.
 */
export function retryAfterText(seconds: number | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return 'later';
  const [n, unit] = seconds < 60 ? [Math.ceil(seconds), 'second'] : seconds < 5400 ? [Math.ceil(seconds / 60), 'minute'] : [Math.ceil(seconds / 3600), 'hour'];
  return `in ${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** `error.retryAfterS`, or `details.retry_after_s` for a plain object. */
function waitOf(error: DescribableError): number | undefined {
  if (typeof error.retryAfterS === 'number') return error.retryAfterS;
  const s = error.details?.['retry_after_s'];
  return typeof s === 'number' ? s : undefined;
}

const tryAgain = (e: DescribableError) => `Try again ${retryAfterText(waitOf(e))}.`;

/** What a person signing in is told, per error code (server registry and SDK codes). */
/** The first field the server refused (`details.fields`), as "The password must be …". */
function fieldProblem(e: DescribableError): string | undefined {
  const fields = e.details?.['fields'];
  const first = Array.isArray(fields) ? fields[0] as { path?: unknown; message?: unknown } | undefined : undefined;
  if (typeof first?.path !== 'string' || typeof first.message !== 'string') return undefined;
  return `The ${first.path.replace(/^\/+/, '').replace(/_/g, ' ')} ${first.message}.`;
}

const MESSAGES: Record<string, string | ((error: DescribableError) => string)> = {
  invalid_request: (e) => fieldProblem(e) ?? 'Enter a valid email address and your password.',
  invalid_credentials: 'The email or password is incorrect.',
  account_disabled: 'This account is disabled. Contact your administrator.',
  account_locked: (e) => `Too many failed sign-ins for this account. ${tryAgain(e)}`,
  rate_limited: (e) => `Too many attempts from this network. ${tryAgain(e)}`,
  // A deny that rests on counters lifts when they expire, and the server says when (issue: a
  // person behind a busy NAT must learn that waiting helps); any other deny has no such time.
  sign_in_denied: (e) => (waitOf(e) === undefined
    ? 'This sign-in was refused. Contact your administrator if this keeps happening.'
    : `This sign-in was refused for now. ${tryAgain(e)}`),
  captcha_required: 'Please complete the human verification and try again.',
  captcha_invalid: 'The human verification did not succeed. Please try again.',
  captcha_unavailable: (e) => `Human verification is unavailable right now. ${tryAgain(e)}`,
  captcha_cancelled: 'The human verification was cancelled. Sign in again to retry.',
  captcha_error: 'The human verification failed to run. Please try again.',
  otp_invalid: 'The email code is wrong or has expired. Sign in again to get a new code.',
  email_otp_cancelled: 'Entering the email code was cancelled. Sign in again to get a new code.',
  network_error: 'The sign-in service could not be reached. Check your connection and try again.',
  service_unavailable: (e) => `Sign-in is temporarily unavailable. ${tryAgain(e)}`,
  tenant_not_found: 'This sign-in is not set up for this site.',
  signup_disabled: 'Sign-up is closed on this site. Ask its administrator for an account.',
  email_not_verified: 'Confirm your email address first: follow the link we sent you.',
  token_invalid: 'This link is used or expired. Ask for a new one.',
  state_mismatch: 'This sign-in was not started here or has already finished. Please sign in again.',
  issuer_mismatch: 'The sign-in answer did not come from the expected service. Please sign in again.',
  id_token_invalid: 'The sign-in answer could not be checked. Please sign in again.',
};

/**
 * The sentence a person signing in reads for an error, chosen by its `code` (the hosted page and
 * `@portcullis/react` both show these). `captcha_blocked` keeps the SDK's own message, which
 * names the Content-Security-Policy entry the page is missing: the developer needs that text,
 * and no rewording would carry it. Unknown codes fall back to the error's message.
 */
export function describeError(error: DescribableError): string {
  if (error.code === 'captcha_blocked') return error.message;
  const entry = MESSAGES[error.code];
  if (typeof entry === 'function') return entry(error);
  return entry ?? (error.message || 'Sign-in failed. Please try again.');
}
