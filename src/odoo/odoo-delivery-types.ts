/** The contract between the message pipeline and the connector: what a delivery did in Odoo. */
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

export interface OdooDeliveryOptions {
  /** Confirm a new sale.order with `action_confirm` (the tenant's choice). */
  readonly confirmOrders?: boolean;
  /** `quantity` + `picked` on 17.0+; `quantity_done` on 16.0 and older (ODOO.md). */
  readonly moveQuantityField?: 'quantity' | 'quantity_done';
  /** Allowed |charges total − net amount due| on a freight invoice before it is flagged (decimal string). */
  readonly invoiceTolerance?: string;
  /**
   * How long a create whose answer was lost may still commit in Odoo (odoo-create-lease.ts):
   * longer than Odoo's limit_time_real. Default: 4 × the client's timeout + 30 s (150 s).
   */
  readonly createLeaseSeconds?: number;
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
