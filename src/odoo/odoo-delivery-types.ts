/** The contract between the message pipeline and the connector: what a delivery did in Odoo. */
import type { OdooDeliverySettings } from '../tenancy/tenant-definition.js';
import type { OdooClient } from './odoo-client.js';

export type DeliveryAction = 'created' | 'updated' | 'skipped';

export interface DeliveredRecord {
  readonly model: string;
  readonly id: number;
  readonly action: DeliveryAction;
}

export interface OdooDeliveryResult {
  /** The main record the document became (or was applied to). */
  readonly model: string;
  readonly id: number;
  /** `module.name` of the ir.model.data row that makes the delivery idempotent. */
  readonly externalId: string;
  readonly action: DeliveryAction;
  /** Every record touched, main record first (an ASN for two POs updates two pickings). */
  readonly records: readonly DeliveredRecord[];
  /** Conditions delivered but worth an operator's look: `unmatched_shipment`, `amount_mismatch`, … */
  readonly flags: readonly string[];
}

/**
 * The tenant's settings for this Odoo (`odoo.delivery` in its tenant file: `confirmOrders`,
 * `moveQuantityField`, `invoiceTolerance`, `createLeaseSeconds`, `units`) and the pipeline's lock.
 * A missing `createLeaseSeconds` means 4 × the client's timeout + 30 s (odoo-create-lease.ts).
 */
export interface OdooDeliveryOptions extends OdooDeliverySettings {
  /**
   * Serialises, across processes, deliveries that read a picking's values and write them back
   * added to (odoo-picking-lock.ts); without it they are serialised within this process only.
   */
  readonly exclusive?: ExclusiveSection;
}

/** Runs `work` while no other section holding one of `keys` runs; resolves or rejects as `work` does. */
export type ExclusiveSection = <T>(keys: readonly string[], work: () => Promise<T>) => Promise<T>;

export interface DeliveryContext {
  readonly client: OdooClient;
  readonly tenantId: string;
  /** `crossdock_<tenant>`. */
  readonly module: string;
  readonly options: OdooDeliveryOptions;
}

/** The result of a document that became (or found) exactly one record. */
export function singleRecordResult(
  model: string,
  id: number,
  externalId: string,
  action: DeliveryAction,
  flags: readonly string[] = [],
): OdooDeliveryResult {
  return { model, id, externalId, action, records: [{ model, id, action }], flags };
}
