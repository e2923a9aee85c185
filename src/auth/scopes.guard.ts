import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { PerRoute } from '../common/http/per-route.js';
import type { Scope } from '../tenancy/tenant-file-schema.js';
import { bearerChallenge } from './bearer-challenge.js';
import { RequiredScopes } from './scopes.decorator.js';

/** Refuses with 403 `insufficient-scope` a token lacking a scope the route declares with `@Scopes()`. */
@Injectable()
export class ScopesGuard implements CanActivate {
  private readonly requiredScopes: PerRoute<readonly Scope[] | undefined>;

  constructor(reflector: Reflector) {
    this.requiredScopes = new PerRoute((handler, controller) =>
      reflector.getAllAndOverride(RequiredScopes, [handler, controller]),
    );
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const required = this.requiredScopes.of(context);
    if (!required || required.length === 0) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const granted = request.principal?.scopes ?? [];
    const missing = required.filter((scope) => !granted.includes(scope));
    if (missing.length === 0) return true;
    request.audit = { ...request.audit, reason: `missing scope ${missing.join(' ')}` };
    const detail = `This route needs the scope${required.length > 1 ? 's' : ''} ${required.join(', ')}; the access token lacks ${missing.join(', ')}.`;
    throw new ProblemException(
      403,
      ProblemCode.InsufficientScope,
      detail,
      { requiredScopes: required, missingScopes: missing },
      {
        'WWW-Authenticate': bearerChallenge(
          'insufficient_scope',
          'The access token lacks a required scope.',
          required,
        ),
      },
    );
  }
}
