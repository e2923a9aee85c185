/**
 * A 3PL shipping one order in two shipments sends two confirmations before anyone validates the
 * delivery in Odoo: the shipped quantities add up, each confirmation counted once, even when a
 * confirmation's answer was lost and it is delivered again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import { sampleFulfillmentConfirmation } from '../../support/odoo/canonical-samples.js';
import { withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

const odoo = withSimulatedOdoo();

const first = sampleFulfillmentConfirmation({
  shipmentId: '3PL-SHIP-1',
  trackingNumbers: ['1ZSPLIT0001'],
  lines: [
    { lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 5, unit: 'EA' } },
    { lineNumber: '2', sku: 'SKU-002', quantityShipped: { value: 20, unit: 'EA' } },
  ],
});
const second = sampleFulfillmentConfirmation({
  shipmentId: '3PL-SHIP-2',
  trackingNumbers: ['1ZSPLIT0002'],
  lines: [{ lineNumber: '1', sku: 'SKU-002', quantityShipped: { value: 18, unit: 'EA' } }],
});

function shippedOf(pickingId: number): Record<string, number> {
  const db = odoo.sim.state.db('demo');
  const sku = new Map(db.records('product.product').map((p) => [p.id, String(p['default_code'])]));
  return Object.fromEntries(
    db
      .records('stock.move')
      .filter((m) => m['picking_id'] === pickingId && m['picked'] === true)
      .map((m) => [sku.get(m['product_id'] as number)!, m['quantity'] as number]),
  );
}

test('two shipments of one order add up on its delivery', async () => {
  const one = await deliverToOdoo(odoo.client, 'demo', first);
  const two = await deliverToOdoo(odoo.client, 'demo', second);
  assert.equal(two.id, one.id, 'the same open delivery');
  assert.deepEqual(shippedOf(one.id), { 'SKU-001': 5, 'SKU-002': 38 });
  // Each redelivered: nothing counted twice.
  await deliverToOdoo(odoo.client, 'demo', first);
  await deliverToOdoo(odoo.client, 'demo', second);
  assert.deepEqual(shippedOf(one.id), { 'SKU-001': 5, 'SKU-002': 38 });
});

test('the second shipment cut after its quantities were written counts once when delivered again', async () => {
  const one = await deliverToOdoo(odoo.client, 'demo', first);
  odoo.sim.setFault({ mode: 'lostReply', model: 'stock.move', method: 'write', count: 1 });
  const cut = await odooFailure(deliverToOdoo(odoo.client, 'demo', second));
  assert.equal(cut.kind, 'retryable');
  await deliverToOdoo(odoo.client, 'demo', second);
  assert.deepEqual(shippedOf(one.id), { 'SKU-001': 5, 'SKU-002': 38 });
});
