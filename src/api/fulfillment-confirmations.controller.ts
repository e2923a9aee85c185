import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CanonicalResourceController } from './canonical-resource.controller.js';

/** 3PL pick/pack/ship confirmations (read back with the shipments scope). */
@ApiTags('fulfillment-confirmations')
@Controller('fulfillment-confirmations')
export class FulfillmentConfirmationsController extends CanonicalResourceController({
  documentType: 'FulfillmentConfirmation',
  noun: 'fulfillment confirmation',
  write: 'fulfillment:write',
  read: 'shipments:read',
}) {}
