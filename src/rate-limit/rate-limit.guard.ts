import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { RATE_LIMIT_GROUP } from './rate-limit-group.decorator.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { groupOfRoute } from './rate-limit-route-groups.js';
import { limitSubjects } from './rate-limit-subjects.js';
import { RateLimiterStore } from './rate-limiter-store.js';

/**
 * Global guard, after the AuthGuard (so it knows the partner and its tenant file policy) and
 * before the ScopesGuard (so probing for scopes costs quota too). A request without a principal
 * (public routes) is counted per source IP; the token endpoint also per claimed client id.
 * Every limited response carries `RateLimit-Policy` and `RateLimit`; a refused one is a 429
 * problem with `Retry-After`.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: RateLimiterStore,
    private readonly tenants: TenantRegistry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const declared = this.reflector.getAllAndOverride<string | null | undefined>(RATE_LIMIT_GROUP, [
      context.getHandler(),
      context.getClass(),
    ]);
    const group = declared === undefined ? groupOfRoute(request.routeOptions.url) : declared;
    if (group === null) return true;

    const subjects = limitSubjects(request, group, this.tenants);
    const states = (await Promise.all(subjects.map((s) => this.store.consume(s.key, s.windows)))).flat();
    const headers = rateLimitHeaders(states);
    const reply = http.getResponse<FastifyReply>();
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    if (headers['Retry-After'] !== undefined) {
      throw new ProblemException(
        429,
        ProblemCode.TooManyRequests,
        `Rate limit exceeded; retry after ${headers['Retry-After']} second(s).`,
        {},
        headers,
      );
    }
    return true;
  }
}
