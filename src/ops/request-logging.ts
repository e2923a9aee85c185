import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Params, PinoLogger } from 'nestjs-pino';
import { pinoHttp, type Options } from 'pino-http';

/**
 * Request logging from one Fastify hook rather than nestjs-pino's two Nest middlewares, whose
 * plumbing (Nest's middleware layer, middie's path matching) cost more per request than the
 * logging itself. The same pino-http request logger and `request completed` line as before, and
 * the request's logging context for PinoLogger (nestjs-pino's `runInContext`, the request bound as
 * pino-http binds it), for the requests the middleware served: those under `pathPrefix` (the URI
 * version prefix under which Nest mounted it, `/v1`).
 */
export function registerRequestLogging(
  fastify: FastifyInstance,
  params: Params,
  context: PinoLogger,
  pathPrefix: string,
): void {
  const logRequest = pinoHttp(params.pinoHttp as Options);
  fastify.addHook(
    'onRequest',
    (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const url = request.raw.url ?? '';
      const under =
        url.startsWith(pathPrefix) &&
        (url.length === pathPrefix.length ||
          url[pathPrefix.length] === '/' ||
          url[pathPrefix.length] === '?');
      if (!under) {
        done();
        return;
      }
      logRequest(request.raw, reply.raw);
      context.runInContext(() => done(), { bindings: { req: request.raw } });
    },
  );
}
