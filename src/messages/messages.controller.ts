import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentTenant } from '../auth/current-principal.decorator.js';
import { Scopes } from '../auth/scopes.decorator.js';
import { SchemaBodyPipe } from '../common/http/schema-body.pipe.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { encodePageCursor } from '../common/page-cursor.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import {
  parseMessageListQuery,
  MAX_PAGE_SIZE,
  MESSAGE_STATES,
  type MessageListQuery,
} from './message-list-query.js';
import type { MessageDetail, MessageSummary } from './message-records.js';
import { Pipeline } from './pipeline.js';
import type { ReplayMode, ReplayResult } from './usecases/replay-message.js';

const replaySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { mode: { enum: ['auto', 'retranslate', 'redeliver'] } },
} as const;

const bulkReplaySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['state'],
  properties: {
    state: { enum: ['dead_lettered', 'rejected', 'failed', 'held_test', 'duplicate'] },
    partnerId: { type: 'string' },
    documentType: { type: 'string' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    mode: { enum: ['auto', 'retranslate', 'redeliver'] },
  },
} as const;

function notFound(id: string): ProblemException {
  return new ProblemException(404, ProblemCode.NotFound, `No message ${id}.`);
}

/** The fate of every message: state, history, diagnostics, deliveries; and replay after a fix. */
@ApiTags('messages')
@Controller('messages')
export class MessagesController {
  constructor(private readonly pipeline: Pipeline) {}

  @Get()
  @Scopes('messages:read')
  @ApiOperation({ summary: 'List messages, newest first (a partner sees its own)' })
  @ApiQuery({ name: 'state', required: false, enum: MESSAGE_STATES })
  @ApiQuery({ name: 'partnerId', required: false })
  @ApiQuery({ name: 'direction', required: false, enum: ['inbound', 'outbound'] })
  @ApiQuery({ name: 'documentType', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601, exclusive' })
  @ApiQuery({ name: 'correlationId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE_SIZE}, default 50` })
  @ApiQuery({ name: 'cursor', required: false, description: 'the `nextCursor` of the previous page' })
  async list(
    @CurrentTenant() scope: TenantScope,
    @Query() query: MessageListQuery,
  ): Promise<{ items: MessageSummary[]; nextCursor: string | null }> {
    const filter = parseMessageListQuery(query);
    if (!scope.isTenantWide) filter.partnerId = scope.partnerId;
    const page = await this.pipeline.store.list(scope.tenantId, filter);
    return { items: page.items, nextCursor: page.next ? encodePageCursor(page.next) : null };
  }

  @Get(':id')
  @Scopes('messages:read')
  @ApiOperation({ summary: 'One message with its documents, deliveries, acknowledgements and full history' })
  @ApiOkResponse({ description: 'The message' })
  async get(
    @CurrentTenant() scope: TenantScope,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<MessageDetail> {
    const detail = await this.pipeline.store.detail(scope.tenantId, id, scope.partnerId);
    if (!detail) throw notFound(id);
    return detail;
  }

  @Get(':id/payload')
  @Scopes('messages:read')
  @ApiOperation({ summary: 'The payload exactly as received (or as sent)' })
  async payload(
    @CurrentTenant() scope: TenantScope,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const detail = await this.pipeline.store.detail(scope.tenantId, id, scope.partnerId);
    const payload = detail ? await this.pipeline.store.payload(scope.tenantId, id) : undefined;
    if (!detail || !payload) throw notFound(id);
    reply.header('content-type', detail.contentType ?? 'application/octet-stream');
    if (payload.length === detail.payloadSize)
      reply.header('digest', `sha-256=${Buffer.from(detail.payloadSha256, 'hex').toString('base64')}`);
    // Only the first bytes of a refused AS2 request are left (a later try replaced the whole in
    // its transfer): said, and no digest of bytes not served.
    else reply.header('x-payload-truncated', `first ${payload.length} of ${detail.payloadSize} bytes`);
    return payload;
  }

  @Post(':id/replay')
  @HttpCode(202)
  @Scopes('messages:replay')
  @ApiOperation({ summary: 'Run a message again from its stored payload after its cause was fixed' })
  async replay(
    @CurrentTenant() scope: TenantScope,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaBodyPipe(replaySchema)) body: { mode?: ReplayMode } | undefined,
  ): Promise<ReplayResult> {
    const result = await this.pipeline.replay.run(scope.tenantId, id, {
      mode: body?.mode ?? 'auto',
      actor: scope.partnerId ?? 'tenant staff',
      ...(scope.partnerId ? { partnerId: scope.partnerId } : {}),
    });
    if (!result) throw notFound(id);
    return result;
  }

  @Post('replay')
  @HttpCode(202)
  @Scopes('messages:replay')
  @ApiOperation({ summary: 'Replay every message matching a filter (at most 500 at once)' })
  async replayMany(
    @CurrentTenant() scope: TenantScope,
    @Body(new SchemaBodyPipe(bulkReplaySchema))
    body: {
      state: string;
      partnerId?: string;
      documentType?: string;
      from?: string;
      to?: string;
      limit?: number;
      mode?: ReplayMode;
    },
  ): Promise<{ replayed: ReplayResult[] }> {
    const limit = body.limit ?? 100;
    const page = await this.pipeline.store.list(scope.tenantId, {
      state: body.state,
      direction: 'inbound',
      // Refused by a channel: never replayed, so they must not take the places of those that can be.
      excludeChannelRefused: true,
      limit,
      ...(scope.partnerId
        ? { partnerId: scope.partnerId }
        : body.partnerId
          ? { partnerId: body.partnerId }
          : {}),
      ...(body.documentType ? { documentType: body.documentType } : {}),
      ...(body.from ? { from: new Date(body.from) } : {}),
      ...(body.to ? { to: new Date(body.to) } : {}),
    });
    const replayed: ReplayResult[] = [];
    for (const message of page.items) {
      const result = await this.pipeline.replay.run(scope.tenantId, message.id, {
        mode: body.mode ?? 'auto',
        actor: scope.partnerId ?? 'tenant staff',
      });
      if (result) replayed.push(result);
    }
    return { replayed };
  }
}
