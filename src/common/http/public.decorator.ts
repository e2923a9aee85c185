import { Reflector } from '@nestjs/core';

/**
 * Marks a route (or a whole controller) as reachable without an access token: health, metrics,
 * the token endpoint, the JWKS. Every other route needs a valid token (default deny). It lives in
 * common because every module may have public routes; only the auth guard reads it.
 */
export const Public = Reflector.createDecorator<true>({ transform: () => true });
