/** Error codes of the token endpoint (RFC 6749 §5.2). */
export type OAuthTokenErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/**
 * A refused token request. Unlike every other error of Crossdock it is answered as RFC 6749
 * requires (`{error, error_description}`), because OAuth client libraries parse exactly that.
 */
export class OAuthTokenError extends Error {
  readonly status: number;

  constructor(
    readonly error: OAuthTokenErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = 'OAuthTokenError';
    this.status = error === 'invalid_client' ? 401 : 400;
  }
}
