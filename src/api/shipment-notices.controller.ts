import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CanonicalResourceController } from './canonical-resource.controller.js';

/** ASNs from 3PLs and suppliers. */
@ApiTags('shipment-notices')
@Controller('shipment-notices')
export class ShipmentNoticesController extends CanonicalResourceController({
  documentType: 'ShipmentNotice',
  noun: 'shipment notice',
  write: 'shipments:write',
  read: 'shipments:read',
}) {}
