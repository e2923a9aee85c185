/**
 * Money on orders: Odoo reads every price_unit in the order's currency, which comes from the
 * customer's pricelist (the company's currency without one), never from the document. An order
 * priced in another currency must be refused by name, not booked with its amounts silently changed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import { sampleOrder } from '../../support/odoo/canonical-samples.js';
import { withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

const odoo = withSimulatedOdoo();

const eurOrder = sampleOrder({
  orderNumber: 'EU-77',
  lines: [
    {
      lineNumber: '1',
      sku: 'SKU-001',
      quantity: { value: 2, unit: 'EA' },
      unitPrice: { amount: '99.90', currency: 'EUR' },
    },
  ],
});
const orders = (ref: string): Record<string, unknown>[] =>
  odoo.sim.state
    .db('demo')
    .records('sale.order')
    .filter((o) => o['client_order_ref'] === ref);

test('an order priced in EUR for a customer Odoo prices in USD is refused by name, nothing left behind', async () => {
  const error = await odooFailure(deliverToOdoo(odoo.client, 'demo', eurOrder));
  assert.equal(error.kind, 'business');
  assert.match(error.message, /EU-77 is priced in EUR but Odoo prices .* in USD/);
  assert.match(error.message, /pricelist/);
  assert.equal(orders('EU-77').length, 0, 'no order with EUR amounts read as USD');
  assert.equal(
    odoo.sim.state
      .db('demo')
      .records('sale.order.line')
      .filter((l) => l['price_unit'] === 99.9).length,
    0,
  );
});

test('a draft an earlier attempt left in the wrong currency is not adopted', async () => {
  // As if an attempt created it and died before its check: same customer, same client_order_ref.
  const partner = odoo.sim.state
    .db('demo')
    .records('res.partner')
    .find((p) => p['ref'] === 'demo-retail')!;
  odoo.sim.state.db('demo').create('sale.order', { partner_id: partner.id, client_order_ref: 'EU-77' });
  const error = await odooFailure(deliverToOdoo(odoo.client, 'demo', eurOrder));
  assert.equal(error.kind, 'business');
  assert.match(error.message, /priced in EUR/);
  assert.equal(orders('EU-77').length, 0);
  assert.equal(
    odoo.sim.state
      .db('demo')
      .records('ir.model.data')
      .filter((x) => String(x['name']).startsWith('order_')).length,
    0,
    'no external id binds it',
  );
});

test('an order in the currency Odoo prices it in is created as before', async () => {
  const usd = await deliverToOdoo(odoo.client, 'demo', sampleOrder());
  assert.equal(usd.action, 'created');
});

test('an order resent with another quantity is flagged and noted once, the order left as Odoo holds it', async () => {
  const first = await deliverToOdoo(odoo.client, 'demo', sampleOrder());
  const changed = sampleOrder({
    lines: [
      {
        lineNumber: '1',
        sku: 'SKU-001',
        quantity: { value: 30, unit: 'EA' },
        unitPrice: { amount: '12.50', currency: 'USD' },
      },
      {
        lineNumber: '2',
        sku: 'SKU-002',
        quantity: { value: 100, unit: 'EA' },
        unitPrice: { amount: '0.10', currency: 'USD' },
      },
    ],
  });
  const again = await deliverToOdoo(odoo.client, 'demo', changed);
  assert.equal(again.id, first.id);
  assert.deepEqual(again.flags, ['differs_from_existing_order']);
  const notes = () =>
    odoo.sim.state
      .db('demo')
      .records('mail.message')
      .filter((m) => m['model'] === 'sale.order' && m['res_id'] === first.id);
  assert.equal(notes().length, 1);
  assert.match(String(notes()[0]!['body']), /SKU-001: 30 EA at 12\.50 USD/);
  assert.equal((await deliverToOdoo(odoo.client, 'demo', changed)).flags.length, 1);
  assert.equal(notes().length, 1, 'noted once');
  const plain = await deliverToOdoo(odoo.client, 'demo', sampleOrder());
  assert.deepEqual(plain.flags, [], 'the same order again is not flagged');
});
