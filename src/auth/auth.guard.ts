import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { Public } from '../common/http/public.decorator.js';
import { ACCESS_TOKEN_STRATEGY, AccessTokenStrategy } from './access-token.strategy.js';
import { CLOCK_TOLERANCE_SECONDS } from './access-token-format.js';
import { VerifiedTokenCache, type VerifiedToken } from './verified-token-cache.js';
import { SigningKeyRing } from './signing-key-ring.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { AppConfig } from '../config/app-config.js';
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
  private readonly verified = new VerifiedTokenCache(CLOCK_TOLERANCE_SECONDS);

  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: AccessTokenStrategy,
    private readonly keyRing: SigningKeyRing,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  override getAuthenticateOptions(): { property: string; session: boolean } {
    return { property: 'principal', session: false };
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride(Public, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request);
    const known = token ? this.verified.get(token) : undefined;
    if (token && known && (await this.keyStillVerifies(known))) {
      // Signature and times were verified for this exact token; the claims and statuses are checked again.
      let principal: Principal | undefined;
      let failure: unknown;
      try {
        principal = await this.strategy.validate(known.payload);
      } catch (error) {
        failure = error;
      }
      this.handleRequest(failure, principal ?? false, undefined, context);
      request.principal = principal;
      return true;
    }
    const allowed = (await super.canActivate(context)) as boolean;
    if (allowed && token) this.verified.remember(token);
    return allowed;
  }

  /** Our own tokens: the key that signed them must not have retired since (providers' keys are theirs). */
  private async keyStillVerifies(token: VerifiedToken): Promise<boolean> {
    if (token.payload.iss !== this.config.publicBaseUrl) return true;
    return token.kid !== undefined && (await this.keyRing.verificationKey(token.kid)) !== undefined;
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

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim()) : null;
  return match?.[1];
}
