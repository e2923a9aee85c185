/**
 * A carrier re-billing under the same invoice number with other charges: the bill Odoo holds is not
 * the one the new document describes, so the delivery must not pass as a plain "skipped".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import { sampleFreightInvoice, sampleShipmentNotice } from '../../support/odoo/canonical-samples.js';
import { withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

const odoo = withSimulatedOdoo();

const notesOn = (id: number): string[] =>
  odoo.sim.state
    .db('demo')
    .records('mail.message')
    .filter((m) => m['model'] === 'account.move' && m['res_id'] === id)
    .map((m) => String(m['body']));

test('the same invoice number with other charges is flagged and noted once, the bill left alone', async () => {
  await deliverToOdoo(odoo.client, 'demo', sampleShipmentNotice());
  const first = await deliverToOdoo(odoo.client, 'demo', sampleFreightInvoice());
  assert.deepEqual(first.flags, []);
  const rebilled = sampleFreightInvoice({
    netAmountDue: { amount: '1350.75', currency: 'USD' },
    charges: [
      {
        lineNumber: '1',
        code: '400',
        description: 'Freight',
        amount: { amount: '1250.45', currency: 'USD' },
      },
      {
        lineNumber: '2',
        code: 'FUE',
        description: 'Fuel surcharge',
        amount: { amount: '100.30', currency: 'USD' },
      },
    ],
  });
  const second = await deliverToOdoo(odoo.client, 'demo', rebilled);
  assert.equal(second.id, first.id);
  assert.equal(second.action, 'skipped');
  assert.deepEqual(second.flags, ['differs_from_existing_bill']);
  const notes = notesOn(first.id);
  assert.equal(notes.length, 1);
  assert.match(
    notes[0]!,
    /again with other charges: 1350\.75 USD \(in_invoice\); this draft bill holds 1250\.75 USD/,
  );
  const lines = odoo.sim.state
    .db('demo')
    .records('account.move.line')
    .filter((l) => l['move_id'] === first.id);
  assert.equal(lines.length, 4, 'the bill is left as Odoo holds it');
  // Delivered again, the same re-bill is still flagged but noted only once.
  const third = await deliverToOdoo(odoo.client, 'demo', rebilled);
  assert.deepEqual(third.flags, ['differs_from_existing_bill']);
  assert.equal(notesOn(first.id).length, 1);
});

test('a plain redelivery of the same invoice is not flagged', async () => {
  await deliverToOdoo(odoo.client, 'demo', sampleShipmentNotice());
  const first = await deliverToOdoo(odoo.client, 'demo', sampleFreightInvoice());
  const again = await deliverToOdoo(odoo.client, 'demo', sampleFreightInvoice());
  assert.deepEqual([again.action, again.flags], ['skipped', []]);
  assert.equal(notesOn(first.id).length, 0);
});
