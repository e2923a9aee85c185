/** Order: REST (eCommerce, marketplaces, B2B portals); X12 850 / EDIFACT ORDERS later. */
import type { FromSchema } from 'json-schema-to-ts';
import {
  dateSchema,
  dateTimeSchema,
  envelopeProperties,
  envelopeRequired,
  moneySchema,
  partySchema,
  quantitySchema,
} from './common-schemas.js';

/** The one status vocabulary every partner's order status is mapped onto. */
export const ORDER_STATUSES = [
  'RECEIVED',
  'ACCEPTED',
  'ALLOCATED',
  'RELEASED_TO_WAREHOUSE',
  'PICKED',
  'PACKED',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
  'ON_HOLD',
] as const;

/** A quantity of one SKU asked for: an order's line (which adds its price) and a fulfillment request's. */
export const requestedLineSchema = {
  type: 'object',
  required: ['lineNumber', 'sku', 'quantity'],
  properties: {
    lineNumber: { type: 'string', minLength: 1 },
    sku: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    quantity: quantitySchema,
  },
} as const;

export const orderSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/v1/order.json',
  title: 'Order',
  type: 'object',
  required: [
    ...envelopeRequired,
    'orderNumber',
    'channel',
    'orderedAt',
    'customer',
    'shipTo',
    'lines',
    'status',
  ],
  properties: {
    documentType: { const: 'Order' },
    ...envelopeProperties,
    orderNumber: { type: 'string', minLength: 1 },
    /** Sales channel as the partner names it (shopify, amazon, portal, …). */
    channel: { type: 'string', minLength: 1 },
    orderedAt: dateTimeSchema,
    customer: partySchema,
    shipTo: partySchema,
    requestedShipDate: dateSchema,
    requestedService: { type: 'string' },
    lines: {
      type: 'array',
      minItems: 1,
      items: {
        ...requestedLineSchema,
        properties: { ...requestedLineSchema.properties, unitPrice: moneySchema },
      },
    },
    totals: {
      type: 'object',
      properties: { subtotal: moneySchema, shipping: moneySchema, tax: moneySchema, total: moneySchema },
    },
    status: { enum: ORDER_STATUSES },
  },
} as const;

export type Order = FromSchema<typeof orderSchema>;
