/**
 * Quantities keep their unit on the way into Odoo: 2 cases of a product Odoo counts in units are
 * 24 units on the delivery, an order line for 2 cases is an order line in cases, and a unit Odoo
 * cannot convert (no mapping, or another category) stops the delivery with a business error that
 * names the line, the unit and the product, before anything is written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CanonicalDocument } from '../../../src/canonical/canonical-validator.js';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import type { OdooDeliveryOptions } from '../../../src/odoo/odoo-delivery-types.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import {
  sampleFulfillmentConfirmation,
  sampleOrder,
  sampleReturnAuthorization,
} from '../../support/odoo/canonical-samples.js';
import type { OdooClient } from '../../../src/odoo/odoo-client.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import { simulatorClient, withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

const odoo = withSimulatedOdoo();
const db = () => odoo.sim.state.db('demo');
const cases: OdooDeliveryOptions = { units: { CA: 'Case of 12' } };

function deliver(document: object, options: OdooDeliveryOptions = cases) {
  return deliverToOdoo(odoo.client, 'demo', document as CanonicalDocument, options);
}

const idOf = (model: string, field: string, value: string): number =>
  db()
    .records(model)
    .find((r) => r[field] === value)!.id;

/** Quantity and unit name of each move of ORD-1001's delivery, by SKU. */
function ord1001Moves(): Record<string, [number, boolean, string]> {
  const order = idOf('sale.order', 'client_order_ref', 'ORD-1001');
  const picking = db()
    .records('stock.picking')
    .find((p) => p['sale_id'] === order)!.id;
  const sku = new Map(
    db()
      .records('product.product')
      .map((p) => [p.id, String(p['default_code'])]),
  );
  const unit = new Map(
    db()
      .records('uom.uom')
      .map((u) => [u.id, String(u['name'])]),
  );
  return Object.fromEntries(
    db()
      .records('stock.move')
      .filter((m) => m['picking_id'] === picking)
      .map((m) => [
        sku.get(m['product_id'] as number)!,
        [m['quantity'] as number, m['picked'] as boolean, unit.get(m['product_uom'] as number)!],
      ]),
  );
}

