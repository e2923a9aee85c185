import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config.js';

/** Paths pino blanks out wherever they appear: credentials never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.secrets',
  '*.client_secret',
  '*.clientSecret',
  '*.apiKey',
  '*.access_token',
  '*.token',
  '*.privateKey',
];

/** `{ correlationId }` for a line written by a request's logger (its `req` binding carries the id). */
function correlationIdOfRequestLogger(
  _object: object,
  _level: number,
  logger: { bindings(): Record<string, unknown> },
): { correlationId?: unknown } {
  const req = logger.bindings().req as { id?: unknown } | undefined;
  return req?.id === undefined ? {} : { correlationId: req.id };
}

export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Fastify's genReqId already put the correlation id on the raw request; pino-http reuses `req.id`.
      // Copied to a top-level `correlationId` only when a line is written (a mixin), not per request
      // with `customProps`: that built a second child logger for every request, at any log level.
      mixin: correlationIdOfRequestLogger,
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' || req.url === '/metrics' },
      serializers: {
        req: (req: IncomingMessage & { id?: unknown; raw?: IncomingMessage }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          remoteAddress: req.socket?.remoteAddress ?? req.raw?.socket?.remoteAddress,
          userAgent: req.headers?.['user-agent'],
        }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
