/** FulfillmentRequest: to a 3PL/WMS (REST first; X12 940 later). */
import type { FromSchema } from 'json-schema-to-ts';
import { carrierSchema, envelopeProperties, envelopeRequired, partySchema } from './common-schemas.js';
import { requestedLineSchema } from './order.schema.js';

export const fulfillmentRequestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/v1/fulfillment-request.json',
  title: 'FulfillmentRequest',
  type: 'object',
  required: [...envelopeRequired, 'orderNumber', 'warehouse', 'shipTo', 'lines'],
  properties: {
    documentType: { const: 'FulfillmentRequest' },
    ...envelopeProperties,
    orderNumber: { type: 'string', minLength: 1 },
    warehouse: { type: 'string', minLength: 1 },
    shipTo: partySchema,
    carrier: carrierSchema,
    service: { type: 'string' },
    lines: {
      type: 'array',
      minItems: 1,
      items: requestedLineSchema,
    },
  },
} as const;

export type FulfillmentRequest = FromSchema<typeof fulfillmentRequestSchema>;
