import { OAUTH_ERRORS, type OAuthErrorCode } from '@portcullis/protocol';

export type { OAuthErrorCode } from '@portcullis/protocol';

/**
 * An RFC 6749 §5.2 error of `/oauth2/*`, serialised as `{ error, error_description }`. The code
 * and its status come from the protocol registry (`OAUTH_ERRORS`), beside the API's codes.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status: number = OAUTH_ERRORS[error].status,
    readonly retryAfterS?: number,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
