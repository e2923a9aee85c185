import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CANONICAL_DOCUMENT_TYPES,
  canonicalSchemas,
  validateCanonical,
} from '../../../src/canonical/canonical-validator.js';

const envelope = {
  schemaVersion: '1',
  id: 'd1',
  tenantId: 'acme',
  partnerId: 'globex',
  createdAt: '2026-11-27T09:00:00Z',
  source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'm1' },
  correlationId: 'c1',
  references: [],
};

const invoice = {
  documentType: 'FreightInvoice',
  ...envelope,
  invoiceNumber: 'INV-1',
  invoiceDate: '2026-11-27',
  netAmountDue: { amount: '123.45', currency: 'USD' },
  charges: [{ amount: { amount: '123.45', currency: 'USD' }, code: '400' }],
  parties: [],
};

test('all eight document types have a draft 2020-12 schema', () => {
  assert.deepEqual(CANONICAL_DOCUMENT_TYPES, [
    'ShipmentNotice',
    'TrackingEvent',
    'FreightInvoice',
    'Order',
    'FulfillmentRequest',
    'FulfillmentConfirmation',
    'ReturnAuthorization',
    'Acknowledgement',
  ]);
  for (const t of CANONICAL_DOCUMENT_TYPES) {
    assert.equal(canonicalSchemas[t].$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual(canonicalSchemas[t].properties.documentType, { const: t });
  }
});

test('a valid invoice passes', () => {
  assert.deepEqual(validateCanonical('FreightInvoice', invoice), { valid: true, errors: [] });
});

test('money as a number is rejected at the JSON pointer of the amount', () => {
  const bad = { ...invoice, netAmountDue: { amount: 123.45, currency: 'USD' } };
  assert.deepEqual(validateCanonical('FreightInvoice', bad).errors, [
    { pointer: '/netAmountDue/amount', message: 'must be string' },
  ]);
  const float = { ...invoice, charges: [{ amount: { amount: '1e3', currency: 'usd' } }] };
  assert.deepEqual(
    validateCanonical('FreightInvoice', float).errors.map((e) => e.pointer),
    ['/charges/0/amount/amount', '/charges/0/amount/currency'],
  );
});

test('missing fields point at the field itself; enums list their values', () => {
  const { invoiceNumber: _n, ...noNumber } = invoice;
  assert.deepEqual(
    validateCanonical('FreightInvoice', {
      ...noNumber,
      paymentMethod: 'cash',
      source: { ...envelope.source, environment: 'staging' },
    }).errors,
    [
      { pointer: '/invoiceNumber', message: 'is required' },
      { pointer: '/source/environment', message: 'must be one of "test", "production"' },
      { pointer: '/paymentMethod', message: 'must be one of "prepaid", "collect", "thirdParty"' },
    ],
  );
});

test('unknown document types and non-objects are diagnostics, not exceptions', () => {
  assert.deepEqual(validateCanonical('Invoice', {}), {
    valid: false,
    errors: [{ pointer: '/documentType', message: 'unknown document type "Invoice"' }],
  });
  assert.equal(validateCanonical('Order', null).valid, false);
  assert.equal(
    validateCanonical('TrackingEvent', {
      ...envelope,
      documentType: 'TrackingEvent',
      shipmentRef: { purchaseOrderNumbers: [] },
      statusCode: 'X1',
      milestone: 'LOST',
      occurredAt: 'yesterday',
    }).errors.length,
    2,
  );
});
