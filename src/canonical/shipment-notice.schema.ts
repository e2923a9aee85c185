/** ShipmentNotice (ASN): X12 856, EDIFACT DESADV, REST. */
import type { FromSchema } from 'json-schema-to-ts';
import {
  carrierSchema,
  dateSchema,
  dateTimeSchema,
  envelopeProperties,
  envelopeRequired,
  partySchema,
  quantitySchema,
  referenceSchema,
} from './common-schemas.js';

const shipmentLineSchema = {
  type: 'object',
  // LIN01 is optional in X12, so a line may come without a number.
  required: ['ids', 'quantityShipped'],
  properties: {
    lineNumber: { type: 'string', minLength: 1 },
    sku: { type: 'string' },
    ids: { type: 'array', items: referenceSchema },
    description: { type: 'string' },
    quantityShipped: quantitySchema,
  },
} as const;

const packageSchema = {
  type: 'object',
  required: ['lines'],
  properties: {
    /** SSCC-18 (GIN+BJ; MAN*GM without the "00" application identifier it carries there). */
    sscc: {
      type: 'string',
      pattern: '^\\d{18}$',
      description:
        'SSCC-18, without the GS1 application identifier 00 that X12 MAN*GM carries in front of it.',
    },
    trackingNumber: { type: 'string' },
    lines: { type: 'array', items: shipmentLineSchema },
  },
} as const;

export const shipmentNoticeSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/v1/shipment-notice.json',
  title: 'ShipmentNotice',
  type: 'object',
  required: [...envelopeRequired, 'shipmentId', 'purpose', 'parties', 'orders', 'trackingNumbers'],
  properties: {
    documentType: { const: 'ShipmentNotice' },
    ...envelopeProperties,
    shipmentId: { type: 'string', minLength: 1 },
    purpose: { enum: ['original', 'replace', 'cancel'] },
    issuedAt: dateTimeSchema,
    shippedAt: dateTimeSchema,
    estimatedDeliveryAt: dateTimeSchema,
    carrier: carrierSchema,
    billOfLading: { type: 'string' },
    proNumber: { type: 'string' },
    trackingNumbers: { type: 'array', items: { type: 'string' } },
    parties: { type: 'array', items: partySchema },
    totals: {
      type: 'object',
      properties: {
        packageCount: { type: 'integer', minimum: 0 },
        grossWeight: quantitySchema,
        packagingCode: { type: 'string' },
      },
    },
    orders: {
      type: 'array',
      items: {
        type: 'object',
        required: ['purchaseOrderNumber', 'packages', 'lines'],
        properties: {
          purchaseOrderNumber: { type: 'string', minLength: 1 },
          purchaseOrderDate: dateSchema,
          packages: { type: 'array', items: packageSchema },
          lines: { type: 'array', items: shipmentLineSchema },
        },
      },
    },
  },
} as const;

export type ShipmentNotice = FromSchema<typeof shipmentNoticeSchema>;
