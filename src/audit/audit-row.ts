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

const NULL = '\\N';
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: backslash, newline, carriage return and tab escaped. */
function copyText(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}

const asIs = (value: string): string => value;
const nullableAsIs = (value: string | null): string => (value === null ? NULL : value);
const nullableCopyText = (value: string | null): string => (value === null ? NULL : copyText(value));

function copyNumber(value: number | null): string {
  return value === null ? NULL : String(value);
}

/** A PostgreSQL array literal: every element quoted, so that none reads as NULL or splits. */
function arrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) literal += ',';
    literal += `"${values[i]!.replace(/["\\]/g, '\\$&')}"`;
  }
  return `${literal}}`;
}

/**
 * One line of `COPY audit_events (AUDIT_COLUMNS) FROM STDIN` (text format), fields in the order of
 * `AUDIT_COLUMNS`, for an entry already normalized (no NUL, finite numbers): it reads back field
 * for field, so verify recomputes the hash the appender computed. `occurredAt`: the entry's time
 * as ISO text, when the caller has it already; `plain`: the caller knows that no text field holds
 * a backslash, newline, carriage return or tab, so none needs escaping.
 */
export function copyLineFromEntry(
  entry: AuditEntry,
  occurredAt = entry.occurredAt.toISOString(),
  plain = false,
): string {
  const text = plain ? asIs : copyText;
  const nullable = plain ? nullableAsIs : nullableCopyText;
  return (
    `${entry.id}\t${text(entry.tenantId)}\t${entry.seq}\t${occurredAt}\t` +
    `${text(entry.kind)}\t${text(entry.action)}\t${nullable(entry.clientId)}\t` +
    `${nullable(entry.partnerId)}\t${nullable(entry.sourceIp)}\t` +
    `${nullable(entry.userAgent)}\t${nullable(entry.method)}\t${nullable(entry.route)}\t` +
    `${nullable(entry.path)}\t${nullable(entry.resourceType)}\t` +
    `${nullable(entry.resourceId)}\t${copyNumber(entry.status)}\t${text(arrayLiteral(entry.scopes))}\t` +
    `${nullable(entry.correlationId)}\t${copyNumber(entry.latencyMs)}\t${copyNumber(entry.bytesIn)}\t` +
    `${copyNumber(entry.bytesOut)}\t${nullable(entry.reason)}\t` +
    `${entry.details === null ? NULL : text(JSON.stringify(entry.details))}\t${entry.prevHash}\t${entry.hash}\n`
  );
}
