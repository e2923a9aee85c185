import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { WebhookSubscriptions } from './webhook-subscriptions.js';

/**
 * Puts the signing secret into a new subscription's answer on the way out. The handler answers
 * without it, so that what the Idempotency-Key store keeps (to replay to a retry) never holds the
 * secret in clear: it lives only encrypted on the subscription row, and is read from there for the
 * first answer and for every replay alike. Listed before IdempotencyInterceptor, so it wraps it.
 */
@Injectable()
export class WebhookSecretInterceptor implements NestInterceptor {
  constructor(private readonly subscriptions: WebhookSubscriptions) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    return next
      .handle()
      .pipe(mergeMap((answer: unknown) => from(this.withSecret(principal?.tenantId, answer))));
  }

  private async withSecret(tenantId: string | undefined, answer: unknown): Promise<unknown> {
    if (tenantId === undefined || typeof answer !== 'object' || answer === null || Array.isArray(answer))
      return answer;
    const id = (answer as { id?: unknown }).id;
    if (typeof id !== 'string') return answer;
    const target = await this.subscriptions.target(tenantId, id);
    return target ? { ...answer, secret: target.secret } : answer;
  }
}
