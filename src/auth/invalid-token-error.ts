/** A bearer token that must be refused; `description` goes to the caller (RFC 6750 error_description). */
export class InvalidTokenError extends Error {
  constructor(
    readonly description: string,
    /** What the audit log should say; may name more than the caller is told. */
    readonly auditReason: string = description,
  ) {
    super(description);
    this.name = 'InvalidTokenError';
  }
}

/**
 * The check itself failed (the database did not answer while looking up a key): not the caller's
 * fault, so it must surface as a server error, never as a 401 that blames the token.
 */
export class TokenCheckFailure extends Error {
  constructor(readonly underlying: unknown) {
    super('the access token could not be checked', { cause: underlying });
    this.name = 'TokenCheckFailure';
  }
}

/** What the caller is told for the errors jsonwebtoken (under passport-jwt) raises. */
export function describeTokenFailure(failure: unknown): InvalidTokenError {
  if (failure instanceof InvalidTokenError) return failure;
  const name = failure instanceof Error ? failure.name : '';
  const message = failure instanceof Error ? failure.message : String(failure);
  if (name === 'TokenExpiredError') return new InvalidTokenError('The access token has expired.', message);
  if (name === 'NotBeforeError') return new InvalidTokenError('The access token is not valid yet.', message);
  if (/audience/.test(message))
    return new InvalidTokenError('The access token is not meant for this API.', message);
  if (/issuer/.test(message))
    return new InvalidTokenError('The access token has an untrusted issuer.', message);
  if (/algorithm|signature is required/.test(message)) {
    return new InvalidTokenError('The access token uses a signing algorithm that is not accepted.', message);
  }
  if (/signature/.test(message))
    return new InvalidTokenError('The access token signature is invalid.', message);
  return new InvalidTokenError('The access token is malformed.', message);
}
