import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CanonicalResourceController } from './canonical-resource.controller.js';
import { invoiceMatchOf } from './invoice-match.js';

/** Carriers' freight invoices, with whether Odoo matched them to a shipment. */
@ApiTags('freight-invoices')
@Controller('freight-invoices')
export class FreightInvoicesController extends CanonicalResourceController({
  documentType: 'FreightInvoice',
  noun: 'freight invoice',
  write: 'invoices:write',
  read: 'invoices:read',
  present: (resource) => ({ match: invoiceMatchOf(resource) }),
  presentSchema: {
    match: {
      type: 'string',
      enum: ['matched', 'unmatched', 'pending', 'failed'],
      description:
        'matched/unmatched once delivered to Odoo (flags say why), pending in flight, failed if never delivered',
    },
  },
}) {}
