import { Body, Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/http/public.decorator.js';
import { SchemaBodyPipe } from '../common/http/schema-body.pipe.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { verifyOdooEventSignature } from './odoo-event-signature.js';
import { OutgoingShipmentSync, type PickingOutcome } from './outgoing-shipment-sync.js';

const eventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'ids'],
  properties: {
    model: { const: 'stock.picking' },
    ids: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'integer', minimum: 1 } },
    event: { type: 'string' },
  },
} as const;

/**
 * Realtime Odoo → partners: an Odoo automated action POSTs the ids of changed records, signed
 * with the tenant's webhook secret. The body only says which records to look at; what is published
 * is read back from Odoo itself.
 */
@ApiTags('odoo')
@Controller('odoo/events')
export class OdooEventsController {
  constructor(
    private readonly tenants: TenantRegistry,
    private readonly sync: OutgoingShipmentSync,
  ) {}

  @Post()
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'Odoo automated-action webhook (HMAC-signed per tenant)' })
  @ApiHeader({ name: 'X-Crossdock-Tenant', required: true })
  @ApiHeader({
    name: 'X-Crossdock-Signature',
    required: true,
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">',
  })
  @ApiAcceptedResponse({ description: 'What happened to each record' })
  async receive(
    @Headers('x-crossdock-tenant') tenantId: string | undefined,
    @Headers('x-crossdock-signature') signature: string | undefined,
    @Req() request: FastifyRequest & { rawBody?: Buffer },
    @Body(new SchemaBodyPipe(eventSchema)) body: { model: 'stock.picking'; ids: number[] },
  ): Promise<{ results: { id: number; outcome: PickingOutcome }[] }> {
    const secret = tenantId ? this.tenants.tenant(tenantId)?.odoo.production?.webhookSecret : undefined;
    // One answer for an unknown tenant, a tenant without webhooks and a bad signature: no probing.
    const check =
      secret && request.rawBody
        ? verifyOdooEventSignature(request.rawBody, signature, [secret])
        : ({ valid: false, reason: 'mismatch' } as const);
    if (!check.valid) {
      request.audit = {
        ...request.audit,
        ...(tenantId ? { tenantId } : {}),
        action: 'odoo.event',
        reason: `signature ${check.reason}`,
      };
      throw new ProblemException(
        401,
        ProblemCode.Unauthorized,
        'The event signature is missing, expired or wrong.',
      );
    }
    request.audit = { ...request.audit, tenantId: tenantId!, action: 'odoo.event', resourceType: body.model };
    const results: { id: number; outcome: PickingOutcome }[] = [];
    for (const id of body.ids) results.push({ id, outcome: await this.sync.pickingChanged(tenantId!, id) });
    return { results };
  }
}
