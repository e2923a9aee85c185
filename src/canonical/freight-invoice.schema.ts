/** FreightInvoice: X12 210, EDIFACT INVOIC, REST. Amounts are decimal strings end to end. */
import type { FromSchema } from 'json-schema-to-ts';
import {
  carrierSchema,
  dateSchema,
  decimalStringSchema,
  envelopeProperties,
  envelopeRequired,
  moneySchema,
  partySchema,
  quantitySchema,
} from './common-schemas.js';

export const freightInvoiceSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/v1/freight-invoice.json',
  title: 'FreightInvoice',
  type: 'object',
  required: [...envelopeRequired, 'invoiceNumber', 'invoiceDate', 'netAmountDue', 'charges', 'parties'],
  properties: {
    documentType: { const: 'FreightInvoice' },
    ...envelopeProperties,
    invoiceNumber: { type: 'string', minLength: 1 },
    shipmentId: { type: 'string' },
    billOfLading: { type: 'string' },
    proNumber: { type: 'string' },
    paymentMethod: { enum: ['prepaid', 'collect', 'thirdParty'] },
    invoiceDate: dateSchema,
    /** B309 carries a date only; REST callers may send a full date-time. */
    deliveredAt: { type: 'string', anyOf: [{ format: 'date' }, { format: 'date-time' }] },
    carrier: carrierSchema,
    netAmountDue: moneySchema,
    charges: {
      type: 'array',
      items: {
        type: 'object',
        required: ['amount'],
        properties: {
          lineNumber: { type: 'string' },
          /** As sent (L108, ALC 7161). */
          code: { type: 'string' },
          /** Normalized category from edi-maps/code-tables/l108-charge-code.yaml. */
          codeNormalized: { type: 'string' },
          description: { type: 'string' },
          amount: {
            ...moneySchema,
            description:
              'The charge: its amount as a decimal string, and currency. An allowance (an X12 L1 with a ' +
              'negative amount, EDIFACT ALC+A) is a charge whose amount is below zero.',
          },
          rate: decimalStringSchema,
          rateQualifier: { type: 'string' },
          billedQuantity: quantitySchema,
        },
      },
    },
    totals: {
      type: 'object',
      properties: { weight: quantitySchema, chargesTotal: moneySchema, ladingQuantity: { type: 'integer' } },
    },
    parties: { type: 'array', items: partySchema },
  },
} as const;

export type FreightInvoice = FromSchema<typeof freightInvoiceSchema>;