describe('a fulfilment confirmation counts each line in its move’s unit', () => {
  test('2 cases (CA, a tenant unit of 12) of SKU-001 become 24 units; a dozen and 3 each add up to 15', async () => {
    await deliver(
      sampleFulfillmentConfirmation({
        lines: [
          { lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 2, unit: 'CA' } },
          { lineNumber: '2', sku: 'SKU-002', quantityShipped: { value: 1, unit: 'dz' } },
          { lineNumber: '3', sku: 'SKU-002', quantityShipped: { value: 3, unit: 'EA' } },
        ],
      }),
    );
    assert.deepEqual(ord1001Moves(), {
      'SKU-001': [24, true, 'Units'],
      'SKU-002': [15, true, 'Units'],
    });
    const note = db()
      .records('mail.message')
      .find((m) => String(m['body']).includes('3PL-SHIP-1'))!;
    assert.match(String(note['body']), /SKU-001: 2 CA/);
  });

  test('the normalized unit is used when the unit as sent is unknown', async () => {
    await deliver(
      sampleFulfillmentConfirmation({
        lines: [
          {
            lineNumber: '1',
            sku: 'SKU-001',
            quantityShipped: { value: 1, unit: 'DOZ', unitNormalized: 'DZ' },
          },
        ],
      }),
    );
    assert.deepEqual(ord1001Moves()['SKU-001'], [12, true, 'Units']);
  });

  test('kilograms of a product counted in units: refused, naming line, unit and product; nothing written', async () => {
    const before = ord1001Moves();
    const messages = db().count('mail.message');
    const error = await odooFailure(
      deliver(
        sampleFulfillmentConfirmation({
          lines: [
            { lineNumber: '1', sku: 'SKU-002', quantityShipped: { value: 4, unit: 'EA' } },
            { lineNumber: '2', sku: 'SKU-001', quantityShipped: { value: 3, unit: 'KG' } },
          ],
        }),
      ),
    );
    assert.equal(error.kind, 'business');
    assert.match(error.message, /^line 2 \(SKU-001\): 3 KG cannot be counted in Units/);
    assert.match(error.message, /kg is a unit of Weight and Units of Unit/);
    assert.deepEqual(ord1001Moves(), before);
    assert.equal(db().count('mail.message'), messages, 'no ledger note either');
  });

  test('an ambiguous code is read as the EDI maps normalized it: X12 "L" with LB is pounds, not litres', async () => {
    const error = await odooFailure(
      deliver(
        sampleFulfillmentConfirmation({
          lines: [
            {
              lineNumber: '1',
              sku: 'SKU-001',
              quantityShipped: { value: 2, unit: 'L', unitNormalized: 'LB' },
            },
          ],
        }),
      ),
    );
    assert.match(
      error.message,
      /^line 1 \(SKU-001\): 2 L cannot be counted in Units.*: lb is a unit of Weight/,
    );
  });

  test('a unit the tenant has not mapped (CA without odoo.delivery.units): refused, saying what to configure', async () => {
    const before = ord1001Moves();
    const error = await odooFailure(
      deliver(
        sampleFulfillmentConfirmation({
          lines: [{ lineNumber: '7', sku: 'SKU-001', quantityShipped: { value: 2, unit: 'CA' } }],
        }),
        {},
      ),
    );
    assert.equal(error.kind, 'business');
    assert.match(error.message, /^line 7 \(SKU-001\): no Odoo unit of measure for unit "CA"/);
    assert.match(error.message, /odoo\.delivery\.units/);
    assert.deepEqual(ord1001Moves(), before);
  });

  test('a tenant unit Odoo does not have: refused, naming the unit the tenant file gave', async () => {
    const error = await odooFailure(
      deliver(
        sampleFulfillmentConfirmation({
          lines: [{ lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 2, unit: 'CA' } }],
        }),
        { units: { CA: 'Case of 24' } },
      ),
    );
    assert.equal(error.kind, 'business');
    assert.match(error.message, /line 1 \(SKU-001\): unit "CA" is the Odoo unit "Case of 24"/);
  });

  test('a tenant unit whose name two Odoo units share: refused as ambiguous, not the last one read', async () => {
    const [weight] = db().search('uom.category', [['name', '=', 'Weight']]);
    db().create('uom.uom', { name: 'Case of 12', category_id: weight, factor: 1 / 12, rounding: 1 });
    const before = ord1001Moves();
    const error = await odooFailure(
      deliver(
        sampleFulfillmentConfirmation({
          lines: [{ lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 2, unit: 'CA' } }],
        }),
      ),
    );
    assert.equal(error.kind, 'business');
    assert.match(
      error.message,
      /^line 1 \(SKU-001\): unit "CA" is the Odoo unit "Case of 12" .* but Odoo has 2 active units of that name \(id \d+, Unit, id \d+, Weight\)/,
    );
    assert.deepEqual(ord1001Moves(), before);
  });

  test('13 EA into a move counted in cases of 12: refused, never written as 2 cases', async () => {
    const caseOf12 = idOf('uom.uom', 'name', 'Case of 12');
    const order = idOf('sale.order', 'client_order_ref', 'ORD-1001');
    const picking = db()
      .records('stock.picking')
      .find((p) => p['sale_id'] === order)!.id;
    const sku1 = idOf('product.product', 'default_code', 'SKU-001');
    const move = db()
      .records('stock.move')
      .find((m) => m['picking_id'] === picking && m['product_id'] === sku1)!;
    db().write('stock.move', [move.id], { product_uom: caseOf12 });
    const error = await odooFailure(
      deliver(
        sampleFulfillmentConfirmation({
          lines: [{ lineNumber: '2', sku: 'SKU-001', quantityShipped: { value: 13, unit: 'EA' } }],
        }),
      ),
    );
    assert.equal(error.kind, 'business');
    assert.equal(
      error.message,
      'line 2 (SKU-001): 13 EA is 1.083 Case of 12, which Odoo cannot record (rounding 1)',
    );
    assert.deepEqual(ord1001Moves()['SKU-001'], [0, false, 'Case of 12']);
  });
});

