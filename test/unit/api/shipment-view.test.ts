import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ShipmentDocument } from '../../../src/api/shipment-documents.js';
import { buildShipmentView, shipmentKeyOf } from '../../../src/api/shipment-view.js';

const notice = (receivedAt: string, extra: Record<string, unknown> = {}): ShipmentDocument => ({
  documentId: `asn-${receivedAt}`,
  partnerId: 'demo-3pl',
  documentType: 'ShipmentNotice',
  messageId: 'm1',
  receivedAt: new Date(receivedAt),
  canonical: {
    shipmentId: 'SHIP-1',
    billOfLading: 'BOL-1',
    trackingNumbers: ['1Z1'],
    carrier: { scac: 'UPSN', name: 'UPS' },
    estimatedDeliveryAt: '2026-12-01T17:00:00Z',
    orders: [{ purchaseOrderNumber: 'PO-1' }],
    references: [{ qualifier: 'CR', value: 'REF-9' }],
    ...extra,
  },
});
const event = (receivedAt: string, milestone: string, occurredAt: string, extra = {}): ShipmentDocument => ({
  documentId: `te-${receivedAt}`,
  partnerId: 'demo-carrier',
  documentType: 'TrackingEvent',
  messageId: 'm2',
  receivedAt: new Date(receivedAt),
  canonical: {
    shipmentRef: { billOfLading: 'BOL-1', purchaseOrderNumbers: ['PO-2'] },
    statusCode: 'X',
    milestone,
    occurredAt,
    ...extra,
  },
});

test('milestones in the order they happened; estimates do not move the status; the newest ETA wins', () => {
  const documents = [
    notice('2026-11-27T08:00:00Z'),
    event('2026-11-27T09:00:00Z', 'IN_TRANSIT', '2026-11-27T08:30:00Z'),
    // Arrives late but happened first.
    event('2026-11-27T09:05:00Z', 'PICKED_UP', '2026-11-27T06:00:00Z'),
    event('2026-11-27T09:10:00Z', 'ESTIMATED_DELIVERY', '2026-12-02T12:00:00Z'),
  ];
  assert.equal(shipmentKeyOf(documents), 'SHIP-1');
  const view = buildShipmentView('SHIP-1', documents);
  assert.deepEqual(
    view.milestones.map((m) => m.milestone),
    ['PICKED_UP', 'IN_TRANSIT', 'ESTIMATED_DELIVERY'],
  );
  assert.equal(view.status, 'IN_TRANSIT');
  assert.equal(view.estimatedDeliveryAt, '2026-12-02T12:00:00Z');
  assert.equal(view.trackingUrl, 'https://www.ups.com/track?tracknum=1Z1');
  assert.deepEqual(view.purchaseOrderNumbers, ['PO-1', 'PO-2']);
  assert.deepEqual(view.references, [{ qualifier: 'CR', value: 'REF-9' }]);
  assert.equal(view.deliveredAt, null);
  assert.equal(view.updatedAt, '2026-11-27T09:10:00.000Z');
});

test('delivery brings its proof; without an ASN the first identifier names the shipment', () => {
  const documents = [
    event('2026-11-28T10:00:00Z', 'DELIVERED', '2026-11-28T09:55:00Z', {
      proofOfDelivery: { signedBy: 'J. SMITH' },
      carrier: { scac: 'ZZZZ' },
    }),
  ];
  assert.equal(shipmentKeyOf(documents), 'BOL-1');
  const view = buildShipmentView('BOL-1', documents);
  assert.equal(view.status, 'DELIVERED');
  assert.equal(view.deliveredAt, '2026-11-28T09:55:00Z');
  assert.deepEqual(view.proofOfDelivery, { signedBy: 'J. SMITH' });
  assert.equal(view.trackingUrl, null, 'no guessed URL for an unknown carrier');
  assert.equal(view.shipmentId, null);
});
