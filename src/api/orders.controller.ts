import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CanonicalResourceController } from './canonical-resource.controller.js';

/** Orders from commerce channels and B2B portals; `document.status` is the canonical vocabulary. */
@ApiTags('orders')
@Controller('orders')
export class OrdersController extends CanonicalResourceController({
  documentType: 'Order',
  noun: 'order',
  write: 'orders:write',
  read: 'orders:read',
}) {}
