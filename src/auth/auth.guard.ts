import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { PerRoute } from '../common/http/per-route.js';
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
 * Run first by the global PolicyGuard (before rate limits and scopes).
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard(ACCESS_TOKEN_STRATEGY) {
  private readonly verified = new VerifiedTokenCache(CLOCK_TOLERANCE_SECONDS);
  private readonly isPublic: PerRoute<boolean>;

  constructor(
    reflector: Reflector,
    private readonly strategy: AccessTokenStrategy,
    private readonly keyRing: SigningKeyRing,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
    this.isPublic = new PerRoute(
      (handler, controller) => reflector.getAllAndOverride(Public, [handler, controller]) === true,
    );
  }

  override getAuthenticateOptions(): { property: string; session: boolean } {
    return { property: 'principal', session: false };
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const done = this.authenticate(context);
    return done instanceof Promise ? done.then(() => true) : true;
  }

  /**
   * Sets `request.principal` or throws the 401. Synchronous for a token this process already
   * verified while its key and its client's status are cached: the policy chain then costs no
   * await. Anything else goes through passport-jwt.
   */
  authenticate(context: ExecutionContext): void | Promise<void> {
    if (context.getType() !== 'http') return;
    if (this.isPublic.of(context)) return;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request);
    const known = token ? this.verified.get(token) : undefined;
    if (!token || !known) return this.throughPassport(context, token);
    const keyOk = this.keyStillVerifies(known);
    if (keyOk instanceof Promise) {
      return keyOk.then((ok) =>
        ok ? this.acceptKnown(known, context) : this.throughPassport(context, token),
      );
    }
    return keyOk ? this.acceptKnown(known, context) : this.throughPassport(context, token);
  }

  /** Signature and times were verified for this exact token; the claims and statuses are checked again. */
  private acceptKnown(known: VerifiedToken, context: ExecutionContext): void | Promise<void> {
    let principal: Principal | Promise<Principal>;
    try {
      principal = this.strategy.principalOf(known.payload);
    } catch (error) {
      return this.settle(error, undefined, context);
    }
    return principal instanceof Promise
      ? principal.then(
          (p) => this.settle(undefined, p, context),
          (error: unknown) => this.settle(error, undefined, context),
        )
      : this.settle(undefined, principal, context);
  }

  private settle(failure: unknown, principal: Principal | undefined, context: ExecutionContext): void {
    const accepted = this.handleRequest(failure, principal ?? false, undefined, context);
    context.switchToHttp().getRequest<FastifyRequest>().principal = accepted;
  }

  private async throughPassport(context: ExecutionContext, token: string | undefined): Promise<void> {
    const allowed = (await super.canActivate(context)) as boolean;
    if (allowed && token) this.verified.remember(token);
  }

  /** Our own tokens: the key that signed them must not have retired since (providers' keys are theirs). */
  private keyStillVerifies(token: VerifiedToken): boolean | Promise<boolean> {
    if (token.payload.iss !== this.config.publicBaseUrl) return true;
    if (token.kid === undefined) return false;
    if (this.keyRing.cachedVerificationKey(token.kid) !== undefined) return true;
    return this.keyRing.verificationKey(token.kid).then((key) => key !== undefined);
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
