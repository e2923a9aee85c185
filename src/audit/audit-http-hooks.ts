import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { AuditLog } from './audit-log.js';
import { SYSTEM_TENANT, type AuditEvent } from './audit-event.js';
import { httpAuditEvent, isProbe, needsDurableAudit } from './http-audit-event.js';

const recorded = new WeakSet<FastifyRequest>();

/**
 * Records every HTTP request from Fastify hooks rather than a Nest interceptor: guards refuse
 * before interceptors run, and a 401, 403 or 429 must be in the log too. Fastify collects route
 * hooks when it gets ready, so adding them here (after Nest declared the routes) still covers all.
 */
@Injectable()
export class AuditHttpHooks implements OnModuleInit {
  private readonly logger = new Logger('AuditHttpHooks');
  /** Client id → tenant: a failed login against a tenant's client belongs in that tenant's log. */
  private readonly clientTenants: ReadonlyMap<string, string>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auditLog: AuditLog,
    tenants: TenantRegistry,
  ) {
    this.clientTenants = new Map(
      tenants.all().flatMap((t) => t.apiClients.map((c) => [c.id, t.id] as const)),
    );
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (!needsDurableAudit(request.method, reply.statusCode)) return payload;
      recorded.add(request);
      const event = this.event(request, reply, payload);
      try {
        await this.auditLog.record(event);
      } catch {
        // The response goes out regardless; the entry waits in the buffer for the database.
        this.logger.error(`audit entry of ${request.id} not committed before the response; buffered`);
        this.auditLog.enqueue(event);
      }
      return payload;
    });
    fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      if (recorded.has(request)) return;
      if (isProbe(request.routeOptions.url, reply.statusCode)) return;
      this.auditLog.enqueue(this.event(request, reply));
    });
  }

  private event(request: FastifyRequest, reply: FastifyReply, payload?: unknown): AuditEvent {
    const event = httpAuditEvent(request, reply, payload);
    if (event.tenantId !== SYSTEM_TENANT || request.principal || !event.clientId) return event;
    const tenantId = this.clientTenants.get(event.clientId);
    return tenantId ? { ...event, tenantId } : event;
  }
}
