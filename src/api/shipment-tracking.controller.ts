import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentTenant } from '../auth/current-principal.decorator.js';
import { Scopes } from '../auth/scopes.decorator.js';
import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { IF_NONE_MATCH_HEADER } from './api-schemas.js';
import { conditional } from './etag.js';
import { ShipmentTracking } from './shipment-tracking.js';
import { shipmentViewSchema, type ShipmentView } from './shipment-view.js';

/** A shipment's normalized milestone timeline, for the partners that carry or ship it. */
@ApiTags('tracking')
@Controller('shipments')
export class ShipmentTrackingController {
  constructor(private readonly tracking: ShipmentTracking) {}

  @Get(':id/tracking')
  @Scopes('tracking:read')
  @ApiOperation({
    summary: 'Milestone timeline of a shipment',
    description:
      '`id` is any identifier of the shipment: its shipment id, a tracking number, the bill of lading or the PRO. ' +
      'A partner sees the shipments it posted a shipment notice or tracking event for.',
  })
  @ApiHeader(IF_NONE_MATCH_HEADER)
  @ApiOkResponse({ description: 'The shipment and its timeline', schema: shipmentViewSchema })
  @ApiNotFoundResponse({ description: 'Unknown, or not a shipment of yours (the same answer)' })
  async timeline(
    @CurrentTenant() scope: TenantScope,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ShipmentView | undefined> {
    const view = id.length <= 200 ? await this.tracking.forPartner(scope, id) : undefined;
    if (!view) throw new ProblemException(404, ProblemCode.NotFound, `No shipment ${id}.`);
    return conditional(request, reply, view);
  }
}
