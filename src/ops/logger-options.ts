import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { pino, symbols, type DestinationStream, type Logger } from 'pino';
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

type ChildOf = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;

/**
 * pino-http binds every request's logger to `{ req }` with `child()`, which serializes and redacts
 * the request there and then, whether or not a line is ever written (at `warn`, none usually is).
 * Here such a child is created without its bindings; they are serialized, by pino itself and
 * exactly as before, the first time the child writes a line, reads or extends its bindings, or
 * gets a child of its own. Any other child is pino's as usual.
 */
function deferRequestBindings(root: Logger): Logger {
  const eagerChild = root.child as unknown as ChildOf;
  const { chindingsSym } = symbols;
  const deferred = (parent: Logger, bindings: pino.Bindings): Logger => {
    const logger = Object.create(parent) as Logger;
    let chindings: string | undefined;
    Object.defineProperty(logger, chindingsSym, {
      configurable: true,
      get(): string {
        chindings ??= (eagerChild.call(parent, bindings) as unknown as Record<symbol, string>)[chindingsSym]!;
        return chindings;
      },
      set(this: object, value: string): void {
        // pino assigns the bindings of a child's own children on them: those keep their own.
        if (this === logger) chindings = value;
        else
          Object.defineProperty(this, chindingsSym, {
            value,
            writable: true,
            enumerable: true,
            configurable: true,
          });
      },
    });
    return logger;
  };
  const child: ChildOf = function (this: Logger, bindings, options) {
    const keys = Object.keys(bindings);
    return options === undefined && keys.length === 1 && keys[0] === 'req'
      ? deferred(this, bindings)
      : eagerChild.call(this, bindings, options);
  };
  root.child = child as unknown as Logger['child'];
  return root;
}

/** `destination`: where lines go (stdout unless a test catches them). */
export function loggerOptions(config: Pick<AppConfig, 'logLevel'>, destination?: DestinationStream): Params {
  const options: pino.LoggerOptions<never> = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Fastify's genReqId already put the correlation id on the raw request; pino-http reuses `req.id`.
    // Copied to a top-level `correlationId` only when a line is written (a mixin), not per request
    // with `customProps`: that built a second child logger for every request, at any log level.
    mixin: correlationIdOfRequestLogger,
  };
  const root = destination ? pino(options, destination) : pino(options);
  return {
    pinoHttp: {
      logger: deferRequestBindings(root),
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
