import type { SchemaObject } from '@nestjs/swagger';
import { canonicalSchemas, type CanonicalDocumentType } from '../canonical/canonical-validator.js';
import { envelopeRequired } from '../canonical/common-schemas.js';
import { ssccFromGs1 } from '../edi/gs1-sscc.js';

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
    Object.entries(schema.properties)
      .filter(([name]) => !serverFilled.has(name))
      .map(([name, property]) => [
        name,
        documentType === 'ShipmentNotice' ? withSsccAsSent(property) : property,
      ]),
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

/**
 * What a REST client may send in a package's `sscc`: the SSCC-18, or the 20 digits a label's
 * barcode reads (the GS1 application identifier 00 in front), which `normalizeRequestBody` turns
 * into the SSCC-18 the canonical model stores. Other values are refused by the canonical schema.
 */
const SSCC_AS_SENT = {
  type: 'string',
  pattern: '^(00)?\\d{18}$',
  description:
    'SSCC-18. A value with its GS1 application identifier 00 in front (20 digits, as the label barcode reads) ' +
    'is accepted and stored as the 18 digits.',
} as const;

/** The request schema's copy of a ShipmentNotice property, with `SSCC_AS_SENT` for every package's sscc. */
function withSsccAsSent(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withSsccAsSent);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => {
      if (key === 'properties' && typeof value === 'object' && value !== null && 'sscc' in value) {
        return [key, { ...(withSsccAsSent(value) as object), sscc: SSCC_AS_SENT }];
      }
      return [key, withSsccAsSent(value)];
    }),
  );
}

/**
 * A REST body in the one form the canonical model stores, before it is validated: a package's
 * `sscc` sent with its application identifier (`00` + SSCC-18) becomes the SSCC-18. The body is
 * not changed in place; anything that is not the expected shape is left to the schema to name.
 */
export function normalizeRequestBody(
  documentType: CanonicalDocumentType,
  body: Record<string, unknown>,
): Record<string, unknown> {
  if (documentType !== 'ShipmentNotice' || !Array.isArray(body['orders'])) return body;
  return {
    ...body,
    orders: body['orders'].map((order: unknown) => {
      if (!isRecord(order) || !Array.isArray(order['packages'])) return order;
      return {
        ...order,
        packages: order['packages'].map((pack: unknown) =>
          isRecord(pack) && typeof pack['sscc'] === 'string'
            ? { ...pack, sscc: ssccFromGs1(pack['sscc']) }
            : pack,
        ),
      };
    }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
