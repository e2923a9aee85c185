/** Acknowledgement: X12 997/999/TA1, EDIFACT CONTRL, AS2 MDN; reconciles messages we sent. */
import type { FromSchema } from 'json-schema-to-ts';
import { envelopeProperties, envelopeRequired } from './common-schemas.js';

export const ACK_TYPES = ['x12-997', 'x12-999', 'x12-ta1', 'edifact-contrl', 'as2-mdn'] as const;
export const ACK_STATUSES = ['accepted', 'acceptedWithErrors', 'rejected', 'partial'] as const;

export const acknowledgementSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://crossdock.dev/schemas/v1/acknowledgement.json',
  title: 'Acknowledgement',
  type: 'object',
  required: [...envelopeRequired, 'ackType', 'refersTo', 'status', 'errors'],
  properties: {
    documentType: { const: 'Acknowledgement' },
    ...envelopeProperties,
    ackType: { enum: ACK_TYPES },
    refersTo: {
      type: 'object',
      required: ['transactionControlNumbers'],
      properties: {
        /** Absent for 997/999, which name only the group (AK1) and sets (AK2) they acknowledge. */
        interchangeControlNumber: { type: 'string' },
        groupControlNumber: { type: 'string' },
        functionalId: { type: 'string' },
        transactionControlNumbers: { type: 'array', items: { type: 'string' } },
      },
    },
    status: { enum: ACK_STATUSES },
    /** Per acknowledged transaction set / message (AK2+AK5, IK5, UCM). */
    transactions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['controlNumber', 'status'],
        properties: {
          setId: { type: 'string' },
          controlNumber: { type: 'string' },
          status: { enum: ACK_STATUSES },
        },
      },
    },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['level', 'code', 'message'],
        properties: {
          level: { enum: ['interchange', 'group', 'transaction', 'segment', 'element'] },
          code: { type: 'string' },
          transactionControlNumber: { type: 'string' },
          segmentId: { type: 'string' },
          segmentPosition: { type: 'integer' },
          elementPosition: { type: 'integer' },
          /** The component of a composite element in error (999 IK401-2, CONTRL UCD S011 0136). */
          componentPosition: { type: 'integer' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

export type Acknowledgement = FromSchema<typeof acknowledgementSchema>;
