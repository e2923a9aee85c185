import { HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  PROBLEM_TYPE_BASE,
  ProblemCode,
  ProblemException,
  defaultCodeFor,
  titleFor,
  type ProblemDetails,
} from './problem-details.js';

/** The longest path parameter the router passes on (an id longer than any stored one is a 404 before that). */
export const MAX_PATH_PARAMETER_LENGTH = 1000;

interface Mapped {
  readonly problem: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;
}

interface FastifyLikeError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
}

/** Fastify's own errors (raised before a route handler runs) with what to tell the client. */
const FASTIFY_ERRORS: Readonly<
  Record<string, { status: number; code: ProblemCode; detail: (e: FastifyLikeError) => string }>
> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: ProblemCode.PayloadTooLarge,
    detail: () => 'The request body is larger than this endpoint accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: ProblemCode.UnsupportedMediaType,
    detail: () => 'The Content-Type of the request is not supported by this endpoint.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: ProblemCode.BadRequest,
    detail: () => 'The Content-Length header does not match the body.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: ProblemCode.MalformedJson,
    detail: () => 'The body is empty but the Content-Type says JSON.',
  },
  // Raised by the router, before any route (Fastify's `frameworkErrors`, see http-app.ts).
  FST_ERR_BAD_URL: {
    status: 400,
    code: ProblemCode.BadRequest,
    detail: () => 'The URL is not valid: a percent-encoded part of its path is not UTF-8.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: ProblemCode.UriTooLong,
    detail: () => `A path parameter is longer than ${MAX_PATH_PARAMETER_LENGTH} characters.`,
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: ProblemCode.MalformedJson,
    detail: () => 'The body is not valid JSON.',
  },
};

function fastifyError(exception: unknown): FastifyLikeError | undefined {
  if (exception && typeof exception === 'object' && 'code' in exception) {
    const code = (exception as FastifyLikeError).code;
    if (typeof code === 'string' && code.startsWith('FST_')) return exception as FastifyLikeError;
  }
  return undefined;
}

function isJsonSyntaxError(exception: unknown): boolean {
  return (
    exception instanceof SyntaxError &&
    ((exception as FastifyLikeError).statusCode === 400 || /JSON/i.test(exception.message))
  );
}

/** Maps any thrown value to problem details. Internals (stack, SQL, file paths) never reach the client. */
export function toProblem(exception: unknown, request: FastifyRequest): Mapped {
  const base = (
    status: number,
    code: string,
    detail: string,
    extra: Record<string, unknown> = {},
  ): ProblemDetails => ({
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: titleFor(status),
    status,
    detail,
    instance: request.url.split('?')[0],
    correlationId: String(request.id),
    code,
    ...extra,
  });

  if (exception instanceof ProblemException) {
    return {
      problem: base(exception.status, exception.code, exception.message, { ...exception.extensions }),
      headers: exception.headers,
    };
  }
  // Nest wraps Fastify's own errors (body too large, bad JSON) in an HttpException with the original as cause.
  const inner = exception instanceof HttpException && exception.cause ? exception.cause : exception;
  const fastify = fastifyError(inner);
  if (fastify?.code && FASTIFY_ERRORS[fastify.code]) {
    const known = FASTIFY_ERRORS[fastify.code]!;
    return { problem: base(known.status, known.code, known.detail(fastify)), headers: {} };
  }
  if (isJsonSyntaxError(inner)) {
    return { problem: base(400, ProblemCode.MalformedJson, 'The body is not valid JSON.'), headers: {} };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let detail = exception.message;
    if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(detail)) {
      detail = `No route ${request.method} ${request.url.split('?')[0]}.`;
    } else if (typeof response === 'object' && response !== null && 'message' in response) {
      const message = (response as { message: unknown }).message;
      detail = Array.isArray(message) ? message.join('; ') : String(message);
    }
    return { problem: base(status, defaultCodeFor(status), detail), headers: {} };
  }
  if (fastify?.statusCode && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return {
      problem: base(fastify.statusCode, defaultCodeFor(fastify.statusCode), titleFor(fastify.statusCode)),
      headers: {},
    };
  }
  return {
    problem: base(
      500,
      ProblemCode.Internal,
      'An unexpected error occurred. Quote the correlation id when reporting it.',
    ),
    headers: {},
  };
}
