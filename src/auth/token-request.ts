import { OAuthTokenError } from './oauth-token-error.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** A client credentials token request, read but not yet authenticated. */
export interface TokenRequest {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authMethod: ClientAuthMethod;
  /** The requested scopes; undefined asks for every scope the client is allowed. */
  readonly scopes: readonly string[] | undefined;
}

const FORM = /^application\/x-www-form-urlencoded(\s*;.*)?$/i;
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function field(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  // RFC 6749 §3.2: parameters MUST NOT be included more than once.
  if (typeof value !== 'string')
    throw new OAuthTokenError('invalid_request', `The parameter ${name} is repeated.`);
  return value;
}

/** application/x-www-form-urlencoded decoding of one part of HTTP Basic credentials (RFC 6749 §2.3.1). */
function formDecode(part: string): string {
  return decodeURIComponent(part.replace(/\+/g, ' '));
}

function basicCredentials(authorization: string): { clientId: string; clientSecret: string } {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization);
  const refused = new OAuthTokenError('invalid_client', 'Client authentication failed.');
  if (!match) throw refused;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw refused;
  try {
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw refused;
  }
}

/**
 * Reads a token request (RFC 6749 §4.4.2, client authentication per §2.3.1). The checks that need
 * no database come first, so a malformed request costs no password hashing.
 */
export function parseTokenRequest(
  contentType: string | undefined,
  authorization: string | undefined,
  body: unknown,
): TokenRequest {
  if (!contentType || !FORM.test(contentType) || !body || typeof body !== 'object') {
    throw new OAuthTokenError(
      'invalid_request',
      'The token request must be a POST with Content-Type application/x-www-form-urlencoded.',
    );
  }
  const form = body as Record<string, unknown>;
  const grantType = field(form, 'grant_type');
  if (!grantType) throw new OAuthTokenError('invalid_request', 'The parameter grant_type is missing.');
  if (grantType !== 'client_credentials') {
    throw new OAuthTokenError(
      'unsupported_grant_type',
      `The grant type "${grantType.slice(0, 64)}" is not supported; use client_credentials.`,
    );
  }
  const rawScope = field(form, 'scope');
  let scopes: string[] | undefined;
  if (rawScope !== undefined) {
    scopes = rawScope.split(' ').filter((s) => s !== '');
    if (scopes.length === 0 || scopes.some((s) => !SCOPE_TOKEN.test(s))) {
      throw new OAuthTokenError('invalid_scope', 'The scope parameter is empty or malformed.');
    }
  }
  const bodyId = field(form, 'client_id');
  const bodySecret = field(form, 'client_secret');
  if (authorization !== undefined && authorization !== '') {
    // RFC 6749 §2.3: a client MUST NOT use more than one authentication method in a request.
    if (bodySecret !== undefined) {
      throw new OAuthTokenError(
        'invalid_request',
        'Use either HTTP Basic or client_secret in the body to authenticate, not both.',
      );
    }
    const basic = basicCredentials(authorization);
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new OAuthTokenError(
        'invalid_request',
        'The client_id parameter differs from the HTTP Basic user.',
      );
    }
    return { ...basic, authMethod: 'client_secret_basic', scopes };
  }
  if (!bodyId || bodySecret === undefined) {
    throw new OAuthTokenError(
      'invalid_client',
      'Client authentication is missing: send HTTP Basic credentials, or client_id and client_secret.',
    );
  }
  return { clientId: bodyId, clientSecret: bodySecret, authMethod: 'client_secret_post', scopes };
}
