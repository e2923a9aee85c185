import type { AuditEntry } from './audit-event.js';

export type AuditExportFormat = 'ndjson' | 'csv';

/** The public shape of an entry (API, NDJSON): hashes included, so an auditor can re-check the chain. */
export function publicEntry(entry: AuditEntry): Record<string, unknown> {
  return { ...entry, occurredAt: entry.occurredAt.toISOString() };
}

const CSV_COLUMNS: readonly (keyof AuditEntry)[] = [
  'tenantId',
  'seq',
  'id',
  'occurredAt',
  'kind',
  'action',
  'clientId',
  'partnerId',
  'sourceIp',
  'userAgent',
  'method',
  'route',
  'path',
  'resourceType',
  'resourceId',
  'status',
  'scopes',
  'correlationId',
  'latencyMs',
  'bytesIn',
  'bytesOut',
  'reason',
  'details',
  'prevHash',
  'hash',
];

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

/** RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs a formula from a log. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (Array.isArray(value)) text = value.join(' ');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(entry: AuditEntry): string {
  return `${CSV_COLUMNS.map((c) => csvField(entry[c])).join(',')}\r\n`;
}

export function ndjsonLine(entry: AuditEntry): string {
  return `${JSON.stringify(publicEntry(entry))}\n`;
}
