/**
 * A return authorization is sent again as it moves on (APPROVED, then REJECTED or RECEIVED): each
 * new status reaches the return picking in Odoo once, and a rejection is flagged, because Odoo keeps
 * expecting the goods until someone cancels the receipt.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import { sampleReturnAuthorization } from '../../support/odoo/canonical-samples.js';
import { withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

const odoo = withSimulatedOdoo();

const notesOn = (id: number): string[] =>
  odoo.sim.state
    .db('demo')
    .records('mail.message')
    .filter((m) => m['model'] === 'stock.picking' && m['res_id'] === id)
    .map((m) => String(m['body']));

test('a return rejected after its approval: noted once on the return picking and flagged', async () => {
  const approved = await deliverToOdoo(odoo.client, 'demo', sampleReturnAuthorization());
  assert.equal(approved.action, 'created');
  assert.deepEqual(approved.flags, []);
  const rejected = await deliverToOdoo(
    odoo.client,
    'demo',
    sampleReturnAuthorization({ status: 'REJECTED' }),
  );
  assert.deepEqual(
    [rejected.id, rejected.action, rejected.flags],
    [approved.id, 'updated', ['return_rejected']],
  );
  const notes = notesOn(approved.id);
  assert.equal(notes.length, 2);
  assert.ok(notes.some((n) => /RMA-7001 \(REJECTED\)/.test(n)));
  const again = await deliverToOdoo(odoo.client, 'demo', sampleReturnAuthorization({ status: 'REJECTED' }));
  assert.deepEqual([again.action, again.flags], ['skipped', ['return_rejected']]);
  assert.equal(notesOn(approved.id).length, 2, 'the same status is noted once');
  assert.equal(
    odoo.sim.state
      .db('demo')
      .records('stock.picking')
      .filter((p) => p['origin'] === 'RMA-7001').length,
    1,
  );
});
