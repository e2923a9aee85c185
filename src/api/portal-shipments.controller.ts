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
import { decodePageCursor, encodePageCursor, invalidCursor } from '../common/page-cursor.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import { MAX_PAGE_SIZE, parseMessageListQuery } from '../messages/message-list-query.js';
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
  // The same limit rule and problem as every other list.
  const { limit } = parseMessageListQuery({ limit: query.limit });
  return {
    limit,
    ...(query.cursor ? { after: updatedBefore(query.cursor) } : {}),
    ...(query.orderNumber ? { orderNumber: query.orderNumber } : {}),
    ...(query.purchaseOrder ? { purchaseOrder: query.purchaseOrder } : {}),
    ...(query.reference ? { reference: query.reference } : {}),
  };
}

/** Shipments page by (updatedAt in ms, shipment id), in the cursor every list uses. */
function updatedBefore(cursor: string): { updatedAt: string; id: string } {
  const { at, id } = decodePageCursor(cursor);
  const updatedAt = new Date(Number(at));
  if (Number.isNaN(updatedAt.getTime())) throw invalidCursor();
  return { updatedAt: updatedAt.toISOString(), id };
}

function updatedCursor(next: { updatedAt: string; id: string }): string {
  return encodePageCursor({ at: String(Date.parse(next.updatedAt)), id: next.id });
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
      nextCursor: page.next ? updatedCursor(page.next) : null,
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
