/**
 * The port through which the pipeline hands a canonical document to its destination (Odoo).
 * The messages module defines it; the Odoo connector implements it; the app module binds them,
 * so neither imports the other.
 */
export interface DeliveryRequest {
  readonly tenantId: string;
  readonly partnerId: string | null;
  readonly documentId: string;
  readonly documentType: string;
  /** Production Odoo, or the tenant's sandbox for test-environment documents. */
  readonly target: 'production' | 'sandbox';
  readonly document: Readonly<Record<string, unknown>>;
  /**
   * Runs `work` while no other delivery, in any process, runs one holding one of `keys`: for the
   * destination's read-add-write on a record (two shipments of one order adding their quantities).
   */
  readonly exclusive?: <T>(keys: readonly string[], work: () => Promise<T>) => Promise<T>;
}

export interface DeliveryOutcome {
  readonly model: string;
  readonly id: number;
  readonly externalId: string;
  readonly action: 'created' | 'updated' | 'skipped';
  /** Delivered, but worth an operator's look (`unmatched_shipment`, `amount_mismatch`, …). */
  readonly flags?: readonly string[];
}

export type DeliveryFailureKind = 'retryable' | 'business' | 'authentication';

export interface DocumentDeliverer {
  deliver(request: DeliveryRequest): Promise<DeliveryOutcome>;
}

export const DOCUMENT_DELIVERER = Symbol('DOCUMENT_DELIVERER');

/** How a delivery error should be handled: the connector's errors carry a `kind`; anything else is retried. */
export function failureKindOf(error: unknown): DeliveryFailureKind {
  const kind =
    error && typeof error === 'object' && 'kind' in error ? (error as { kind: unknown }).kind : undefined;
  return kind === 'business' || kind === 'authentication' ? kind : 'retryable';
}
