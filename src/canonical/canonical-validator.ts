/**
 * Validates canonical documents against the v1 JSON Schemas and reports each problem with the JSON
 * Pointer of the field, so the REST API (problem+json) and the EDI engine (diagnostics) can name it.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from './ajv-factory.js';
import { acknowledgementSchema, type Acknowledgement } from './acknowledgement.schema.js';
import { freightInvoiceSchema, type FreightInvoice } from './freight-invoice.schema.js';
import {
  fulfillmentConfirmationSchema,
  type FulfillmentConfirmation,
} from './fulfillment-confirmation.schema.js';
import { fulfillmentRequestSchema, type FulfillmentRequest } from './fulfillment-request.schema.js';
import { orderSchema, type Order } from './order.schema.js';
import { returnAuthorizationSchema, type ReturnAuthorization } from './return-authorization.schema.js';
import { shipmentNoticeSchema, type ShipmentNotice } from './shipment-notice.schema.js';
import { trackingEventSchema, type TrackingEvent } from './tracking-event.schema.js';

export const canonicalSchemas = {
  ShipmentNotice: shipmentNoticeSchema,
  TrackingEvent: trackingEventSchema,
  FreightInvoice: freightInvoiceSchema,
  Order: orderSchema,
  FulfillmentRequest: fulfillmentRequestSchema,
  FulfillmentConfirmation: fulfillmentConfirmationSchema,
  ReturnAuthorization: returnAuthorizationSchema,
  Acknowledgement: acknowledgementSchema,
} as const;

export type CanonicalDocumentType = keyof typeof canonicalSchemas;

export interface CanonicalDocumentMap {
  ShipmentNotice: ShipmentNotice;
  TrackingEvent: TrackingEvent;
  FreightInvoice: FreightInvoice;
  Order: Order;
  FulfillmentRequest: FulfillmentRequest;
  FulfillmentConfirmation: FulfillmentConfirmation;
  ReturnAuthorization: ReturnAuthorization;
  Acknowledgement: Acknowledgement;
}

export type CanonicalDocument = CanonicalDocumentMap[CanonicalDocumentType];

export const CANONICAL_DOCUMENT_TYPES = Object.keys(canonicalSchemas) as CanonicalDocumentType[];

export interface CanonicalValidationError {
  /** JSON Pointer (RFC 6901) of the offending field; `""` is the document itself. */
  readonly pointer: string;
  readonly message: string;
}

export interface CanonicalValidationResult {
  readonly valid: boolean;
  readonly errors: readonly CanonicalValidationError[];
}

export function isCanonicalDocumentType(value: unknown): value is CanonicalDocumentType {
  return typeof value === 'string' && Object.hasOwn(canonicalSchemas, value);
}

const ajv = createAjv();
const compiled = new Map<CanonicalDocumentType, ValidateFunction>();

function validatorFor(type: CanonicalDocumentType): ValidateFunction {
  let v = compiled.get(type);
  if (!v) {
    // Compiled lazily: a CLI run that only sees 856s should not pay for eight schemas.
    v = ajv.compile(canonicalSchemas[type]);
    compiled.set(type, v);
  }
  return v;
}

function toError(e: ErrorObject): CanonicalValidationError {
  let pointer = e.instancePath;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'required' && 'missingProperty' in e.params) {
    pointer = `${pointer}/${String(e.params['missingProperty']).replace(/~/g, '~0').replace(/\//g, '~1')}`;
    message = 'is required';
  } else if (e.keyword === 'const' && 'allowedValue' in e.params) {
    message = `must be ${JSON.stringify(e.params['allowedValue'])}`;
  } else if (e.keyword === 'enum' && 'allowedValues' in e.params) {
    message = `must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { pointer, message };
}

/** Validates `value` as a canonical document of `documentType`. Never throws. */
export function validateCanonical(documentType: string, value: unknown): CanonicalValidationResult {
  if (!isCanonicalDocumentType(documentType)) {
    return {
      valid: false,
      errors: [{ pointer: '/documentType', message: `unknown document type "${documentType}"` }],
    };
  }
  const v = validatorFor(documentType);
  if (v(value)) return { valid: true, errors: [] };
  // anyOf branches repeat the same failure; the summary line is enough.
  const errors = (v.errors ?? []).filter((e) => !e.schemaPath.includes('/anyOf/')).map(toError);
  return { valid: false, errors };
}

/** Narrowing form for callers that want the typed document. */
export function isCanonical<T extends CanonicalDocumentType>(
  documentType: T,
  value: unknown,
): value is CanonicalDocumentMap[T] {
  return validateCanonical(documentType, value).valid;
}
