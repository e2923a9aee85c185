/** Odoo → partners in batch mode: polling done deliveries by write_date, then building outbound ASNs. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { validateCanonical } from '../../../src/canonical/canonical-validator.js';
import type { OdooClient } from '../../../src/odoo/odoo-client.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import {
  INITIAL_ODOO_CURSOR,
  pollOdooChanges,
  type OdooChangeCursor,
  type OdooChangePollOptions,
} from '../../../src/odoo/odoo-change-poller.js';
import { shipmentNoticeFromPicking } from '../../../src/odoo/picking-to-shipment-notice.js';
import type { SimDatabase } from '../../../src/odoo/simulator/sim-database.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';

let sim: RunningOdooSimulator;
let client: OdooClient;
const clock = { at: new Date('2026-11-27T09:30:00.000Z') };

before(async () => {
  sim = await startOdooSimulator({ port: 0 });
  client = createOdooClient({
    url: sim.url,
    database: 'demo',
    login: 'crossdock-bot',
    apiKeyRef: '',
    apiKey: 'demo-odoo-key',
    protocol: 'json2',
  });
});
beforeEach(() => {
  sim.reset();
  clock.at = new Date('2026-11-27T09:30:00.000Z');
  sim.state.db('demo').now = () => clock.at;
});
after(async () => {
  await client.close();
  await sim.stop();
});

const doneDeliveries: OdooChangePollOptions = {
  model: 'stock.picking',
  domain: [
    ['picking_type_code', '=', 'outgoing'],
    ['state', '=', 'done'],
  ],
  fields: ['name', 'origin', 'carrier_tracking_ref'],
  limit: 2,
  pageSize: 3,
};

/** A confirmed customer order whose delivery is then validated; returns the delivery id. */
function shipOrder(db: SimDatabase, ref: string, tracking: string): number {
  const [partner] = db.search('res.partner', [['ref', '=', 'demo-retail']]);
  const [product] = db.search('product.product', [['default_code', '=', 'SKU-001']]);
  const order = db.create('sale.order', {
    partner_id: partner,
    client_order_ref: ref,
    order_line: [[0, 0, { product_id: product, product_uom_qty: 4, price_unit: 12.5 }]],
  });
  db.actionConfirm([order]);
  const [picking] = db.search('stock.picking', [['sale_id', '=', order]]);
  const [move] = db.search('stock.move', [['picking_id', '=', picking!]]);
  db.write('stock.move', [move!], { quantity: 4, picked: true });
  db.write('stock.picking', [picking!], { carrier_tracking_ref: tracking });
  db.buttonValidate([picking!]);
  return picking!;
}

/** Polls until nothing new comes, storing the cursor as JSON between polls as a restart would. */
async function drain(
  start: OdooChangeCursor,
): Promise<{ ids: number[]; cursor: OdooChangeCursor; polls: number }> {
  let stored = JSON.stringify(start);
  const ids: number[] = [];
  for (let polls = 1; ; polls++) {
    const { records, cursor } = await pollOdooChanges(
      client,
      doneDeliveries,
      JSON.parse(stored) as OdooChangeCursor,
    );
    stored = JSON.stringify(cursor);
    ids.push(...records.map((r) => r.id));
    if (records.length === 0) return { ids, cursor: JSON.parse(stored) as OdooChangeCursor, polls };
  }
}

