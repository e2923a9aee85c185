import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import type { FastifyRequest } from 'fastify';
import { AuthGuard } from './auth.guard.js';
import { refuseUnusableParameters } from './request-text.js';
import { ScopesGuard } from './scopes.guard.js';

/**
 * The one global guard: authentication → rate limit → scopes, in that order (scopes after the
 * rate limit, so that probing for scopes costs quota too), then path and query parameters no
 * handler can use (a NUL, which no database text holds; a repeated query parameter) are refused.
 * One guard instead of three because each Nest guard is awaited; here each step is synchronous when it can answer without I/O (a token verified before,
 * cached key and client status, counters in memory), so a typical request passes with no await.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(
    private readonly auth: AuthGuard,
    private readonly rateLimit: RateLimitGuard,
    private readonly scopes: ScopesGuard,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const authenticated = this.auth.authenticate(context);
    if (authenticated instanceof Promise) return authenticated.then(() => this.afterAuth(context));
    return this.afterAuth(context);
  }

  private afterAuth(context: ExecutionContext): boolean | Promise<boolean> {
    const limited = this.rateLimit.limit(context);
    if (limited instanceof Promise) return limited.then(() => this.afterLimit(context));
    return this.afterLimit(context);
  }

  private afterLimit(context: ExecutionContext): boolean {
    const allowed = this.scopes.canActivate(context);
    if (context.getType() === 'http')
      refuseUnusableParameters(context.switchToHttp().getRequest<FastifyRequest>());
    return allowed;
  }
}
