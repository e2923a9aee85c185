import type { SyncFlow } from '../tenancy/tenant-definition.js';

/** Which business flow (sync mode, retry policy) a canonical document type belongs to. */
export const DOCUMENT_FLOWS: Readonly<Record<string, SyncFlow>> = {
  Order: 'orders',
  ShipmentNotice: 'shipments',
  FulfillmentRequest: 'shipments',
  FulfillmentConfirmation: 'shipments',
  TrackingEvent: 'tracking',
  FreightInvoice: 'invoices',
  ReturnAuthorization: 'returns',
  Acknowledgement: 'acknowledgements',
};

export function flowOf(documentType: string): SyncFlow {
  return DOCUMENT_FLOWS[documentType] ?? 'masterData';
}

/** Start of the next slot of a batch grid of `minutes`, counted from midnight UTC. */
export function nextBatchSlot(now: Date, minutes: number): Date {
  const slot = minutes * 60_000;
  return new Date(Math.ceil((now.getTime() + 1) / slot) * slot);
}
