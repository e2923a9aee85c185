import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { markRefusedUnaudited } from './audit-http-hooks.js';
import { AuditLog } from './audit-log.js';

const RETRY_AFTER_SECONDS = 5;

/**
 * Refuses, once its guards know the tenant, a request whose tenant's audit chain cannot be
 * appended just now: nothing is served that its chain could not record, while other tenants are.
 */
@Injectable()
export class AuditChainInterceptor implements NestInterceptor {
  constructor(private readonly auditLog: AuditLog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest | undefined>();
    const tenantId = request?.principal?.tenantId;
    if (request && tenantId && !this.auditLog.availableFor(tenantId)) {
      markRefusedUnaudited(request);
      throw new ProblemException(
        503,
        ProblemCode.ServiceUnavailable,
        "The tenant's audit log cannot be written just now, and no request is served unrecorded; retry later.",
        {},
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }
    return next.handle();
  }
}
