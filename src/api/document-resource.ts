import type { SchemaObject } from '@nestjs/swagger';
import type { CanonicalDocumentType } from '../canonical/canonical-validator.js';

/** A canonical document as the REST API shows it: the document and where it stands in the pipeline. */
export interface DocumentResource {
  readonly id: string;
  readonly documentType: CanonicalDocumentType;
  readonly messageId: string;
  /** Pipeline state: translated, delivering, delivered, failed, dead_lettered, held_test, rejected. */
  readonly state: string;
  readonly environment: 'test' | 'production';
  readonly receivedAt: string;
  readonly updatedAt: string;
  readonly deliveredAt: string | null;
  /** The Odoo record it became, and what the connector noticed (`unmatched_shipment`, …). */
  readonly odoo: {
    readonly model: string;
    readonly id: number;
    readonly externalId: string;
    readonly flags: readonly string[];
  } | null;
  readonly lastError: string | null;
  readonly document: Record<string, unknown>;
}

/** OpenAPI schema of DocumentResource (the `document` itself is the canonical schema of its type). */
export function documentResourceSchema(documentSchema: SchemaObject): SchemaObject {
  return {
    type: 'object',
    required: [
      'id',
      'documentType',
      'messageId',
      'state',
      'environment',
      'receivedAt',
      'updatedAt',
      'deliveredAt',
      'odoo',
      'lastError',
      'document',
    ],
    properties: {
      id: { type: 'string', format: 'uuid' },
      documentType: { type: 'string' },
      messageId: { type: 'string', format: 'uuid' },
      state: { type: 'string' },
      environment: { type: 'string', enum: ['test', 'production'] },
      receivedAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      deliveredAt: { type: 'string', format: 'date-time', nullable: true },
      odoo: {
        type: 'object',
        nullable: true,
        required: ['model', 'id', 'externalId', 'flags'],
        properties: {
          model: { type: 'string' },
          id: { type: 'integer' },
          externalId: { type: 'string' },
          flags: { type: 'array', items: { type: 'string' } },
        },
      },
      lastError: { type: 'string', nullable: true },
      document: documentSchema,
    },
  };
}
