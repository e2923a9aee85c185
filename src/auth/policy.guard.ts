import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { AuthGuard } from './auth.guard.js';
import { ScopesGuard } from './scopes.guard.js';

/**
 * The one global guard: authentication → rate limit → scopes, in that order (scopes last, so that
 * probing for scopes costs quota too). One guard instead of three because each Nest guard is
 * awaited; here each step is synchronous when it can answer without I/O (a token verified before,
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
    if (limited instanceof Promise) return limited.then(() => this.scopes.canActivate(context));
    return this.scopes.canActivate(context);
  }
}
