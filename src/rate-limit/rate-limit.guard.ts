import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { RATE_LIMIT_GROUP } from './rate-limit-group.decorator.js';
import { PerRoute } from '../common/http/per-route.js';
import { rateLimitHeaders, type WindowState } from './rate-limit-headers.js';
import { groupOfRoute } from './rate-limit-route-groups.js';
import { limitSubjects } from './rate-limit-subjects.js';
import { RateLimiterStore } from './rate-limiter-store.js';

/**
 * Run by the global PolicyGuard after the AuthGuard (so it knows the partner and its tenant file policy) and
 * before the ScopesGuard (so probing for scopes costs quota too). A request without a principal
 * (public routes) is counted per source IP; the token endpoint also per claimed client id from
 * that IP.
 * Every limited response carries `RateLimit-Policy` and `RateLimit`; a refused one is a 429
 * problem with `Retry-After`.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  /** A route's declared group (`@RateLimitGroup`), `undefined` when it declares none. */
  private readonly declaredGroup: PerRoute<string | null | undefined>;

  constructor(
    reflector: Reflector,
    private readonly store: RateLimiterStore,
    private readonly tenants: TenantRegistry,
  ) {
    this.declaredGroup = new PerRoute((handler, controller) =>
      reflector.getAllAndOverride<string | null | undefined>(RATE_LIMIT_GROUP, [handler, controller]),
    );
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const limited = this.limit(context);
    return limited instanceof Promise ? limited.then(() => true) : true;
  }

  /**
   * Counts the request and sets its headers, or throws the 429. Synchronous when the counters
   * answer without I/O (in memory), so the policy chain costs no await there.
   */
  limit(context: ExecutionContext): void | Promise<void> {
    if (context.getType() !== 'http') return;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const declared = this.declaredGroup.of(context);
    const group = declared === undefined ? groupOfRoute(request.routeOptions.url) : declared;
    if (group === null) return;

    const subjects = limitSubjects(request, group, this.tenants);
    const reply = http.getResponse<FastifyReply>();
    if (subjects.length === 1) {
      const states = this.store.consume(subjects[0]!.key, subjects[0]!.windows);
      return states instanceof Promise
        ? states.then((s) => applyLimits(reply, s))
        : applyLimits(reply, states);
    }
    return Promise.all(subjects.map((s) => this.store.consume(s.key, s.windows))).then((all) =>
      applyLimits(reply, all.flat()),
    );
  }
}

function applyLimits(reply: FastifyReply, states: readonly WindowState[]): void {
  const headers = rateLimitHeaders(states);
  for (const name in headers) reply.header(name, headers[name]);
  if (headers['Retry-After'] !== undefined) {
    throw new ProblemException(
      429,
      ProblemCode.TooManyRequests,
      `Rate limit exceeded; retry after ${headers['Retry-After']} second(s).`,
      {},
      headers,
    );
  }
}
