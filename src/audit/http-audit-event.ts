import type { FastifyReply, FastifyRequest } from 'fastify';
import { SYSTEM_TENANT, type AuditEvent } from './audit-event.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ACTIONS: Readonly<Record<string, string>> = {
  GET: 'read',
  HEAD: 'read',
  OPTIONS: 'read',
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/**
 * A refused or mutating request's entry is committed before its response leaves; a read's
 * entry is buffered.
 */
export function needsDurableAudit(method: string, status: number): boolean {
  return MUTATING.has(method) || status >= 400;
}

/** Health and metrics: they answer even while the audit log cannot be written. */
export function isProbeRoute(route: string | undefined): boolean {
  return route !== undefined && (route.startsWith('/health/') || route === '/metrics');
}

/** Successful probes are not access to anyone's data; logging them would drown the chain. */
export function isProbe(route: string | undefined, status: number): boolean {
  return status < 400 && isProbeRoute(route);
}

interface RouteResource {
  readonly type: string | null;
  /** The route parameter that names the resource, if any. */
  readonly param: string | undefined;
}

// Route templates are the few the application declares: each one is taken apart once.
const resourcesByRoute = new Map<string, RouteResource>();

function routeResource(route: string): RouteResource {
  let resource = resourcesByRoute.get(route);
  if (!resource) {
    const parts = route.split('/').filter((p) => p !== '' && !/^v\d+$/.test(p));
    resource = {
      type: parts.find((p) => !p.startsWith(':') && !p.startsWith('.')) ?? null,
      param: parts.find((p) => p.startsWith(':'))?.slice(1),
    };
    resourcesByRoute.set(route, resource);
  }
  return resource;
}

/** `/v1/shipments/:id/events` → type `shipments`, id = the `:id` value. */
function resourceOf(route: string | undefined, params: unknown): { type: string | null; id: string | null } {
  if (!route) return { type: null, id: null };
  const { type, param } = routeResource(route);
  const value =
    param && params && typeof params === 'object' ? (params as Record<string, unknown>)[param] : null;
  return { type, id: typeof value === 'string' ? value : null };
}

function byteLength(payload: unknown): number | null {
  if (payload === null || payload === undefined) return 0;
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (Buffer.isBuffer(payload)) return payload.length;
  return null;
}

function headerNumber(value: unknown): number | null {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(n) && value !== undefined && value !== '' ? n : null;
}

/** What the audit log says about one HTTP exchange; `payload` is what onSend saw, if anything. */
export function httpAuditEvent(request: FastifyRequest, reply: FastifyReply, payload?: unknown): AuditEvent {
  const principal = request.principal;
  const notes = request.audit ?? {};
  const route = request.routeOptions.url;
  const derived = resourceOf(route, request.params);
  const latencyMs = reply.elapsedTime;
  const userAgent = request.headers['user-agent'];
  const bytesOut = headerNumber(reply.getHeader('content-length')) ?? byteLength(payload);
  return {
    occurredAt: new Date(Date.now() - latencyMs),
    tenantId: principal?.tenantId ?? notes.tenantId ?? SYSTEM_TENANT,
    kind: 'http',
    action: notes.action ?? ACTIONS[request.method] ?? request.method.toLowerCase(),
    clientId: principal?.clientId ?? notes.attemptedClientId ?? null,
    partnerId: principal?.partnerId ?? null,
    sourceIp: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    method: request.method,
    route: route ?? null,
    path: request.url.split('?')[0] ?? null,
    resourceType: notes.resourceType ?? derived.type,
    resourceId: notes.resourceId ?? derived.id,
    status: reply.statusCode,
    scopes: principal?.scopes ?? [],
    correlationId: String(request.id),
    latencyMs,
    bytesIn: headerNumber(request.headers['content-length']) ?? 0,
    bytesOut,
    reason: notes.reason ?? null,
  };
}
