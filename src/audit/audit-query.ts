import type { AuditEntry } from './audit-event.js';

/** What a security team may filter the log by. Tenant is not among them: it comes from the token. */
export interface AuditQuery {
  readonly from?: Date;
  readonly to?: Date;
  readonly clientId?: string;
  readonly partnerId?: string;
  /** An exact status (`429`) or a class (`4xx`). */
  readonly outcome?: { readonly status: number } | { readonly statusClass: number };
  readonly route?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly correlationId?: string;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  /** Opaque; pass back as `cursor` for the next (older) page. Absent on the last page. */
  readonly nextCursor?: string;
}

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

/** A WHERE clause for one tenant's entries (`$1` is the tenant) and its parameters. */
export function auditWhere(
  tenantId: string,
  query: AuditQuery,
): { readonly sql: string; readonly params: unknown[] } {
  const params: unknown[] = [tenantId];
  const clauses = ['tenant_id = $1'];
  const add = (sql: (placeholder: string) => string, value: unknown): void => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (query.from) add((p) => `occurred_at >= ${p}`, query.from);
  if (query.to) add((p) => `occurred_at < ${p}`, query.to);
  if (query.clientId) add((p) => `client_id = ${p}`, query.clientId);
  if (query.partnerId) add((p) => `partner_id = ${p}`, query.partnerId);
  if (query.outcome && 'status' in query.outcome) add((p) => `status = ${p}`, query.outcome.status);
  if (query.outcome && 'statusClass' in query.outcome) {
    add((p) => `status >= ${p} * 100 AND status < (${p} + 1) * 100`, query.outcome.statusClass);
  }
  if (query.route) add((p) => `route = ${p}`, query.route);
  if (query.resourceType) add((p) => `resource_type = ${p}`, query.resourceType);
  if (query.resourceId) add((p) => `resource_id = ${p}`, query.resourceId);
  if (query.correlationId) add((p) => `correlation_id = ${p}`, query.correlationId);
  return { sql: clauses.join(' AND '), params };
}
