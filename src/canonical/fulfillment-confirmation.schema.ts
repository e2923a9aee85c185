/** FulfillmentConfirmation: from a 3PL/WMS (REST first; X12 945 later). */
import type { FromSchema } from 'json-schema-to-ts';
import {
  carrierSchema,
  dateTimeSchema,
  envelopeProperties,
  envelopeRequired,
  quantitySchema,
} from './common-schemas.js';

export const fulfillmentConfirmationSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/v1/fulfillment-confirmation.json',
  title: 'FulfillmentConfirmation',
  type: 'object',
  required: [
    ...envelopeRequired,
    'orderNumber',
    'shipmentId',
    'shippedAt',
    'carrier',
    'trackingNumbers',
    'packages',
    'lines',
  ],
  properties: {
    documentType: { const: 'FulfillmentConfirmation' },
    ...envelopeProperties,
    orderNumber: { type: 'string', minLength: 1 },
    shipmentId: { type: 'string', minLength: 1 },
    shippedAt: dateTimeSchema,
    carrier: carrierSchema,
    trackingNumbers: { type: 'array', items: { type: 'string' } },
    packages: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sscc: { type: 'string' }, trackingNumber: { type: 'string' }, weight: quantitySchema },
      },
    },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'quantityShipped'],
        properties: {
          lineNumber: { type: 'string' },
          sku: { type: 'string', minLength: 1 },
          quantityShipped: quantitySchema,
        },
      },
    },
  },
} as const;

export type FulfillmentConfirmation = FromSchema<typeof fulfillmentConfirmationSchema>;
