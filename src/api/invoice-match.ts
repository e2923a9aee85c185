import type { DocumentResource } from './document-resource.js';

export type InvoiceMatch = 'matched' | 'unmatched' | 'pending' | 'failed';

/** Flags the Odoo connector raises when an invoice does not line up with what was shipped. */
export const MISMATCH_FLAGS: readonly string[] = ['unmatched_shipment', 'amount_mismatch'];

/**
 * A freight invoice is matched once delivered to Odoo without a mismatch flag, unmatched when
 * delivered with one (an operator must look), pending while in flight, failed when it never
 * reached Odoo (dead-lettered, rejected or held).
 */
export function invoiceMatchOf(resource: DocumentResource): InvoiceMatch {
  if (resource.state === 'delivered') {
    return resource.odoo?.flags.some((flag) => MISMATCH_FLAGS.includes(flag)) ? 'unmatched' : 'matched';
  }
  return ['translated', 'delivering', 'failed', 'received'].includes(resource.state) ? 'pending' : 'failed';
}
