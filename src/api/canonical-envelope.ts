import type { SchemaObject } from '@nestjs/swagger';
import { canonicalSchemas, type CanonicalDocumentType } from '../canonical/canonical-validator.js';
import { envelopeRequired } from '../canonical/common-schemas.js';

/**
 * The envelope fields the server fills: identity comes from the access token and provenance from
 * the request, so a partner can neither choose them nor forge another partner's documents.
 * `references` stays the partner's (defaults to `[]`).
 */
type ServerFilledField = Exclude<(typeof envelopeRequired)[number], 'references'>;
export const SERVER_FILLED_FIELDS: readonly ServerFilledField[] = envelopeRequired.filter(
  (field): field is ServerFilledField => field !== 'references',
);

const serverFilled: ReadonlySet<string> = new Set(SERVER_FILLED_FIELDS);

/** The request body schema of a REST write: the canonical schema minus the server-filled envelope. */
export function requestSchemaOf(documentType: CanonicalDocumentType): SchemaObject {
  const schema = canonicalSchemas[documentType] as unknown as {
    title: string;
    required: readonly string[];
    properties: Record<string, unknown>;
  };
  const properties = Object.fromEntries(
    Object.entries(schema.properties).filter(([name]) => !serverFilled.has(name)),
  );
  return {
    title: `${schema.title}Request`,
    description:
      `A canonical ${schema.title} without its envelope: documentType, schemaVersion, id, tenantId, partnerId, ` +
      'createdAt, source and correlationId are filled by the server from the access token and the request.',
    type: 'object',
    required: schema.required.filter((name) => !serverFilled.has(name) && name !== 'references'),
    properties: properties as Record<string, SchemaObject>,
  };
}

export interface EnvelopeContext {
  readonly id: string;
  /** The id the message carrying the document will be stored under. */
  readonly messageId: string;
  readonly tenantId: string;
  readonly partnerId: string;
  readonly correlationId: string;
  readonly environment: 'test' | 'production';
  readonly now: Date;
}

/** Names each envelope field the partner tried to set (pointers relative to `prefix`). */
export function envelopeViolations(
  body: Record<string, unknown>,
  prefix = '',
): { pointer: string; message: string }[] {
  return Object.keys(body)
    .filter((name) => serverFilled.has(name))
    .map((name) => ({ pointer: `${prefix}/${name}`, message: 'is set by the server; leave it out' }));
}

/** The full canonical document: the partner's body inside the server's envelope. */
export function withEnvelope(
  documentType: CanonicalDocumentType,
  body: Record<string, unknown>,
  context: EnvelopeContext,
): Record<string, unknown> {
  return {
    references: [],
    ...body,
    documentType,
    schemaVersion: '1',
    id: context.id,
    tenantId: context.tenantId,
    partnerId: context.partnerId,
    createdAt: context.now.toISOString(),
    source: {
      channel: 'rest',
      format: 'json',
      environment: context.environment,
      messageId: context.messageId,
    },
    correlationId: context.correlationId,
  };
}
