/** The shape of the access tokens Crossdock issues (RFC 9068 JWT profile, signed ES256). */

/** `aud` of every Crossdock access token. */
export const ACCESS_TOKEN_AUDIENCE = 'crossdock-api';
/** `typ` header (RFC 9068 §2.1): an ID token or any other JWT of the same key is not an access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const SIGNING_ALGORITHM = 'ES256';
/** Clock skew tolerated between nodes and with identity providers. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export interface AccessTokenClaims {
  readonly iss: string;
  readonly aud: string;
  /** The client id. */
  readonly sub: string;
  readonly client_id: string;
  readonly tid: string;
  /** Absent for tenant staff clients. */
  readonly pid?: string;
  /** Space-delimited (RFC 6749 §3.3). */
  readonly scope: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}
