import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { bearerChallenge } from './bearer-challenge.js';
import type { Principal } from './principal.js';

function principalOf(context: ExecutionContext): Principal {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  // Only reachable on a route that is @Public() by mistake: refuse rather than serve anonymously.
  if (!principal) {
    throw new ProblemException(
      401,
      ProblemCode.Unauthorized,
      'This route needs a bearer access token.',
      {},
      {
        'WWW-Authenticate': bearerChallenge(),
      },
    );
  }
  return principal;
}

/** `@CurrentPrincipal() principal: Principal`: the caller as proven by its access token. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  principalOf(context),
);

/** The caller's TenantScope, to hand to services as their first argument. */
export function tenantScopeOf(principal: Principal): TenantScope {
  return new TenantScope(principal.tenantId, principal.partnerId, principal.customerAccount);
}

/** `@CurrentTenant() scope: TenantScope`: tenant (and partner) confinement from the token, never from the request. */
export const CurrentTenant = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  tenantScopeOf(principalOf(context)),
);
