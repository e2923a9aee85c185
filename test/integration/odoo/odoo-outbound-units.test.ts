/**
 * The outbound ShipmentNotice made from a done Odoo delivery says what was shipped in the unit Odoo
 * counted it in (2.5 kg is not 2.5 EA), with the tenant's own code for its units, and reads shipped
 * quantities from `quantity_done` on an Odoo 16.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OdooDeliverySettings } from '../../../src/tenancy/tenant-definition.js';
import type { OdooClient } from '../../../src/odoo/odoo-client.js';
import { shipmentNoticeFromPicking } from '../../../src/odoo/picking-to-shipment-notice.js';
import type { SimDatabase } from '../../../src/odoo/simulator/sim-database.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import { simulatorClient, withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

/** A done delivery of `quantity` of a new product counted in `uomName`. */
function shipped(db: SimDatabase, uomName: string, quantity: number, field = 'quantity'): number {
  const [uom] = db.search('uom.uom', [['name', '=', uomName]]);
  const [partner] = db.search('res.partner', [['ref', '=', 'demo-retail']]);
  const product = db.create('product.product', {
    name: `Sold in ${uomName}`,
    default_code: `P-${uomName}`,
    uom_id: uom,
  });
  const order = db.create('sale.order', {
    partner_id: partner,
    client_order_ref: `ORD-${uomName}`,
    order_line: [[0, 0, { product_id: product, product_uom_qty: quantity, price_unit: 1 }]],
  });
  db.actionConfirm([order]);
  const [picking] = db.search('stock.picking', [['sale_id', '=', order]]);
  const [move] = db.search('stock.move', [['picking_id', '=', picking!]]);
  db.write(
    'stock.move',
    [move!],
    field === 'quantity' ? { quantity, picked: true } : { quantity_done: quantity },
  );
  db.buttonValidate([picking!]);
  return picking!;
}

async function shippedUnits(client: OdooClient, picking: number, delivery?: OdooDeliverySettings) {
  const asn = await shipmentNoticeFromPicking(client, picking, {
    tenantId: 'demo',
    partnerId: 'demo-customer',
    environment: 'production',
    ...(delivery ? { delivery } : {}),
  });
  return asn.orders[0]!.lines.map((l) => l.quantityShipped);
}

describe('an outbound ASN on Odoo 17', () => {
  const odoo = withSimulatedOdoo();

  test('a product counted in kg ships in KG', async () => {
    const picking = shipped(odoo.sim.state.db('demo'), 'kg', 2.5);
    assert.deepEqual(await shippedUnits(odoo.client, picking), [{ value: 2.5, unit: 'KG' }]);
  });

  test("a unit of the company's own is sent with the tenant's code for it", async () => {
    const picking = shipped(odoo.sim.state.db('demo'), 'Case of 12', 3);
    assert.deepEqual(await shippedUnits(odoo.client, picking, { units: { CA: 'Case of 12' } }), [
      { value: 3, unit: 'CA' },
    ]);
  });

  test('a unit of its own the tenant gave no code: refused here, saying what to map, not sent by its Odoo name', async () => {
    const picking = shipped(odoo.sim.state.db('demo'), 'Case of 12', 3);
    const error = await odooFailure(shippedUnits(odoo.client, picking));
    assert.equal(error.kind, 'business');
    assert.match(error.message, /\(P-Case of 12\): the Odoo unit "Case of 12" has no unit code for partners/);
    assert.match(
      error.message,
      /map "Case of 12" under odoo\.delivery\.units \(a code of at most 2 characters for X12/,
    );
  });

  test('two tenant codes for one unit: the one X12 can hold is sent; two that fit are refused as ambiguous', async () => {
    const picking = shipped(odoo.sim.state.db('demo'), 'Case of 12', 3);
    assert.deepEqual(
      await shippedUnits(odoo.client, picking, { units: { CASE: 'Case of 12', CA: 'Case of 12' } }),
      [{ value: 3, unit: 'CA' }],
    );
    const error = await odooFailure(
      shippedUnits(odoo.client, picking, { units: { CA: 'Case of 12', CS: 'Case of 12' } }),
    );
    assert.equal(error.kind, 'business');
    assert.match(error.message, /"Case of 12" has several codes under odoo\.delivery\.units \(CA, CS\)/);
  });
});

describe('an outbound ASN on Odoo 16', () => {
  let sim: RunningOdooSimulator;
  let client: OdooClient;
  before(async () => {
    sim = await startOdooSimulator({ port: 0, serverVersion: '16.0' });
    client = simulatorClient(sim);
  });
  after(async () => {
    await client?.close();
    await sim?.stop();
  });

  test('shipped quantities are read from quantity_done', async () => {
    const picking = shipped(sim.state.db('demo'), 'Units', 4, 'quantity_done');
    assert.deepEqual(await shippedUnits(client, picking, { moveQuantityField: 'quantity_done' }), [
      { value: 4, unit: 'EA' },
    ]);
  });
});