describe('pollOdooChanges', () => {
  test('five deliveries done in the same second come out once each, across restarts, two per poll', async () => {
    const db = sim.state.db('demo');
    const shipped = ['A', 'B', 'C', 'D', 'E'].map((ref) => shipOrder(db, `ORD-${ref}`, `1Z${ref}`));
    const writeDates = db.read('stock.picking', shipped, ['write_date']).map((r) => r['write_date']);
    assert.equal(new Set(writeDates).size, 1, 'all in one second as Odoo reads it');

    const { ids, cursor, polls } = await drain(INITIAL_ODOO_CURSOR);
    assert.deepEqual(ids, shipped);
    assert.equal(polls, 4);
    assert.equal(cursor.since, '2026-11-27 09:30:00');
    assert.deepEqual((await pollOdooChanges(client, doneDeliveries, cursor)).records, []);
  });

  test('a change committed late with an older write_date is still caught (look-back window)', async () => {
    const db = sim.state.db('demo');
    const first = shipOrder(db, 'ORD-1', '1Z1');
    clock.at = new Date('2026-11-27T09:35:00.000Z');
    const second = shipOrder(db, 'ORD-2', '1Z2');
    const { cursor } = await drain(INITIAL_ODOO_CURSOR);
    assert.equal(cursor.since, '2026-11-27 09:35:00');

    // A transaction that started at 09:33 commits now.
    clock.at = new Date('2026-11-27T09:33:00.000Z');
    const late = shipOrder(db, 'ORD-LATE', '1ZL');
    const next = await drain(cursor);
    assert.deepEqual(next.ids, [late]);
    assert.ok(![first, second].some((id) => next.ids.includes(id)));
  });

  test('a record changed again within the same second is handed out again, as it is now', async () => {
    const db = sim.state.db('demo');
    const picking = shipOrder(db, 'ORD-X', '1ZX');
    const { cursor } = await drain(INITIAL_ODOO_CURSOR);
    db.write('stock.picking', [picking], { carrier_tracking_ref: '1ZX-CORRECTED' });
    const { records } = await pollOdooChanges(client, doneDeliveries, cursor);
    assert.deepEqual(
      records.map((r) => [r.id, r['carrier_tracking_ref']]),
      [[picking, '1ZX-CORRECTED']],
    );
  });
});

describe('shipmentNoticeFromPicking', () => {
  test('a done delivery becomes a valid outbound ShipmentNotice', async () => {
    const db = sim.state.db('demo');
    const picking = shipOrder(db, 'ORD-ASN', '1Z999AA10123456784, 1Z999AA10123456785');
    const asn = await shipmentNoticeFromPicking(client, picking, {
      tenantId: 'demo',
      partnerId: 'demo-customer',
      environment: 'production',
      now: () => clock.at,
    });
    assert.deepEqual(validateCanonical('ShipmentNotice', asn).errors, []);
    const [row] = db.read('stock.picking', [picking], ['name', 'write_date']);
    assert.equal(asn.shipmentId, row?.['name']);
    assert.equal(asn.shippedAt, '2026-11-27T09:30:00Z');
    assert.deepEqual(asn.trackingNumbers, ['1Z999AA10123456784', '1Z999AA10123456785']);
    assert.equal(asn.source.channel, 'odoo');
    assert.equal(asn.source.messageId, `odoo:demo:stock.picking:${picking}:${String(row?.['write_date'])}`);
    assert.deepEqual(asn.parties, [
      { role: 'shipTo', name: 'Demo Retail Customer', ids: [{ qualifier: '92', value: 'demo-retail' }] },
    ]);
    assert.deepEqual(asn.orders, [
      {
        purchaseOrderNumber: 'ORD-ASN',
        packages: [],
        lines: [
          {
            lineNumber: '1',
            sku: 'SKU-001',
            ids: [{ qualifier: 'VP', value: 'SKU-001' }],
            description: 'Blue widget',
            quantityShipped: { value: 4, unit: 'EA' },
          },
        ],
      },
    ]);
  });

  test('a delivery that is not done is refused', async () => {
    const db = sim.state.db('demo');
    const [open] = db.search('stock.picking', [
      ['picking_type_code', '=', 'outgoing'],
      ['state', '=', 'assigned'],
    ]);
    await assert.rejects(
      shipmentNoticeFromPicking(client, open!, {
        tenantId: 'demo',
        partnerId: 'demo-customer',
        environment: 'production',
      }),
      { kind: 'business', message: /not a done delivery/ },
    );
  });
});
