/**
 * Odoo rounds a bill's amounts to its currency's decimal places. Those, as the tenant's Odoo has
 * them, decide whether an amount can be sent exactly: a charge with cents in a currency without
 * minor units (the CFA franc) must be refused by name, not rounded by Odoo.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import { sampleFreightInvoice } from '../../support/odoo/canonical-samples.js';
import { withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

const odoo = withSimulatedOdoo((sim) => {
  sim.state.db('demo').create('res.currency', { name: 'XOF', symbol: 'F', decimal_places: 0 });
});

const xof = (amount: string) =>
  sampleFreightInvoice({
    invoiceNumber: 'XOF-1',
    netAmountDue: { amount, currency: 'XOF' },
    charges: [{ lineNumber: '1', code: '400', description: 'Freight', amount: { amount, currency: 'XOF' } }],
  });

test('a charge with cents in a currency Odoo keeps without decimals is refused, nothing written', async () => {
  const error = await odooFailure(deliverToOdoo(odoo.client, 'demo', xof('150000.50')));
  assert.equal(error.kind, 'business');
  assert.match(error.message, /150000\.50 XOF has more than 0 decimal places/);
  assert.equal(odoo.sim.state.db('demo').records('account.move').length, 0);
});

test('a whole amount in that currency is billed exactly', async () => {
  const result = await deliverToOdoo(odoo.client, 'demo', xof('150000'));
  assert.equal(result.action, 'created');
  const lines = odoo.sim.state
    .db('demo')
    .records('account.move.line')
    .filter((l) => l['move_id'] === result.id);
  assert.deepEqual(
    lines.map((l) => l['price_unit']),
    [150000],
  );
});

test('an invoice whose only reference is a PO with a cancelled receipt is flagged unmatched', async () => {
  const db = odoo.sim.state.db('demo');
  const receipt = db.records('stock.picking').find((p) => p['origin'] === 'PO-5010-1')!;
  db.write('stock.picking', [receipt.id], { state: 'cancel' });
  const {
    billOfLading: _b,
    proNumber: _p,
    shipmentId: _s,
    ...invoice
  } = sampleFreightInvoice({
    invoiceNumber: 'CANCELLED-PO-1',
    references: [{ qualifier: 'PO', value: 'PO-5010-1' }],
  });
  const result = await deliverToOdoo(odoo.client, 'demo', invoice);
  assert.ok(result.flags.includes('unmatched_shipment'), `flags: ${result.flags.join(', ')}`);
  assert.ok(!result.records.some((r) => r.id === receipt.id && r.model === 'stock.picking'));
});
