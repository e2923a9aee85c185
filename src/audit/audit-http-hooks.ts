import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { toProblem } from '../common/problem/problem-mapping.js';
import { sendProblem } from '../common/problem/problem-response.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { AuditLog } from './audit-log.js';
import { SYSTEM_TENANT, type AuditEvent } from './audit-event.js';
import { httpAuditEvent, isProbe, isProbeRoute, needsDurableAudit } from './http-audit-event.js';

const recorded = new WeakSet<FastifyRequest>();
/** Requests refused because the audit log could not be written. */
const refusedUnaudited = new WeakSet<FastifyRequest>();
const AUDIT_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** A request refused because its audit chain cannot be written: its entry is kept, not awaited. */
export function markRefusedUnaudited(request: FastifyRequest): void {
  refusedUnaudited.add(request);
  request.audit = { ...request.audit, reason: 'audit log unavailable' };
}

type OnSendDone = (error: Error | null, payload?: unknown) => void;

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
    // Fail closed: while the log cannot be written, nothing is served that it could not record.
    // Probes still answer (readiness then says why the node is not ready).
    fastify.addHook(
      'onRequest',
      (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
        if (this.auditLog.available || isProbeRoute(request.routeOptions.url)) {
          done();
          return;
        }
        refusedUnaudited.add(request);
        request.audit = { ...request.audit, reason: 'audit log unavailable' };
        const { problem, headers } = toProblem(
          new ProblemException(
            503,
            ProblemCode.ServiceUnavailable,
            'The audit log cannot be written just now, and no request is served unrecorded; retry later.',
            {},
            { 'Retry-After': String(AUDIT_UNAVAILABLE_RETRY_AFTER_SECONDS) },
          ),
          request,
        );
        sendProblem(reply, problem, headers);
      },
    );
    // Callback hooks, not async ones: a read's entry is only buffered, so most requests pass
    // both without a promise.
    fastify.addHook(
      'onSend',
      (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: OnSendDone) => {
        const durable = needsDurableAudit(request.method, reply.statusCode);
        // A read's entry is buffered (onResponse), unless the buffer is past its high-water mark:
        // then the read waits for its entry like a refused one, and overload slows requests down.
        if (!durable && (!this.auditLog.congested || isProbe(request.routeOptions.url, reply.statusCode))) {
          done(null, payload);
          return;
        }
        recorded.add(request);
        const event = this.event(request, reply, payload);
        if (refusedUnaudited.has(request)) {
          this.auditLog.enqueueRefusal(event);
          done(null, payload);
          return;
        }
        if (!this.auditLog.available) {
          // In flight when the log went away: kept in the buffer, no wait on a database that is gone.
          this.auditLog.enqueue(event);
          done(null, payload);
          return;
        }
        this.auditLog.record(event).then(
          () => done(null, payload),
          () => {
            // The response goes out regardless (a mutation already happened); the entry waits in the
            // buffer for the database, and new requests are refused until it is back.
            this.logger.error(`audit entry of ${request.id} not committed before the response; buffered`);
            this.auditLog.enqueue(event);
            done(null, payload);
          },
        );
      },
    );
    fastify.addHook(
      'onResponse',
      (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
        if (!recorded.has(request) && !isProbe(request.routeOptions.url, reply.statusCode)) {
          this.auditLog.enqueue(this.event(request, reply));
        }
        done();
      },
    );
  }

  private event(request: FastifyRequest, reply: FastifyReply, payload?: unknown): AuditEvent {
    const event = httpAuditEvent(request, reply, payload);
    if (event.tenantId !== SYSTEM_TENANT || request.principal || !event.clientId) return event;
    const tenantId = this.clientTenants.get(event.clientId);
    return tenantId ? { ...event, tenantId } : event;
  }
}
