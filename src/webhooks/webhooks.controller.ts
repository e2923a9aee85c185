import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  type SchemaObject,
} from '@nestjs/swagger';
import { CurrentTenant } from '../auth/current-principal.decorator.js';
import { Scopes } from '../auth/scopes.decorator.js';
import { SchemaBodyPipe } from '../common/http/schema-body.pipe.js';
import { ProblemCode, ProblemException, ValidationProblem } from '../common/problem/problem-details.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { IdempotencyInterceptor } from '../messages/idempotency.interceptor.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { IDEMPOTENCY_HEADER } from '../api/api-schemas.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event-type.js';
import { WebhookSubscriptions, type WebhookSubscription } from './webhook-subscriptions.js';
import { WebhookSecretInterceptor } from './webhook-secret.interceptor.js';
import { refusedTarget } from './webhook-target.js';

const subscriptionRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: {
    // https only; plain http to the loopback for local development and tests. No control
    // character (a NUL cannot be stored).
    url: {
      type: 'string',
      maxLength: 2000,
      pattern:
        '^(https://[^\\s\\x00-\\x1f\\x7f]+|http://(localhost|127\\.0\\.0\\.1)(:\\d+)?(/[^\\s\\x00-\\x1f\\x7f]*)?)$',
      description:
        'https, to a public address: private, loopback, link-local and reserved addresses (literal, or what ' +
        'the name resolves to at delivery) and credentials in the URL are refused. The loopback (where plain ' +
        'http is allowed) only in demo mode.',
    },
    events: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...WEBHOOK_EVENT_TYPES] } },
  },
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const subscriptionSchema: SchemaObject = {
  type: 'object',
  required: ['id', 'partnerId', 'url', 'events', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    partnerId: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

function partnerOf(scope: TenantScope): string {
  if (!scope.partnerId) {
    throw new ProblemException(
      403,
      ProblemCode.Forbidden,
      'Webhooks belong to a partner: use a partner client.',
    );
  }
  return scope.partnerId;
}

/** A partner's webhook subscriptions; deliveries are signed and retried through the outbox. */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly subscriptions: WebhookSubscriptions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Scopes()
  @UseInterceptors(WebhookSecretInterceptor, IdempotencyInterceptor)
  @ApiOperation({
    summary: 'Subscribe to events',
    description:
      'Created synchronously (201). The `secret` is shown only in this answer: every delivery carries ' +
      '`Crossdock-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; refuse signatures older than 5 minutes ' +
      'and deliveries whose `Crossdock-Delivery` id you already processed.',
  })
  @ApiBody({ schema: subscriptionRequestSchema as unknown as SchemaObject })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({
    description: 'The subscription and its signing secret',
    schema: {
      ...subscriptionSchema,
      required: [...(subscriptionSchema.required ?? []), 'secret'],
      properties: { ...subscriptionSchema.properties, secret: { type: 'string' } },
    },
  })
  async create(
    @CurrentTenant() scope: TenantScope,
    @Body(new SchemaBodyPipe(subscriptionRequestSchema)) body: { url: string; events: WebhookEventType[] },
  ): Promise<WebhookSubscription> {
    const refused = refusedTarget(body.url, this.config.demoMode);
    if (refused) throw new ValidationProblem([{ pointer: '/url', message: refused }]);
    // The secret is added by WebhookSecretInterceptor, after the Idempotency-Key store kept this answer.
    const { secret: _secret, ...subscription } = await this.subscriptions.create(
      scope.tenantId,
      partnerOf(scope),
      body.url,
      body.events,
    );
    return subscription;
  }

  @Get()
  @Scopes()
  @ApiOperation({ summary: 'The partner’s live subscriptions (without secrets)' })
  @ApiOkResponse({
    description: 'Every live subscription',
    schema: {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: subscriptionSchema } },
    },
  })
  async list(@CurrentTenant() scope: TenantScope): Promise<{ items: WebhookSubscription[] }> {
    return { items: await this.subscriptions.list(scope.tenantId, partnerOf(scope)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes()
  @ApiOperation({ summary: 'Unsubscribe; deliveries not yet made are dropped' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@CurrentTenant() scope: TenantScope, @Param('id') id: string): Promise<void> {
    const removed = UUID.test(id) && (await this.subscriptions.remove(scope.tenantId, partnerOf(scope), id));
    if (!removed) throw new ProblemException(404, ProblemCode.NotFound, `No webhook subscription ${id}.`);
  }
}
