import type { SchemaViolation } from '../json-schema.js';

/** RFC 9457 problem details, as every error response of Crossdock is shaped. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly correlationId?: string;
  /** Stable machine-readable code of the problem. */
  readonly code?: string;
  /** For validation problems: each bad field by JSON pointer. */
  readonly errors?: readonly SchemaViolation[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
export const PROBLEM_TYPE_BASE = 'https://crossdock.dev/problems/';

/** Stable problem codes; each is also the last path part of the problem `type` URI. */
export enum ProblemCode {
  BadRequest = 'bad-request',
  ValidationFailed = 'validation-failed',
  MalformedJson = 'malformed-json',
  Unauthorized = 'unauthorized',
  InvalidToken = 'invalid-token',
  Forbidden = 'forbidden',
  InsufficientScope = 'insufficient-scope',
  NotFound = 'not-found',
  MethodNotAllowed = 'method-not-allowed',
  NotAcceptable = 'not-acceptable',
  Conflict = 'conflict',
  PayloadTooLarge = 'payload-too-large',
  UriTooLong = 'uri-too-long',
  UnsupportedMediaType = 'unsupported-media-type',
  UnprocessableContent = 'unprocessable-content',
  TooManyRequests = 'too-many-requests',
  Internal = 'internal-error',
  ServiceUnavailable = 'service-unavailable',
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const DEFAULT_CODES: Readonly<Record<number, ProblemCode>> = {
  400: ProblemCode.BadRequest,
  401: ProblemCode.Unauthorized,
  403: ProblemCode.Forbidden,
  404: ProblemCode.NotFound,
  405: ProblemCode.MethodNotAllowed,
  406: ProblemCode.NotAcceptable,
  409: ProblemCode.Conflict,
  413: ProblemCode.PayloadTooLarge,
  414: ProblemCode.UriTooLong,
  415: ProblemCode.UnsupportedMediaType,
  422: ProblemCode.UnprocessableContent,
  429: ProblemCode.TooManyRequests,
  500: ProblemCode.Internal,
  503: ProblemCode.ServiceUnavailable,
};

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

export function defaultCodeFor(status: number): ProblemCode {
  return DEFAULT_CODES[status] ?? (status >= 500 ? ProblemCode.Internal : ProblemCode.BadRequest);
}

/**
 * A domain error that knows its HTTP problem. Services throw these; the one global filter turns
 * them (and every other error) into problem+json.
 */
export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode | string,
    detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'ProblemException';
  }
}

export class ValidationProblem extends ProblemException {
  constructor(
    violations: readonly SchemaViolation[],
    detail = 'The request is not valid; see errors for each field.',
  ) {
    super(422, ProblemCode.ValidationFailed, detail, { errors: violations });
  }
}
