export { createVerifier, type AccessClaims, type Verifier, type VerifierOptions, type VerifyOptions } from './verifier.js';
export { BearerError, BEARER_ERRORS, type BearerErrorCode } from './bearer-error.js';
export { bearerToken } from './bearer-token.js';
export { authenticate, bearerErrorResponse, type AuthOptions } from './authenticate.js';
export { requireAuth, fastifyAuth, type AuthenticatedRequest } from './middleware.js';
export {
  createManagementClient, ManagementAuthError, type ManagementClient, type ManagementClientOptions,
  type paths, type components, type operations,
} from './management-client.js';
export { verifyWebhook, WebhookVerificationError, type WebhookHeaders } from './webhook.js';
