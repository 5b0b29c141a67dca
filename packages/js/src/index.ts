/**
 * `@portcullis/js`: the framework-free browser SDK for Portcullis sign-in (DESIGN §5–§7, §13).
 * @packageDocumentation
 */
export { AuthClient, type SignInOptions } from './auth-client.js';
export type { IdTokenClaims, RedirectResult, RedirectSignInOptions } from './redirect.js';
export type { SignInStep } from './sign-in-flow.js';
export type { AuthClientOptions, Session } from './options.js';
export { PortcullisClientError } from './errors.js';
export { describeError, retryAfterText, type DescribableError } from './messages.js';
export { cspFor } from './captcha/csp.js';
export { collectDeviceSignals } from './device/collect.js';
