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
  const pending = Symbol('pending request bindings');
  interface Pending {
    readonly parent: Logger;
    readonly bindings: pino.Bindings;
    chindings?: string;
  }
  type Deferred = Logger & { [pending]?: Pending } & Record<symbol, unknown>;
  // One prototype per parent logger carries the accessor, so a request's child is one object with
  // one field rather than an object with a property defined on it.
  const prototypes = new WeakMap<Logger, object>();
  const prototypeFor = (parent: Logger): object => {
    let prototype = prototypes.get(parent);
    if (!prototype) {
      prototype = Object.create(parent) as object;
      Object.defineProperty(prototype, chindingsSym, {
        configurable: true,
        get(this: Deferred): string {
          const state = this[pending]!;
          state.chindings ??= (eagerChild.call(state.parent, state.bindings) as Deferred)[
            chindingsSym
          ] as string;
          return state.chindings;
        },
        set(this: Deferred, value: string): void {
          // pino assigns the bindings of a child's own children on them: those keep their own.
          if (Object.hasOwn(this, pending)) this[pending]!.chindings = value;
          else
            Object.defineProperty(this, chindingsSym, {
              value,
              writable: true,
              enumerable: true,
              configurable: true,
            });
        },
      });
      prototypes.set(parent, prototype);
    }
    return prototype;
  };
  const child: ChildOf = function (this: Logger, bindings, options) {
    const keys = Object.keys(bindings);
    if (options !== undefined || keys.length !== 1 || keys[0] !== 'req') {
      return eagerChild.call(this, bindings, options);
    }
    const deferred = Object.create(prototypeFor(this)) as Deferred;
    deferred[pending] = { parent: this, bindings };
    return deferred;
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
    // No Nest middleware: registerRequestLogging (a Fastify hook) runs pino-http with these options.
    forRoutes: [],
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