describe('new orders and returns are written in the line’s unit, which Odoo converts', () => {
  test('an order for 2 cases is a line of 2 "Case of 12"; once confirmed, its delivery counts 24 units', async () => {
    await deliver(
      sampleOrder({
        orderNumber: 'WEB-CASES',
        lines: [{ lineNumber: '1', sku: 'SKU-001', quantity: { value: 2, unit: 'CA' } }],
      }),
      { ...cases, confirmOrders: true },
    );
    const order = idOf('sale.order', 'client_order_ref', 'WEB-CASES');
    const caseOf12 = idOf('uom.uom', 'name', 'Case of 12');
    const units = idOf('uom.uom', 'name', 'Units');
    const [line] = db()
      .records('sale.order.line')
      .filter((l) => l['order_id'] === order);
    assert.equal(line!['product_uom_qty'], 2);
    assert.equal(line!['product_uom'], caseOf12);
    const picking = db()
      .records('stock.picking')
      .find((p) => p['sale_id'] === order)!;
    const [move] = db()
      .records('stock.move')
      .filter((m) => m['picking_id'] === picking.id);
    assert.deepEqual([move!['product_uom_qty'], move!['product_uom']], [24, units]);
  });

  test('a redelivered order in another unit is flagged as differing, not taken as the same', async () => {
    const original = sampleOrder({
      orderNumber: 'WEB-UNIT-CHANGE',
      lines: [{ lineNumber: '1', sku: 'SKU-001', quantity: { value: 2, unit: 'EA' } }],
    });
    await deliver(original);
    const again = await deliver({
      ...original,
      lines: [{ lineNumber: '1', sku: 'SKU-001', quantity: { value: 2, unit: 'CA' } }],
    });
    assert.deepEqual(again.flags, ['differs_from_existing_order']);
  });

  test('an order in pounds of a product counted in units: refused before any sale.order is created', async () => {
    const orders = db().count('sale.order');
    const error = await odooFailure(
      deliver(
        sampleOrder({
          orderNumber: 'WEB-POUNDS',
          lines: [
            { lineNumber: '1', sku: 'SKU-002', quantity: { value: 5, unit: 'EA' } },
            { lineNumber: '2', sku: 'SKU-001', quantity: { value: 5, unit: 'LB' } },
          ],
        }),
      ),
    );
    assert.equal(error.kind, 'business');
    assert.match(
      error.message,
      /^line 2 \(SKU-001\): 5 LB cannot be counted in Units, the unit of SKU-001 in Odoo/,
    );
    assert.equal(db().count('sale.order'), orders);
  });

  test('a return of a dozen is a return move of 1 Dozens', async () => {
    await deliver(
      sampleReturnAuthorization({ lines: [{ sku: 'SKU-001', quantity: { value: 1, unit: 'DZ' } }] }),
    );
    const picking = idOf('stock.picking', 'origin', 'RMA-7001');
    const [move] = db()
      .records('stock.move')
      .filter((m) => m['picking_id'] === picking);
    assert.deepEqual(
      [move!['product_uom_qty'], move!['product_uom']],
      [1, idOf('uom.uom', 'name', 'Dozens')],
    );
  });
});

describe('an Odoo whose units have no categories (19.0): only quantities in the move’s own unit go in', () => {
  let sim: RunningOdooSimulator;
  let client: OdooClient;
  before(async () => {
    sim = await startOdooSimulator({ port: 0, serverVersion: '19.0' });
    client = simulatorClient(sim, 'json2');
  });
  after(async () => {
    await client?.close();
    await sim?.stop();
  });
  const picked = () =>
    sim.state
      .db('demo')
      .records('stock.move')
      .filter((m) => m['picked'] === true)
      .map((m) => m['quantity']);

  test('each and units: written as ever; cases: refused, not guessed, with what to send', async () => {
    const each = sampleFulfillmentConfirmation({
      lines: [{ lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 5, unit: 'EA' } }],
    });
    await deliverToOdoo(client, 'demo', each as CanonicalDocument, cases);
    assert.deepEqual(picked(), [5]);

    const error = await odooFailure(
      deliverToOdoo(
        client,
        'demo',
        sampleFulfillmentConfirmation({
          shipmentId: '3PL-SHIP-2',
          lines: [{ lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 2, unit: 'CA' } }],
        }) as CanonicalDocument,
        cases,
      ),
    );
    assert.equal(error.kind, 'business');
    assert.match(error.message, /^line 1 \(SKU-001\): 2 CA is in Case of 12, not in Units/);
    assert.match(error.message, /no categories/);
    assert.deepEqual(picked(), [5]);
  });

  test('an order in the product’s own unit is written without a unit field, as before', async () => {
    const result = await deliverToOdoo(client, 'demo', sampleOrder() as CanonicalDocument, cases);
    assert.equal(result.action, 'created');
    const created = sim.state.requestLog.find((e) => e.model === 'sale.order' && e.method === 'create')!;
    assert.doesNotMatch(created.body, /product_uom"/);
  });
});

describe('an Odoo without the Sales app', () => {
  let sim: RunningOdooSimulator;
  let client: OdooClient;
  before(async () => {
    sim = await startOdooSimulator({ port: 0, uninstalledModels: ['sale.order', 'sale.order.line'] });
    client = simulatorClient(sim, 'jsonrpc');
  });
  after(async () => {
    await client?.close();
    await sim?.stop();
  });

  test('a return in another unit is written, asking only the models a return needs', async () => {
    const result = await deliverToOdoo(
      client,
      'demo',
      sampleReturnAuthorization({
        lines: [{ sku: 'SKU-001', quantity: { value: 1, unit: 'DZ' } }],
      }) as CanonicalDocument,
      cases,
    );
    assert.equal(result.action, 'created');
    const [move] = sim.state
      .db('demo')
      .records('stock.move')
      .filter((m) => m['picking_id'] === result.id);
    const dozens = sim.state
      .db('demo')
      .records('uom.uom')
      .find((u) => u['name'] === 'Dozens')!.id;
    assert.deepEqual([move!['product_uom_qty'], move!['product_uom']], [1, dozens]);
    assert.equal(
      sim.state.requestLog.some((e) => e.body.includes('"sale.order.line"')),
      false,
    );
  });
});
