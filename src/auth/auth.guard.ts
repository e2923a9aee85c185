import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { Public } from '../common/http/public.decorator.js';
import { ACCESS_TOKEN_STRATEGY } from './access-token.strategy.js';
import { bearerChallenge } from './bearer-challenge.js';
import { describeTokenFailure, InvalidTokenError, TokenCheckFailure } from './invalid-token-error.js';
import type { Principal } from './principal.js';

/**
 * Authenticates every route not marked `@Public()`: a valid bearer token becomes
 * `request.principal`; anything else is a 401 problem+json with an RFC 6750 challenge.
 * Registered first among the global guards (before rate limits and scopes).
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard(ACCESS_TOKEN_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override getAuthenticateOptions(): { property: string; session: boolean } {
    return { property: 'principal', session: false };
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride(Public, [context.getHandler(), context.getClass()])) return true;
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser = Principal>(
    error: unknown,
    principal: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!error && principal) {
      request.audit = { ...request.audit, tenantId: (principal as unknown as Principal).tenantId };
      return principal;
    }
    // An error thrown while mapping a verified token (the registry lookup) that is not a refusal is ours.
    if (error && !(error instanceof InvalidTokenError)) throw error;
    if (info instanceof TokenCheckFailure) throw info.underlying;
    const failure = error ?? info;
    if (failure instanceof Error && failure.message === 'No auth token') {
      request.audit = { ...request.audit, reason: 'no bearer token' };
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
    const refused = describeTokenFailure(failure);
    request.audit = { ...request.audit, reason: `invalid token: ${refused.auditReason}`.slice(0, 300) };
    throw new ProblemException(
      401,
      ProblemCode.InvalidToken,
      refused.description,
      {},
      {
        'WWW-Authenticate': bearerChallenge('invalid_token', refused.description),
      },
    );
  }
}
