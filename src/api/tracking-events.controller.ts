import { Body, Controller, HttpCode, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentTenant } from '../auth/current-principal.decorator.js';
import { Scopes } from '../auth/scopes.decorator.js';
import { IdempotencyInterceptor } from '../messages/idempotency.interceptor.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { acceptedDocumentSchema, IDEMPOTENCY_HEADER, violationSchema } from './api-schemas.js';
import { requestSchemaOf } from './canonical-envelope.js';
import { SubmitDocument, type AcceptedDocument } from './submit-document.js';
import { MAX_TRACKING_BATCH, SubmitTrackingEvents, type BatchItemResult } from './submit-tracking-events.js';

const eventSchema = requestSchemaOf('TrackingEvent');

/** Carrier status updates: one event, or a batch answered item by item. */
@ApiTags('tracking')
@Controller('tracking-events')
export class TrackingEventsController {
  constructor(
    private readonly submit: SubmitDocument,
    private readonly batches: SubmitTrackingEvents,
  ) {}

  @Post()
  @HttpCode(202)
  @Scopes('tracking:write')
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({
    summary: 'Submit a tracking event, or a batch of up to 500',
    description:
      'One event (the canonical TrackingEvent without its envelope) answers like every write: 202 and `Location`. ' +
      '`{"events": [...]}` validates and stores each event on its own and answers 202 with one result per item ' +
      '(`accepted` with its message, or `rejected` with JSON pointers under `/events/{index}`).',
  })
  @ApiBody({
    schema: {
      oneOf: [
        eventSchema,
        {
          type: 'object',
          required: ['events'],
          properties: {
            events: { type: 'array', minItems: 1, maxItems: MAX_TRACKING_BATCH, items: eventSchema },
          },
        },
      ],
    },
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiAcceptedResponse({
    description: 'The event stored, or the per-item results of a batch',
    schema: {
      oneOf: [
        acceptedDocumentSchema,
        {
          type: 'object',
          required: ['items'],
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                required: ['index', 'status'],
                properties: {
                  ...acceptedDocumentSchema.properties,
                  index: { type: 'integer' },
                  status: { type: 'string', enum: ['accepted', 'rejected'] },
                  errors: { type: 'array', items: violationSchema },
                },
              },
            },
          },
        },
      ],
    },
  })
  @ApiUnprocessableEntityResponse({
    description: 'A single event, or the batch envelope, is not valid (JSON pointers)',
  })
  async create(
    @CurrentTenant() scope: TenantScope,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptedDocument | { items: BatchItemResult[] }> {
    if (this.batches.isBatch(body)) {
      return { items: await this.batches.batch(scope, body, String(request.id)) };
    }
    const accepted = await this.submit.run(scope, 'TrackingEvent', body, String(request.id));
    reply.header('location', accepted.location);
    return accepted;
  }
}
