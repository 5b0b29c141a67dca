/**
 * The human message for a sign-in error, chosen by its `code`: the SDK's wording, so `<SignIn/>`
 * and the hosted page tell a person the same thing (including when to try again, from
 * `retryAfterS` / `details.retry_after_s`).
 */
export { describeError } from '@portcullis/js';
