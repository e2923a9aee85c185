/** ReturnAuthorization: REST. */
import type { FromSchema } from 'json-schema-to-ts';
import { envelopeProperties, envelopeRequired, partySchema, quantitySchema } from './common-schemas.js';

export const RETURN_STATUSES = [
  'REQUESTED',
  'APPROVED',
  'IN_TRANSIT',
  'RECEIVED',
  'INSPECTED',
  'REFUNDED',
  'REJECTED',
] as const;

export const returnAuthorizationSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/v1/return-authorization.json',
  title: 'ReturnAuthorization',
  type: 'object',
  required: [
    ...envelopeRequired,
    'returnNumber',
    'originalOrderNumber',
    'customer',
    'reason',
    'lines',
    'status',
  ],
  properties: {
    documentType: { const: 'ReturnAuthorization' },
    ...envelopeProperties,
    returnNumber: { type: 'string', minLength: 1 },
    originalOrderNumber: { type: 'string', minLength: 1 },
    customer: partySchema,
    reason: { type: 'string' },
    lines: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        properties: {
          sku: { type: 'string', minLength: 1 },
          quantity: quantitySchema,
          condition: { type: 'string' },
        },
      },
    },
    status: { enum: RETURN_STATUSES },
  },
} as const;

export type ReturnAuthorization = FromSchema<typeof returnAuthorizationSchema>;
