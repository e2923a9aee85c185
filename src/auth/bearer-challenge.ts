/** `WWW-Authenticate` challenges of RFC 6750 §3 for the resource routes. */
export const BEARER_REALM = 'crossdock';

/** A quoted-string (RFC 9110 §5.6.4) that cannot break out of the header. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, ' ').replace(/["\\]/g, '\\$&')}"`;
}

export function bearerChallenge(
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope',
  description?: string,
  scope?: readonly string[],
): string {
  const parts = [`realm=${quoted(BEARER_REALM)}`];
  if (error) parts.push(`error=${quoted(error)}`);
  if (description) parts.push(`error_description=${quoted(description)}`);
  if (scope && scope.length > 0) parts.push(`scope=${quoted(scope.join(' '))}`);
  return `Bearer ${parts.join(', ')}`;
}
