import type { IncomingMessage } from 'node:http';
import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import helmet from 'helmet';
import { Logger, PARAMS_PROVIDER_TOKEN, PinoLogger, type Params } from 'nestjs-pino';
import { AppModule, type AppDependencies } from './app.module.js';
import { AS2_CONTENT_TYPES, readAs2BodiesAsBytes } from './channels/as2/as2.controller.js';
import { CORRELATION_HEADER, correlationIdFor } from './common/http/correlation-id.js';
import { EDI_CONTENT_TYPES } from './messages/edi-ingest.controller.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import { MAX_PATH_PARAMETER_LENGTH, toProblem } from './common/problem/problem-mapping.js';
import { sendProblem } from './common/problem/problem-response.js';
import { registerRequestLogging } from './ops/request-logging.js';

/** The API version URIs carry by default (`/v1/...`). */
const API_VERSION = '1';

/**
 * Builds the HTTP application (Fastify under Nest) with everything every route shares:
 * correlation ids, security headers, body limits, problem+json errors, metrics, versioning, docs.
 * The caller decides whether and where to listen.
 */
export async function createHttpApp(deps: AppDependencies): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    genReqId: (req: IncomingMessage) => {
      const id = correlationIdFor(req);
      (req as typeof req & { id?: string }).id = id;
      return id;
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // The router's own refusals (a badly percent-encoded path, a too long parameter) as problem+json.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, toProblem(error, request).problem),
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(deps), adapter, {
    bufferLogs: true,
    // Signed webhooks (Odoo events) are verified over the exact bytes received.
    rawBody: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: API_VERSION });

  const fastify = app.getHttpAdapter().getInstance();
  // First, so that every later hook, guard and handler runs in the request's logging context.
  registerRequestLogging(
    fastify,
    app.get<Params>(PARAMS_PROVIDER_TOKEN),
    await app.resolve(PinoLogger),
    `/v${API_VERSION}`,
  );
  // Helmet's middleware built once: @fastify/helmet built it again (CSP directives parsed and all)
  // for every request, a cost every route paid.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        // The interactive docs (Swagger UI) need inline styles and scripts.
        styleSrc: [`'self'`, `'unsafe-inline'`],
        scriptSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
      },
    },
  });
  fastify.addHook(
    'onRequest',
    (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) =>
      securityHeaders(request.raw, reply.raw, (error?: unknown) =>
        done(error instanceof Error ? error : undefined),
      ),
  );
  // Raw EDI bodies arrive as bytes, with their own (larger) size limit.
  fastify.addContentTypeParser(
    EDI_CONTENT_TYPES,
    { parseAs: 'buffer', bodyLimit: deps.config.ediBodyLimitBytes },
    (_request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: Buffer) => void) =>
      done(null, body),
  );
  // AS2 bodies (signed, encrypted, compressed) are verified over their exact bytes; only /as2 takes these types.
  fastify.addContentTypeParser(
    AS2_CONTENT_TYPES,
    { parseAs: 'buffer', bodyLimit: deps.config.ediBodyLimitBytes },
    (_request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: Buffer) => void) =>
      done(null, body),
  );
  fastify.addHook('onRequest', readAs2BodiesAsBytes);
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header(CORRELATION_HEADER, request.id);
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  await app.init();
  return app;
}
