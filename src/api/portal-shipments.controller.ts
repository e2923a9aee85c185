import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentTenant } from '../auth/current-principal.decorator.js';
import { Scopes } from '../auth/scopes.decorator.js';
import { ProblemCode, ProblemException, ValidationProblem } from '../common/problem/problem-details.js';
import { MAX_PAGE_SIZE } from '../messages/message-list-query.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { IF_NONE_MATCH_HEADER, cursorPageSchema } from './api-schemas.js';
import { conditional } from './etag.js';
import { ShipmentTracking, type PortalFilter } from './shipment-tracking.js';
import { shipmentViewSchema, type ShipmentView } from './shipment-view.js';

interface PortalQuery {
  orderNumber?: string;
  purchaseOrder?: string;
  reference?: string;
  limit?: string;
  cursor?: string;
}

const OWNERSHIP =
  'A shipment is the customer’s when one of its shipment notices or tracking events names the customer’s account ' +
  'among the ids of a shipTo, buyer, customer, consignee or billTo party, or when one of its purchase order numbers ' +
  'is the number of an order the customer posted or whose customer party carries that account.';

function parsePortalQuery(query: PortalQuery): PortalFilter {
  let limit = 50;
  const errors: { pointer: string; message: string }[] = [];
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      errors.push({ pointer: '/limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
    }
  }
  let after: PortalFilter['after'];
  if (query.cursor) {
    const match = /^([^|]{1,40})\|(.{1,200})$/s.exec(Buffer.from(query.cursor, 'base64url').toString('utf8'));
    if (!match) errors.push({ pointer: '/cursor', message: 'is not a cursor this API returned' });
    else after = { updatedAt: match[1]!, id: match[2]! };
  }
  if (errors.length > 0) throw new ValidationProblem(errors, 'The query parameters are not valid.');
  return {
    limit,
    ...(after ? { after } : {}),
    ...(query.orderNumber ? { orderNumber: query.orderNumber } : {}),
    ...(query.purchaseOrder ? { purchaseOrder: query.purchaseOrder } : {}),
    ...(query.reference ? { reference: query.reference } : {}),
  };
}

/** The customer tracking portal: only the customer's own shipments. */
@ApiTags('portal')
@Controller('portal/shipments')
export class PortalShipmentsController {
  constructor(private readonly tracking: ShipmentTracking) {}

  @Get()
  @Scopes('portal:read')
  @ApiOperation({ summary: 'The customer’s shipments, most recently updated first', description: OWNERSHIP })
  @ApiQuery({ name: 'orderNumber', required: false })
  @ApiQuery({ name: 'purchaseOrder', required: false })
  @ApiQuery({
    name: 'reference',
    required: false,
    description: 'a reference, tracking number, BOL, PRO or shipment id',
  })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE_SIZE}, default 50` })
  @ApiQuery({ name: 'cursor', required: false, description: 'the `nextCursor` of the previous page' })
  @ApiHeader(IF_NONE_MATCH_HEADER)
  @ApiOkResponse({
    description: 'One page',
    schema: cursorPageSchema(shipmentViewSchema),
  })
  async list(
    @CurrentTenant() scope: TenantScope,
    @Query() query: PortalQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ items: ShipmentView[]; nextCursor: string | null } | undefined> {
    const page = await this.tracking.listForCustomer(scope, parsePortalQuery(query));
    return conditional(request, reply, {
      items: page.items,
      nextCursor: page.next
        ? Buffer.from(`${page.next.updatedAt}|${page.next.id}`, 'utf8').toString('base64url')
        : null,
    });
  }

  @Get(':id')
  @Scopes('portal:read')
  @ApiOperation({
    summary:
      'One shipment of the customer: carrier, tracking numbers and URL, milestones, latest ETA, proof of delivery',
    description: OWNERSHIP,
  })
  @ApiHeader(IF_NONE_MATCH_HEADER)
  @ApiOkResponse({ description: 'The shipment', schema: shipmentViewSchema })
  @ApiNotFoundResponse({ description: 'Unknown, or not the customer’s (the same answer)' })
  async get(
    @CurrentTenant() scope: TenantScope,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ShipmentView | undefined> {
    const view = id.length <= 200 ? await this.tracking.forCustomer(scope, id) : undefined;
    if (!view) throw new ProblemException(404, ProblemCode.NotFound, `No shipment ${id}.`);
    return conditional(request, reply, view);
  }
}
