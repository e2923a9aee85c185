import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TenantRegistry } from '../tenancy/tenant-registry.js';

const PORTAL_PREFIX = '/v1/portal/';
const ALLOWED_HEADERS = 'authorization, if-none-match, content-type';

/**
 * CORS for the customer portal API, only for the origins a tenant file lists (`cors.origins`).
 * A preflight carries no token, so it is answered for an origin some tenant lists; the real
 * request is then allowed only when the caller's own tenant lists the origin, so one tenant's
 * web app can never read another tenant's answers from a browser.
 */
@Injectable()
export class PortalCors implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tenants: TenantRegistry,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const origin = request.headers.origin;
      if (!origin || !request.url.startsWith(PORTAL_PREFIX) || request.method !== 'OPTIONS') return;
      reply.header('vary', 'Origin');
      if (this.tenants.all().some((t) => t.corsOrigins.includes(origin))) {
        reply.header('access-control-allow-origin', origin);
        reply.header('access-control-allow-methods', 'GET');
        reply.header('access-control-allow-headers', ALLOWED_HEADERS);
        reply.header('access-control-max-age', '600');
      }
      await reply.code(204).send();
    });
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const origin = request.headers.origin;
      if (!origin || !request.url.startsWith(PORTAL_PREFIX)) return payload;
      reply.header('vary', 'Origin');
      const tenant = request.principal ? this.tenants.tenant(request.principal.tenantId) : undefined;
      if (tenant?.corsOrigins.includes(origin)) {
        reply.header('access-control-allow-origin', origin);
        reply.header('access-control-expose-headers', 'etag, x-correlation-id');
      }
      return payload;
    });
  }
}
