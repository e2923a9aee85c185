import { Readable } from 'node:stream';
import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
  type ApiResponseSchemaHost,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Scopes } from '../auth/scopes.decorator.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { decodeCursor } from './audit-cursor.js';
import { CSV_HEADER, csvLine, ndjsonLine, publicEntry } from './audit-export-format.js';
import { parseExportParams, parseListParams, type RawQuery } from './audit-query-params.js';
import { AuditReader } from './audit-reader.js';

// The package exports no SchemaObject name; this is its type as the decorators take it.
type SchemaObject = ApiResponseSchemaHost['schema'];

const nullableString: SchemaObject = { type: 'string', nullable: true };
const nullableInteger: SchemaObject = { type: 'integer', nullable: true };

/** One entry as the API and the NDJSON export show it; the hashes let an auditor re-check the chain. */
const AUDIT_ENTRY_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'tenantId', 'seq', 'occurredAt', 'kind', 'action', 'scopes', 'prevHash', 'hash'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    tenantId: { type: 'string' },
    seq: { type: 'integer', description: 'position in the tenant chain, from 1, without gaps' },
    occurredAt: { type: 'string', format: 'date-time' },
    kind: { type: 'string', enum: ['http', 'auth', 'keys', 'tenancy', 'message'] },
    action: { type: 'string', example: 'token.issue' },
    clientId: nullableString,
    partnerId: nullableString,
    sourceIp: nullableString,
    userAgent: nullableString,
    method: nullableString,
    route: { ...nullableString, example: '/v1/me' },
    path: nullableString,
    resourceType: nullableString,
    resourceId: nullableString,
    status: nullableInteger,
    scopes: { type: 'array', items: { type: 'string' } },
    correlationId: nullableString,
    latencyMs: { type: 'number', nullable: true },
    bytesIn: nullableInteger,
    bytesOut: nullableInteger,
    reason: nullableString,
    details: { type: 'object', nullable: true, additionalProperties: true },
    prevHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'sha256(prevHash, canonical entry)' },
  },
};

const FILTERS = [
  { name: 'from', description: 'ISO 8601 date-time with offset; entries at or after it' },
  { name: 'to', description: 'ISO 8601 date-time with offset; entries before it' },
  { name: 'clientId', description: 'API client that acted (or tried to)' },
  { name: 'partnerId', description: 'partner the client acts for' },
  { name: 'outcome', description: 'a status such as 429, or a class such as 4xx' },
  { name: 'route', description: 'route template, e.g. /v1/audit-events' },
  { name: 'resourceType', description: 'e.g. shipments' },
  { name: 'resourceId', description: 'id of the resource' },
  { name: 'correlationId', description: 'X-Correlation-ID of the request' },
] as const;

function FilterQueries(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const filter of FILTERS)
      ApiQuery({ ...filter, required: false, type: String })(target, key, descriptor);
  };
}

/**
 * The caller's tenant, from the token only: an auditor reads its own tenant's chain and nothing
 * else. ScopesGuard has already checked the scope; checked again here because this route must
 * never answer without one, whatever the guard wiring.
 */
function auditorTenant(request: FastifyRequest): string {
  const principal = request.principal;
  if (!principal) throw new ProblemException(401, ProblemCode.Unauthorized, 'An access token is required.');
  if (!principal.scopes.includes('audit:read')) {
    throw new ProblemException(403, ProblemCode.InsufficientScope, 'This route needs the scope audit:read.', {
      requiredScopes: ['audit:read'],
    });
  }
  return principal.tenantId;
}

@ApiTags('audit')
@Scopes('audit:read')
@Controller('audit-events')
export class AuditEventsController {
  constructor(private readonly reader: AuditReader) {}

  @Get()
  @ApiOperation({
    summary: "Query the caller's tenant's audit log, newest first",
    description: 'Cursor pagination: pass `nextCursor` back as `cursor`. Scope `audit:read`.',
  })
  @FilterQueries()
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 500, default 100' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page' })
  @ApiOkResponse({
    description: 'A page of entries, newest first',
    schema: {
      type: 'object',
      required: ['items'],
      properties: {
        items: { type: 'array', items: AUDIT_ENTRY_SCHEMA },
        nextCursor: { type: 'string', description: 'absent on the last page' },
      },
    },
  })
  async list(@Req() request: FastifyRequest, @Query() raw: RawQuery) {
    const tenantId = auditorTenant(request);
    const params = parseListParams(raw);
    const before = params.cursor === undefined ? undefined : decodeCursor(params.cursor);
    const page = await this.reader.page(tenantId, params.query, params.limit, before);
    return {
      items: page.items.map(publicEntry),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  @Get('export')
  @ApiOperation({
    summary: "Export the caller's tenant's audit log for a time range, oldest first",
    description: 'Streams NDJSON (default) or CSV without holding the range in memory. Scope `audit:read`.',
  })
  @FilterQueries()
  @ApiQuery({ name: 'format', required: false, enum: ['ndjson', 'csv'] })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description:
      'One entry per line: NDJSON objects shaped like the items of GET /v1/audit-events, or CSV rows',
  })
  async export(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() raw: RawQuery,
  ): Promise<void> {
    const tenantId = auditorTenant(request);
    const { query, format } = parseExportParams(raw);
    const entries = this.reader.export(tenantId, query);
    async function* lines(): AsyncGenerator<string> {
      if (format === 'csv') yield CSV_HEADER;
      for await (const entry of entries) yield format === 'csv' ? csvLine(entry) : ndjsonLine(entry);
    }
    const stamp = new Date().toISOString().replaceAll(':', '');
    await reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${tenantId}-${stamp}.${format}"`)
      .send(Readable.from(lines()));
  }
}
