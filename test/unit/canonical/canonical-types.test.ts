import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ShipmentNotice } from '../../../src/canonical/shipment-notice.schema.js';
import type { FreightInvoice } from '../../../src/canonical/freight-invoice.schema.js';
import { validateCanonical } from '../../../src/canonical/canonical-validator.js';

// The types come from the schemas (json-schema-to-ts FromSchema); this file compiles only if a
// document literal that the schema accepts is also accepted by the type, and money is a string.
const asn: ShipmentNotice = {
  documentType: 'ShipmentNotice',
  schemaVersion: '1',
  id: 'doc-1',
  tenantId: 'acme',
  partnerId: 'globex',
  createdAt: '2026-11-27T09:00:00Z',
  source: { channel: 'rest', format: 'json', environment: 'test', messageId: 'm-1' },
  correlationId: 'c-1',
  references: [],
  shipmentId: 'SHP1',
  purpose: 'original',
  parties: [],
  orders: [
    {
      purchaseOrderNumber: 'PO1',
      packages: [],
      lines: [{ lineNumber: '1', ids: [], quantityShipped: { value: 2, unit: 'EA' } }],
    },
  ],
  trackingNumbers: [],
};

test('a typed ShipmentNotice literal passes the schema it was derived from', () => {
  assert.deepEqual(validateCanonical('ShipmentNotice', asn), { valid: true, errors: [] });
});

test('FreightInvoice money amount is typed as a string, not a number', () => {
  const amount: FreightInvoice['netAmountDue']['amount'] = '123.45';
  // @ts-expect-error a number is not a valid amount type
  const bad: FreightInvoice['netAmountDue']['amount'] = 123.45;
  assert.equal(typeof amount, 'string');
  assert.equal(typeof bad, 'number');
});
