/** TrackingEvent: X12 214, EDIFACT IFTSTA, REST. */
import type { FromSchema } from 'json-schema-to-ts';
import {
  carrierSchema,
  dateTimeSchema,
  envelopeProperties,
  envelopeRequired,
  partySchema,
} from './common-schemas.js';

/** The one milestone vocabulary every carrier status is normalized onto (unknown → OTHER, raw kept). */
export const MILESTONES = [
  'PICKUP_ARRIVED',
  'PICKED_UP',
  'IN_TRANSIT',
  'ARRIVED_AT_TERMINAL',
  'DEPARTED_TERMINAL',
  'OUT_FOR_DELIVERY',
  'ARRIVED_AT_DELIVERY',
  'DELIVERED',
  'DELAYED',
  'EXCEPTION',
  'ESTIMATED_DELIVERY',
  'APPOINTMENT',
  'RETURNED',
  'CANCELLED',
  'OTHER',
] as const;

export const trackingEventSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/v1/tracking-event.json',
  title: 'TrackingEvent',
  type: 'object',
  required: [...envelopeRequired, 'shipmentRef', 'statusCode', 'milestone', 'occurredAt'],
  properties: {
    documentType: { const: 'TrackingEvent' },
    ...envelopeProperties,
    shipmentRef: {
      type: 'object',
      required: ['purchaseOrderNumbers'],
      properties: {
        carrierReference: { type: 'string' },
        shipmentId: { type: 'string' },
        billOfLading: { type: 'string' },
        proNumber: { type: 'string' },
        purchaseOrderNumbers: { type: 'array', items: { type: 'string' } },
      },
    },
    carrier: carrierSchema,
    /** As sent (AT701, or AT703 for appointments; STS 4405). */
    statusCode: { type: 'string', minLength: 1 },
    reasonCode: { type: 'string' },
    milestone: { enum: MILESTONES },
    occurredAt: dateTimeSchema,
    location: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        city: { type: 'string' },
        region: { type: 'string' },
        postalCode: { type: 'string' },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
    },
    proofOfDelivery: { type: 'object', properties: { signedBy: { type: 'string' }, at: dateTimeSchema } },
    parties: { type: 'array', items: partySchema },
  },
} as const;

export type TrackingEvent = FromSchema<typeof trackingEventSchema>;
