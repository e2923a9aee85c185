/** OpenAPI shapes shared by the REST resources (the documents themselves are the canonical schemas). */
import type { SchemaObject } from '@nestjs/swagger';
import { canonicalSchemas, type CanonicalDocumentType } from '../canonical/canonical-validator.js';

export const acceptedDocumentSchema: SchemaObject = {
  type: 'object',
  required: ['id', 'documentType', 'messageId', 'state', 'correlationId', 'location'],
  properties: {
    id: {
      type: 'string',
      format: 'uuid',
      description: 'The document id (GET it on its resource once translated)',
    },
    documentType: { type: 'string' },
    messageId: { type: 'string', format: 'uuid' },
    state: { type: 'string' },
    correlationId: { type: 'string' },
    location: { type: 'string', description: '`/v1/messages/{messageId}`: follow the fate of the write' },
  },
};

export const violationSchema: SchemaObject = {
  type: 'object',
  required: ['pointer', 'message'],
  properties: { pointer: { type: 'string' }, message: { type: 'string' } },
};

/** The canonical schema of a type without its JSON Schema dialect keywords (OpenAPI 3.0 has none). */
export function canonicalDocumentSchema(documentType: CanonicalDocumentType): SchemaObject {
  const {
    $schema: _dialect,
    $id: _id,
    ...schema
  } = canonicalSchemas[documentType] as unknown as Record<string, unknown>;
  return schema as SchemaObject;
}

export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Retrying with the same key and body replays the first answer (`Idempotency-Replayed: true`); another body → 422',
} as const;

export const IF_NONE_MATCH_HEADER = {
  name: 'If-None-Match',
  required: false,
  description: 'The `ETag` of a previous answer: 304 without a body while nothing changed',
} as const;

/** The shape of every cursor-paginated list: one page of `items` and the cursor of the next. */
export function cursorPageSchema(items: object): object {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items },
      nextCursor: { type: 'string', nullable: true },
    },
  };
}
