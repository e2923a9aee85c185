/**
 * Shapes shared by every canonical document (CANONICAL-MODEL.md), as JSON Schema 2020-12 `as const`
 * objects. Documents inline them (no `$ref`) so json-schema-to-ts can derive the TypeScript types
 * from the very objects Ajv validates with: one source, no drift between types and validation.
 */

/** Money is a decimal string, never a number (a float in the money path is a defect). */
export const decimalStringSchema = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' } as const;

export const moneySchema = {
  type: 'object',
  required: ['amount', 'currency'],
  properties: {
    amount: decimalStringSchema,
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
} as const;

export const quantitySchema = {
  type: 'object',
  required: ['value', 'unit'],
  properties: {
    value: { type: 'number' },
    unit: { type: 'string', minLength: 1 },
    unitNormalized: { type: 'string' },
  },
} as const;

export const referenceSchema = {
  type: 'object',
  required: ['qualifier', 'value'],
  properties: {
    qualifier: { type: 'string', minLength: 1 },
    value: { type: 'string' },
  },
} as const;

export const addressSchema = {
  type: 'object',
  required: ['lines', 'city', 'country'],
  properties: {
    lines: { type: 'array', items: { type: 'string' } },
    city: { type: 'string' },
    region: { type: 'string' },
    postalCode: { type: 'string' },
    /** ISO 3166-1 alpha-2. */
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
  },
} as const;

export const PARTY_ROLES = [
  'shipFrom',
  'shipTo',
  'buyer',
  'seller',
  'shipper',
  'consignee',
  'billTo',
  'carrier',
  'supplier',
  'customer',
] as const;

export const partySchema = {
  type: 'object',
  required: ['role', 'name', 'ids'],
  properties: {
    role: { enum: PARTY_ROLES },
    name: { type: 'string' },
    ids: { type: 'array', items: referenceSchema },
    address: addressSchema,
    contact: {
      type: 'object',
      properties: { name: { type: 'string' }, phone: { type: 'string' }, email: { type: 'string' } },
    },
  },
} as const;

export const carrierSchema = {
  type: 'object',
  properties: {
    scac: { type: 'string', pattern: '^[A-Z0-9]{2,4}$' },
    name: { type: 'string' },
    mode: { type: 'string' },
    service: { type: 'string' },
  },
} as const;

export const CHANNELS = ['rest', 'as2', 'sftp', 'odoo', 'cli'] as const;
export const ENVIRONMENTS = ['test', 'production'] as const;

export const sourceSchema = {
  type: 'object',
  required: ['channel', 'format', 'environment', 'messageId'],
  properties: {
    channel: { enum: CHANNELS },
    /** e.g. `x12-856/004010`, `edifact-DESADV/D96A`, `json`. */
    format: { type: 'string', minLength: 1 },
    /** ISA15 T/P, UNB test indicator or the partner setting; test documents never reach production Odoo. */
    environment: { enum: ENVIRONMENTS },
    interchangeControlNumber: { type: 'string' },
    groupControlNumber: { type: 'string' },
    transactionControlNumber: { type: 'string' },
    messageId: { type: 'string', minLength: 1 },
  },
} as const;

export const dateTimeSchema = { type: 'string', format: 'date-time' } as const;
export const dateSchema = { type: 'string', format: 'date' } as const;

/** The fields every canonical document carries. */
export const envelopeProperties = {
  schemaVersion: { const: '1' },
  id: { type: 'string', minLength: 1 },
  tenantId: { type: 'string', minLength: 1 },
  partnerId: { type: 'string', minLength: 1 },
  createdAt: dateTimeSchema,
  source: sourceSchema,
  correlationId: { type: 'string', minLength: 1 },
  references: { type: 'array', items: referenceSchema },
} as const;

export const envelopeRequired = [
  'documentType',
  'schemaVersion',
  'id',
  'tenantId',
  'partnerId',
  'createdAt',
  'source',
  'correlationId',
  'references',
] as const;
