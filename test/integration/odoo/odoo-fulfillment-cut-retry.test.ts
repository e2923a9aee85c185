/**
 * A fulfilment confirmation posts its ledger note (what each move's quantity becomes) before it
 * writes the quantities. When that attempt is cut and another shipment of the order is delivered
 * before the retry, the retry must neither lose its own count nor overwrite the later shipment's:
 * the later delivery finishes the cut one first, and a retry writes only over the value it planned from.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import { sampleFulfillmentConfirmation } from '../../support/odoo/canonical-samples.js';
import { withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

const odoo = withSimulatedOdoo();

const first = sampleFulfillmentConfirmation({
  shipmentId: '3PL-CUT-1',
  trackingNumbers: ['1ZCUT0001'],
  lines: [
    { lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 5, unit: 'EA' } },
    { lineNumber: '2', sku: 'SKU-002', quantityShipped: { value: 20, unit: 'EA' } },
  ],
});
const second = sampleFulfillmentConfirmation({
  shipmentId: '3PL-CUT-2',
  trackingNumbers: ['1ZCUT0002'],
  lines: [{ lineNumber: '1', sku: 'SKU-002', quantityShipped: { value: 18, unit: 'EA' } }],
});

function movesOf(pickingId: number): Array<{ id: number; sku: string; picked: number }> {
  const db = odoo.sim.state.db('demo');
  const sku = new Map(db.records('product.product').map((p) => [p.id, String(p['default_code'])]));
  return db
    .records('stock.move')
    .filter((m) => m['picking_id'] === pickingId)
    .map((m) => ({
      id: m.id,
      sku: sku.get(m['product_id'] as number)!,
      picked: m['picked'] === true ? (m['quantity'] as number) : 0,
    }));
}

const shippedOf = (pickingId: number): Record<string, number> =>
  Object.fromEntries(movesOf(pickingId).map((m) => [m.sku, m.picked]));

function ord1001Delivery(): number {
  const db = odoo.sim.state.db('demo');
  const order = db.records('sale.order').find((o) => o['client_order_ref'] === 'ORD-1001')!;
  return db.records('stock.picking').find((p) => p['sale_id'] === order.id)!.id;
}

test('cut after its ledger note, before any quantity: a later shipment counts it first, the retry adds nothing', async () => {
  odoo.sim.setFault({ mode: 'down', model: 'stock.move', method: 'write', count: 1 });
  const cut = await odooFailure(deliverToOdoo(odoo.client, 'demo', first));
  assert.equal(cut.kind, 'retryable');
  const picking = ord1001Delivery();
  assert.deepEqual(shippedOf(picking), { 'SKU-001': 0, 'SKU-002': 0 }, 'the cut attempt wrote nothing');

  await deliverToOdoo(odoo.client, 'demo', second);
  assert.deepEqual(shippedOf(picking), { 'SKU-001': 5, 'SKU-002': 38 });
  const retried = await deliverToOdoo(odoo.client, 'demo', first);
  assert.deepEqual(shippedOf(picking), { 'SKU-001': 5, 'SKU-002': 38 });
  assert.deepEqual(retried.flags, []);
});

test('cut after its quantities, before it was bound: the later shipment adds to them, the retry leaves them', async () => {
  // The second move write commits and its answer is lost: both quantities are in Odoo, unbound.
  odoo.sim.setFault({ mode: 'lostReply', model: 'stock.move', method: 'write', skip: 1, count: 1 });
  await odooFailure(deliverToOdoo(odoo.client, 'demo', first));
  const picking = ord1001Delivery();
  assert.deepEqual(shippedOf(picking), { 'SKU-001': 5, 'SKU-002': 20 });

  await deliverToOdoo(odoo.client, 'demo', second);
  await deliverToOdoo(odoo.client, 'demo', first);
  assert.deepEqual(shippedOf(picking), { 'SKU-001': 5, 'SKU-002': 38 });
});

test('a retry whose move was changed in Odoo meanwhile leaves the change and flags it for review', async () => {
  odoo.sim.setFault({ mode: 'down', model: 'stock.move', method: 'write', count: 1 });
  await odooFailure(deliverToOdoo(odoo.client, 'demo', first));
  const picking = ord1001Delivery();
  const sku2 = movesOf(picking).find((m) => m.sku === 'SKU-002')!;
  // A warehouse user counts SKU-002 by hand before the retry.
  odoo.sim.state.db('demo').write('stock.move', [sku2.id], { quantity: 7, picked: true });

  const retried = await deliverToOdoo(odoo.client, 'demo', first);
  assert.deepEqual(shippedOf(picking), { 'SKU-001': 5, 'SKU-002': 7 });
  assert.deepEqual(retried.flags, ['quantities_changed_in_odoo']);
});

test('a confirmation dead-lettered after its ledger note is not counted by a later shipment', async () => {
  // Odoo refuses the first move write: a business error, which no retry mends.
  odoo.sim.setFault({ mode: 'validationError', model: 'stock.move', method: 'write', count: 1 });
  const refused = await odooFailure(deliverToOdoo(odoo.client, 'demo', first));
  assert.equal(refused.kind, 'business');
  const picking = ord1001Delivery();

  const later = await deliverToOdoo(odoo.client, 'demo', second);
  assert.deepEqual(shippedOf(picking), { 'SKU-001': 0, 'SKU-002': 18 });
  assert.deepEqual(later.flags, []);
});

test('a cut confirmation finished by a later shipment is flagged under its own id when Odoo changed its move', async () => {
  odoo.sim.setFault({ mode: 'down', model: 'stock.move', method: 'write', count: 1 });
  await odooFailure(deliverToOdoo(odoo.client, 'demo', first));
  const picking = ord1001Delivery();
  const sku2 = movesOf(picking).find((m) => m.sku === 'SKU-002')!;
  odoo.sim.state.db('demo').write('stock.move', [sku2.id], { quantity: 7, picked: true });

  const later = await deliverToOdoo(odoo.client, 'demo', second);
  assert.deepEqual(shippedOf(picking), { 'SKU-001': 5, 'SKU-002': 25 });
  assert.equal(later.flags.length, 1);
  assert.match(
    later.flags[0]!,
    /^quantities_changed_in_odoo:crossdock_demo\.fulfillment_ord_1001_3pl_cut_1_/,
  );
});
