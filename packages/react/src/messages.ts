import type { PortcullisClientError } from '@portcullis/js';

type Details = Record<string, unknown>;

/** "in 45 seconds" / "in 15 minutes" / "in 2 hours", from `details.retry_after_s`; "later" without it. */
function retryIn(details: Details): string {
  const s = details['retry_after_s'];
  if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) return 'later';
  const [n, unit] = s < 60 ? [Math.ceil(s), 'second'] : s < 5400 ? [Math.ceil(s / 60), 'minute'] : [Math.ceil(s / 3600), 'hour'];
  return `in ${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** What a person signing in is told, per error code (server registry and SDK codes). */
const MESSAGES: Record<string, string | ((details: Details) => string)> = {
  invalid_request: 'Enter a valid email address and your password.',
  invalid_credentials: 'The email or password is incorrect.',
  account_disabled: 'This account is disabled. Contact your administrator.',
  account_locked: (d) => `Too many failed sign-ins for this account. Try again ${retryIn(d)}.`,
  rate_limited: (d) => `Too many attempts from this network. Try again ${retryIn(d)}.`,
  sign_in_denied: 'This sign-in was refused. Contact your administrator if this keeps happening.',
  captcha_required: 'Please complete the human verification and try again.',
  captcha_invalid: 'The human verification did not succeed. Please try again.',
  captcha_unavailable: (d) => `Human verification is unavailable right now. Try again ${retryIn(d)}.`,
  captcha_cancelled: 'The human verification was cancelled. Sign in again to retry.',
  captcha_error: 'The human verification failed to run. Please try again.',
  otp_invalid: 'The email code is wrong or has expired. Sign in again to get a new code.',
  email_otp_cancelled: 'Entering the email code was cancelled. Sign in again to get a new code.',
  network_error: 'The sign-in service could not be reached. Check your connection and try again.',
  service_unavailable: (d) => `Sign-in is temporarily unavailable. Try again ${retryIn(d)}.`,
  tenant_not_found: 'This sign-in is not set up for this site.',
};

/**
 * The human message for a sign-in error, chosen by its `code`. `captcha_blocked` keeps the SDK's
 * own message, which names the Content-Security-Policy entry the page is missing: the developer
 * needs that text, and no rewording would carry it. Unknown codes fall back to the error's message.
 */
export function describeError(error: Pick<PortcullisClientError, 'code' | 'message' | 'details'>): string {
  if (error.code === 'captcha_blocked') return error.message;
  const entry = MESSAGES[error.code];
  if (typeof entry === 'function') return entry(error.details ?? {});
  return entry ?? (error.message || 'Sign-in failed. Please try again.');
}
