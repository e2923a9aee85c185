import type { AuditEntry, AuditEventKind } from './audit-event.js';

/** `audit_events` as the pg driver returns it (bigint as text, timestamptz as Date). */
export interface AuditRow {
  id: string;
  tenant_id: string;
  seq: string | number;
  occurred_at: Date;
  kind: string;
  action: string;
  client_id: string | null;
  partner_id: string | null;
  source_ip: string | null;
  user_agent: string | null;
  method: string | null;
  route: string | null;
  path: string | null;
  resource_type: string | null;
  resource_id: string | null;
  status: number | null;
  scopes: string[] | null;
  correlation_id: string | null;
  latency_ms: number | null;
  bytes_in: string | number | null;
  bytes_out: string | number | null;
  reason: string | null;
  details: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS =
  'id, tenant_id, seq, occurred_at, kind, action, client_id, partner_id, source_ip, user_agent, method, route, path, ' +
  'resource_type, resource_id, status, scopes, correlation_id, latency_ms, bytes_in, bytes_out, reason, details, prev_hash, hash';

const toNumber = (value: string | number | null): number | null => (value === null ? null : Number(value));

export function entryFromRow(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    seq: Number(row.seq),
    occurredAt: row.occurred_at,
    kind: row.kind as AuditEventKind,
    action: row.action,
    clientId: row.client_id,
    partnerId: row.partner_id,
    sourceIp: row.source_ip,
    userAgent: row.user_agent,
    method: row.method,
    route: row.route,
    path: row.path,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    status: row.status,
    scopes: row.scopes ?? [],
    correlationId: row.correlation_id,
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    bytesIn: toNumber(row.bytes_in),
    bytesOut: toNumber(row.bytes_out),
    reason: row.reason,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The shape `jsonb_to_recordset` reads back into columns when appending. */
export function rowJsonFromEntry(entry: AuditEntry): Record<string, unknown> {
  return {
    id: entry.id,
    tenant_id: entry.tenantId,
    seq: entry.seq,
    occurred_at: entry.occurredAt.toISOString(),
    kind: entry.kind,
    action: entry.action,
    client_id: entry.clientId,
    partner_id: entry.partnerId,
    source_ip: entry.sourceIp,
    user_agent: entry.userAgent,
    method: entry.method,
    route: entry.route,
    path: entry.path,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    status: entry.status,
    scopes: entry.scopes,
    correlation_id: entry.correlationId,
    latency_ms: entry.latencyMs,
    bytes_in: entry.bytesIn,
    bytes_out: entry.bytesOut,
    reason: entry.reason,
    details: entry.details,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  };
}
