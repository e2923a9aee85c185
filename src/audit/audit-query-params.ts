import { ValidationProblem } from '../common/problem/problem-details.js';
import type { SchemaViolation } from '../common/json-schema.js';
import type { AuditExportFormat } from './audit-export-format.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type AuditQuery } from './audit-query.js';

export type RawQuery = Readonly<Record<string, string | string[] | undefined>>;

export interface ParsedListParams {
  readonly query: AuditQuery;
  readonly limit: number;
  readonly cursor?: string;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Query strings in, typed filters out; every bad parameter is named by pointer in one 422. */
class Parser {
  readonly errors: SchemaViolation[] = [];
  constructor(private readonly raw: RawQuery) {}

  text(name: string, max = 256): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === '') return undefined;
    if (Array.isArray(value) || value.length > max) {
      this.errors.push({
        pointer: `/${name}`,
        message: `must be a single value of at most ${max} characters`,
      });
      return undefined;
    }
    return value;
  }

  time(name: string): Date | undefined {
    const value = this.text(name, 64);
    if (value === undefined) return undefined;
    const date = new Date(value);
    if (!ISO_WITH_OFFSET.test(value) || Number.isNaN(date.getTime())) {
      this.errors.push({ pointer: `/${name}`, message: 'must be an ISO 8601 date-time with offset' });
      return undefined;
    }
    return date;
  }

  throwIfAny(): void {
    if (this.errors.length > 0)
      throw new ValidationProblem(this.errors, 'The query is not valid; see errors.');
  }
}

function filters(parser: Parser): AuditQuery {
  const from = parser.time('from');
  const to = parser.time('to');
  const outcomeText = parser.text('outcome', 3);
  let outcome: AuditQuery['outcome'];
  if (outcomeText !== undefined) {
    if (/^[1-5]xx$/i.test(outcomeText)) outcome = { statusClass: Number(outcomeText[0]) };
    else if (/^[1-5]\d\d$/.test(outcomeText)) outcome = { status: Number(outcomeText) };
    else
      parser.errors.push({
        pointer: '/outcome',
        message: 'must be a status such as 429 or a class such as 4xx',
      });
  }
  const optional = <K extends keyof AuditQuery>(key: K, value: AuditQuery[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  return {
    ...optional('from', from),
    ...optional('to', to),
    ...optional('clientId', parser.text('clientId', 128)),
    ...optional('partnerId', parser.text('partnerId', 128)),
    ...optional('outcome', outcome),
    ...optional('route', parser.text('route', 512)),
    ...optional('resourceType', parser.text('resourceType', 64)),
    ...optional('resourceId', parser.text('resourceId', 256)),
    ...optional('correlationId', parser.text('correlationId', 128)),
  };
}

export function parseListParams(raw: RawQuery): ParsedListParams {
  const parser = new Parser(raw);
  const query = filters(parser);
  const limitText = parser.text('limit', 6);
  let limit = DEFAULT_PAGE_SIZE;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_PAGE_SIZE) {
      parser.errors.push({ pointer: '/limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
    }
  }
  const cursor = parser.text('cursor', 512);
  parser.throwIfAny();
  return { query, limit, ...(cursor ? { cursor } : {}) };
}

export function parseExportParams(raw: RawQuery): { query: AuditQuery; format: AuditExportFormat } {
  const parser = new Parser(raw);
  const query = filters(parser);
  const format = parser.text('format', 8) ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv') {
    parser.errors.push({ pointer: '/format', message: 'must be ndjson or csv' });
  }
  parser.throwIfAny();
  return { query, format: format as AuditExportFormat };
}
