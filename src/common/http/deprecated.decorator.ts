import {
  applyDecorators,
  Injectable,
  SetMetadata,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';

export interface DeprecationNotice {
  /** When the route was (or will be) deprecated, ISO 8601. */
  readonly since: string;
  /** When it stops answering, ISO 8601; at least six months after `since` within v1. */
  readonly sunset?: string;
  /** Where the migration is documented (the successor route, a changelog entry). */
  readonly link?: string;
}

const DEPRECATION = 'crossdock:deprecation';

/** Builds the RFC 9745 `Deprecation`, RFC 8594 `Sunset` and RFC 8288 `Link` header values. */
export function deprecationHeaders(notice: DeprecationNotice): Record<string, string> {
  const since = Date.parse(notice.since);
  const sunset = notice.sunset === undefined ? Number.NaN : Date.parse(notice.sunset);
  if (Number.isNaN(since) || (notice.sunset !== undefined && Number.isNaN(sunset))) {
    throw new Error(`@Deprecated needs ISO 8601 dates, got ${JSON.stringify(notice)}`);
  }
  const headers: Record<string, string> = { deprecation: `@${Math.floor(since / 1000)}` };
  if (!Number.isNaN(sunset)) headers['sunset'] = new Date(sunset).toUTCString();
  if (notice.link) headers['link'] = `<${notice.link}>; rel="deprecation"; type="text/html"`;
  return headers;
}

@Injectable()
export class DeprecationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const notice = this.reflector.get<DeprecationNotice | undefined>(DEPRECATION, context.getHandler());
    if (notice) {
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      for (const [name, value] of Object.entries(deprecationHeaders(notice))) reply.header(name, value);
    }
    return next.handle();
  }
}

/**
 * `@Deprecated({ since, sunset, link })` on a route: every answer carries `Deprecation` and
 * `Sunset` so clients learn of the retirement from the traffic itself (README: versioning policy).
 * The dates are checked when the decorator is applied, so a typo fails at boot, not in production.
 * Place it above `@ApiOperation` so the OpenAPI operation is marked `deprecated` too.
 */
export function Deprecated(notice: DeprecationNotice): MethodDecorator {
  const headers = deprecationHeaders(notice);
  return applyDecorators(
    SetMetadata(DEPRECATION, notice),
    UseInterceptors(DeprecationInterceptor),
    markDeprecatedInOpenApi(
      `Deprecated since ${notice.since}${notice.sunset ? `, sunset ${notice.sunset}` : ''}` +
        `${notice.link ? ` (${notice.link})` : ''}: answers carry Deprecation ${headers['deprecation']}` +
        `${headers['sunset'] ? ` and Sunset ${headers['sunset']}` : ''}.`,
    ),
  );
}

/** Adds `deprecated: true` to the route's @ApiOperation (so put @Deprecated above it). */
function markDeprecatedInOpenApi(note: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const existing = (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) ?? {}) as Record<
      string,
      unknown
    >;
    const description = [existing['description'], note].filter(Boolean).join('\n\n');
    Reflect.defineMetadata(
      DECORATORS.API_OPERATION,
      { summary: '', ...existing, description, deprecated: true },
      handler,
    );
    return descriptor;
  };
}
