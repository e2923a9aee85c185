import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { IDEMPOTENCY_KEY_PATTERN, IdempotencyKeys, requestFingerprint } from './idempotency.js';

// The metadata key of @HttpCode() (not exported from the package root).
const HTTP_CODE_METADATA = '__httpCode__';
const REPLAYED_HEADERS = ['location', 'content-type', 'etag'];

/**
 * `Idempotency-Key` on a POST: the first request runs and its response is kept; a retry with the
 * same key and body gets that response again (with `Idempotency-Replayed: true`), a retry with
 * another body gets 422, one that arrives while the first still runs gets 409.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly keys: IdempotencyKeys) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    const principal = request.principal;
    if (key === undefined || !principal) return next.handle();
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new ProblemException(
        400,
        ProblemCode.BadRequest,
        'Idempotency-Key must be 1 to 255 visible ASCII characters.',
      );
    }
    const body = Buffer.isBuffer(request.body)
      ? request.body
      : Buffer.from(JSON.stringify(request.body ?? null));
    const path = request.url.split('?')[0]!;
    const fingerprint = requestFingerprint(request.method, request.url, body);
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? 201;
    return from(
      (async () => {
        const claim = await this.keys.claim(
          principal.tenantId,
          principal.clientId,
          key,
          request.method,
          path,
          fingerprint,
        );
        if (claim.kind === 'mismatch') {
          throw new ProblemException(
            422,
            'idempotency-key-reused',
            'This Idempotency-Key was already used with a different request; use a new key for a new request.',
          );
        }
        if (claim.kind === 'in-progress') {
          throw new ProblemException(
            409,
            ProblemCode.Conflict,
            'A request with this Idempotency-Key is still being processed.',
            {},
            {
              'Retry-After': '1',
            },
          );
        }
        if (claim.kind === 'replay') {
          reply.status(claim.response.status);
          for (const [name, value] of Object.entries(claim.response.headers)) reply.header(name, value);
          reply.header('Idempotency-Replayed', 'true');
          const type = claim.response.headers['content-type'] ?? '';
          return /json/.test(type)
            ? (JSON.parse(claim.response.body.toString('utf8')) as unknown)
            : claim.response.body;
        }
        try {
          const result: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const headers: Record<string, string> = {};
          for (const name of REPLAYED_HEADERS) {
            const value = reply.getHeader(name);
            if (value !== undefined) headers[name] = String(value);
          }
          const isBuffer = Buffer.isBuffer(result);
          headers['content-type'] ??= isBuffer
            ? 'application/octet-stream'
            : 'application/json; charset=utf-8';
          const stored = isBuffer ? result : Buffer.from(JSON.stringify(result ?? null));
          await this.keys.complete(principal.tenantId, principal.clientId, key, {
            status: reply.statusCode !== 200 ? reply.statusCode : status,
            headers,
            body: stored,
          });
          return result;
        } catch (error) {
          // Only a finished answer is replayed: a failed attempt frees the key for the client's retry.
          await this.keys.release(principal.tenantId, principal.clientId, key).catch(() => undefined);
          throw error;
        }
      })(),
    );
  }
}
