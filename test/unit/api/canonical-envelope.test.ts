import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeRequestBody, requestSchemaOf } from '../../../src/api/canonical-envelope.js';
import { validateCanonical } from '../../../src/canonical/canonical-validator.js';

const SSCC = '012345678901234560';

function notice(sscc: unknown): Record<string, unknown> {
  return {
    documentType: 'ShipmentNotice',
    schemaVersion: '1',
    id: 'doc-1',
    tenantId: 'demo',
    partnerId: 'demo-3pl',
    createdAt: '2026-11-28T00:00:00Z',
    source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'msg-1' },
    correlationId: 'corr-1',
    references: [],
    shipmentId: 'SHIP-1',
    purpose: 'original',
    trackingNumbers: [],
    parties: [],
    orders: [{ purchaseOrderNumber: 'PO1', lines: [], packages: [{ sscc, lines: [] }, { lines: [] }] }],
  };
}

const ssccOf = (document: Record<string, unknown>): unknown =>
  (document['orders'] as { packages: { sscc?: unknown }[] }[])[0]!.packages[0]!.sscc;

describe('REST request bodies: the SSCC as a barcode reads it', () => {
  test('a package sscc with its application identifier 00 is stored as the SSCC-18, and then validates', () => {
    const sent = notice(`00${SSCC}`);
    assert.equal(validateCanonical('ShipmentNotice', sent).valid, false, 'the stored form is 18 digits');
    const normalized = normalizeRequestBody('ShipmentNotice', sent);
    assert.equal(ssccOf(normalized), SSCC);
    assert.deepEqual(validateCanonical('ShipmentNotice', normalized).errors, []);
    assert.equal(ssccOf(sent), `00${SSCC}`, 'the request body itself is not changed');
  });

  test('other values pass through as sent, for the schema to refuse by pointer', () => {
    for (const sscc of [SSCC, `11${SSCC}`, `0${SSCC}`, '', 42]) {
      assert.equal(ssccOf(normalizeRequestBody('ShipmentNotice', notice(sscc))), sscc);
    }
    const errors = validateCanonical(
      'ShipmentNotice',
      normalizeRequestBody('ShipmentNotice', notice(`11${SSCC}`)),
    ).errors;
    assert.deepEqual(
      errors.map((e) => e.pointer),
      ['/orders/0/packages/0/sscc'],
    );
  });

  test('bodies of other shapes and other document types are left alone', () => {
    for (const body of [{ orders: 'none' }, { orders: [null, { packages: 'x' }, { packages: [7] }] }]) {
      assert.deepEqual(normalizeRequestBody('ShipmentNotice', body), body);
    }
    const confirmation = { packages: [{ sscc: `00${SSCC}` }] };
    assert.equal(normalizeRequestBody('FulfillmentConfirmation', confirmation), confirmation);
  });

  test('the published request schema says which SSCC forms are accepted', () => {
    type Node = { properties: Record<string, Node>; items: Node; pattern: string; description: string };
    const schema = requestSchemaOf('ShipmentNotice') as unknown as Node;
    const property = schema.properties['orders']!.items.properties['packages']!.items.properties['sscc']!;
    const pattern = new RegExp(property.pattern);
    assert.ok(pattern.test(SSCC) && pattern.test(`00${SSCC}`));
    assert.ok(!pattern.test(`11${SSCC}`) && !pattern.test(`0${SSCC}`));
    assert.match(property.description, /application identifier 00/);
  });
});
