import { Body, Controller, HttpCode, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentTenant } from '../auth/current-principal.decorator.js';
import { Scopes } from '../auth/scopes.decorator.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { Pipeline } from './pipeline.js';

export const EDI_CONTENT_TYPES = ['application/edi-x12', 'application/edifact', 'application/edi-consent'];

export interface AcceptedMessage {
  readonly messageId: string;
  readonly state: string;
  readonly correlationId: string;
  readonly location: string;
}

/** Raw X12 or EDIFACT over HTTPS: stored as received, then translated and delivered by the pipeline. */
@ApiTags('edi')
@Controller('edi')
export class EdiIngestController {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly tenants: TenantRegistry,
  ) {}

  @Post()
  @HttpCode(202)
  @Scopes('edi:write')
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({
    summary: 'Submit an X12 interchange or EDIFACT file',
    description:
      'Answers 202 once the payload is durably stored; follow `Location` to see its fate. With `?ack=sync` the answer ' +
      'waits (up to 10 s) for the translation and is the 997/999 or CONTRL itself.',
  })
  @ApiConsumes(...EDI_CONTENT_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Replays the first answer for the same key and body',
  })
  @ApiQuery({ name: 'ack', required: false, enum: ['sync'] })
  @ApiAcceptedResponse({ description: 'Stored; the message id and where to follow it' })
  async submit(
    @CurrentTenant() scope: TenantScope,
    @Body() body: Buffer,
    @Query('ack') ack: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptedMessage | Buffer> {
    if (!scope.partnerId) {
      throw new ProblemException(
        403,
        ProblemCode.Forbidden,
        'Only a partner client can submit EDI: its files are attributed to it.',
      );
    }
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new ProblemException(
        400,
        ProblemCode.BadRequest,
        'The body is empty: send the EDI file as the request body.',
      );
    }
    if (ack !== undefined && ack !== 'sync') {
      throw new ProblemException(400, ProblemCode.BadRequest, 'ack must be "sync" or absent.');
    }
    const partner = this.tenants.partner(scope.tenantId, scope.partnerId);
    const message = await this.pipeline.store.receive({
      tenantId: scope.tenantId,
      partnerId: scope.partnerId,
      channel: 'rest',
      payload: body,
      contentType: String(request.headers['content-type'] ?? 'application/octet-stream'),
      correlationId: String(request.id),
      environment: partner?.environment ?? 'production',
    });
    const location = `/v1/messages/${message.id}`;
    reply.header('location', location);
    if (ack === 'sync') {
      const text = await this.waitForAck(scope.tenantId, message.id);
      if (text) {
        reply.status(200);
        reply.header(
          'content-type',
          /^\s*UN[AB]/.test(text.toString('latin1')) ? 'application/edifact' : 'application/edi-x12',
        );
        return text;
      }
    }
    return { messageId: message.id, state: message.state, correlationId: message.correlationId, location };
  }

  private async waitForAck(tenantId: string, messageId: string): Promise<Buffer | undefined> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const detail = await this.pipeline.store.detail(tenantId, messageId);
      if (detail && detail.state !== 'received') {
        const ack = detail.acknowledgements[0];
        return ack ? this.pipeline.store.payload(tenantId, ack.id) : undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  }
}
