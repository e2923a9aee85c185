import { applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiForbiddenResponse, ApiOAuth2, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Scope } from '../tenancy/tenant-file-schema.js';

/** The metadata ScopesGuard reads: every listed scope is required. */
export const RequiredScopes = Reflector.createDecorator<readonly Scope[]>();

/** Name of the OAuth2 security scheme in the OpenAPI document. */
export const OAUTH2_SCHEME = 'oauth2';

/**
 * `@Scopes('shipments:write')`: the route needs a valid access token carrying every listed scope.
 * One decorator guards the route (ScopesGuard) and documents the requirement in OpenAPI, so the
 * two cannot drift apart. `@Scopes()` with no scope documents a route open to any valid token.
 */
export function Scopes(...scopes: Scope[]): MethodDecorator & ClassDecorator {
  const needs =
    scopes.length > 0 ? `the scope${scopes.length > 1 ? 's' : ''} ${scopes.join(', ')}` : 'no scope';
  return applyDecorators(
    RequiredScopes(scopes),
    ApiOAuth2(scopes, OAUTH2_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, expired or invalid access token (problem+json, `WWW-Authenticate: Bearer`).',
    }),
    ...(scopes.length > 0
      ? [
          ApiForbiddenResponse({
            description: `The token lacks ${needs} (problem+json, code \`insufficient-scope\`).`,
          }),
        ]
      : []),
  );
}
