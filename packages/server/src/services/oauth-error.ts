/** RFC 6749 §5.2 errors of `/oauth2/*`, serialised as `{ error, error_description }`. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client'
  | 'unsupported_grant_type' | 'invalid_scope' | 'rate_limited' | 'server_error' | 'temporarily_unavailable';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : error === 'rate_limited' ? 429 : 400,
    readonly retryAfterS?: number,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
