/**
 * deliverToOdoo against the simulator over HTTP, on both transports: each canonical type lands on
 * the right Odoo records, a redelivery never duplicates, failures carry the right kind.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { validateCanonical } from '../../../src/canonical/canonical-validator.js';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import type { OdooClient, OdooProtocol } from '../../../src/odoo/odoo-client.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import type { SimDatabase, SimRecord } from '../../../src/odoo/simulator/sim-database.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import {
  sampleFreightInvoice,
  sampleFulfillmentConfirmation,
  sampleOrder,
  sampleReturnAuthorization,
  sampleShipmentNotice,
  sampleTrackingEvent,
} from '../../support/odoo/canonical-samples.js';

let sim: RunningOdooSimulator;
const clients = new Map<OdooProtocol, OdooClient>();

before(async () => {
  sim = await startOdooSimulator({ port: 0 });
  for (const protocol of ['jsonrpc', 'json2'] as const) {
    clients.set(
      protocol,
      createOdooClient({
        url: sim.url,
        database: 'demo',
        login: 'crossdock-bot',
        apiKeyRef: '',
        apiKey: 'demo-odoo-key',
        protocol,
      }),
    );
  }
});
beforeEach(() => sim.reset());
after(async () => {
  await Promise.all([...clients.values()].map((c) => c.close()));
  await sim.stop();
});

const db = (): SimDatabase => sim.state.db('demo');
const rows = (model: string, where: (r: SimRecord) => boolean = () => true): SimRecord[] =>
  db().records(model).filter(where);
const one = (model: string, where: (r: SimRecord) => boolean): SimRecord => {
  const found = rows(model, where);
  assert.equal(found.length, 1, `expected one ${model}, found ${found.length}`);
  return found[0]!;
};
const notesOn = (model: string, id: number): SimRecord[] =>
  rows('mail.message', (m) => m['model'] === model && m['res_id'] === id);
const partnerId = (ref: string): number => one('res.partner', (p) => p['ref'] === ref).id;
const productId = (sku: string): number => one('product.product', (p) => p['default_code'] === sku).id;
const xmlid = (complete: string): SimRecord =>
  one('ir.model.data', (r) => `${String(r['module'])}.${String(r['name'])}` === complete);

test('the samples are valid canonical documents', () => {
  for (const doc of [
    sampleOrder(),
    sampleShipmentNotice(),
    sampleTrackingEvent(),
    sampleFulfillmentConfirmation(),
    sampleFreightInvoice(),
    sampleReturnAuthorization(),
  ]) {
    assert.deepEqual(validateCanonical(doc.documentType, doc).errors, [], doc.documentType);
  }
});

for (const protocol of ['jsonrpc', 'json2'] as const) {
  const client = (): OdooClient => clients.get(protocol)!;

  describe(`deliverToOdoo over ${protocol}`, () => {
    describe('Order → sale.order', () => {
      test('creates the order with customer, ship-to and lines; a redelivery is skipped', async () => {
        const first = await deliverToOdoo(client(), 'demo', sampleOrder());
        assert.equal(first.action, 'created');
        assert.equal(first.model, 'sale.order');
        assert.match(first.externalId, /^crossdock_demo\.order_shopify_web_5001_h[0-9a-f]{10}$/);
        const order = one('sale.order', (o) => o['client_order_ref'] === 'WEB-5001');
        assert.equal(order.id, first.id);
        assert.equal(order['partner_id'], partnerId('demo-retail'));
        assert.equal(order['partner_shipping_id'], partnerId('ST042'));
        assert.equal(order['state'], 'draft');
        assert.equal(order['date_order'], '2026-11-27 09:15:00', 'the +01:00 order time is stored as UTC');
        assert.equal(order['commitment_date'], '2026-12-01 00:00:00');
        const lines = rows('sale.order.line', (l) => l['order_id'] === order.id);
        assert.deepEqual(
          lines.map((l) => [l['product_id'], l['product_uom_qty'], l['price_unit']]),
          [
            [productId('SKU-001'), 3, 12.5],
            [productId('SKU-002'), 100, 0.1],
          ],
        );
        const [read] = await client().call<Array<{ amount_total: number }>>('sale.order', 'read', {
          ids: [order.id],
          fields: ['amount_total'],
        });
        assert.equal(read?.amount_total, 47.5);
        assert.equal(xmlid(first.externalId)['res_id'], order.id);

        const again = await deliverToOdoo(client(), 'demo', sampleOrder());
        assert.deepEqual([again.action, again.id], ['skipped', first.id]);
        assert.equal(rows('sale.order', (o) => o['client_order_ref'] === 'WEB-5001').length, 1);
        assert.equal(rows('sale.order.line', (l) => l['order_id'] === order.id).length, 2);
      });

      test('confirmOrders confirms it (a delivery appears); redelivery confirms a draft left behind', async () => {
        const draft = await deliverToOdoo(client(), 'demo', sampleOrder());
        const confirmed = await deliverToOdoo(client(), 'demo', sampleOrder(), { confirmOrders: true });
        assert.deepEqual([confirmed.action, confirmed.id], ['updated', draft.id]);
        const order = one('sale.order', (o) => o.id === draft.id);
        assert.equal(order['state'], 'sale');
        const delivery = one('stock.picking', (p) => p['sale_id'] === order.id);
        assert.equal(delivery['origin'], order['name']);
        assert.equal(
          (await deliverToOdoo(client(), 'demo', sampleOrder(), { confirmOrders: true })).action,
          'skipped',
        );
      });

      test('an unknown SKU is a business error naming it, and nothing is written', async () => {
        const order = sampleOrder({
          lines: [{ lineNumber: '1', sku: 'NOPE-9', quantity: { value: 1, unit: 'EA' } }],
        });
        const error = await odooFailure(deliverToOdoo(client(), 'demo', order));
        assert.equal(error.kind, 'business');
        assert.match(error.message, /default_code "NOPE-9"/);
        assert.equal(rows('sale.order', (o) => o['client_order_ref'] === 'WEB-5001').length, 0);
      });

      test('an unknown customer is a business error', async () => {
        const order = sampleOrder({
          customer: { role: 'customer', name: 'Ghost', ids: [{ qualifier: 'account', value: 'ghost' }] },
        });
        const error = await odooFailure(deliverToOdoo(client(), 'demo', order));
        assert.equal(error.kind, 'business');
        assert.match(error.message, /res\.partner .*"ghost"/);
      });

      test('two deliveries of one order racing: the loser removes its duplicate and reports the winner', async () => {
        // The other worker binds its own order between our create and our bind.
        let raced = false;
        const racing: OdooClient = {
          protocol: client().protocol,
          database: client().database,
          close: () => client().close(),
          call: async <T>(model: string, method: string, params = {}) => {
            const name = (params as { vals_list?: Array<{ name?: string }> }).vals_list?.[0]?.name ?? '';
            // The order's external id, not the create lease taken before the create.
            if (!raced && model === 'ir.model.data' && method === 'create' && !name.startsWith('pending_')) {
              raced = true;
              const winner = db().create('sale.order', {
                partner_id: partnerId('demo-retail'),
                client_order_ref: 'WEB-5001',
              });
              const vals = (params as { vals_list: Array<Record<string, unknown>> }).vals_list[0]!;
              db().create('ir.model.data', { ...vals, res_id: winner });
            }
            return client().call<T>(model, method, params);
          },
        };
        const result = await deliverToOdoo(racing, 'demo', sampleOrder());
        const orders = rows('sale.order', (o) => o['client_order_ref'] === 'WEB-5001');
        assert.equal(orders.length, 1, 'the duplicate was removed');
        assert.deepEqual([result.action, result.id], ['skipped', orders[0]!.id]);
        const orderIds = new Set(rows('sale.order').map((o) => o.id));
        assert.deepEqual(
          rows('sale.order.line', (l) => !orderIds.has(l['order_id'] as number)),
          [],
          'its lines went with it',
        );
      });

      test('a crash between create and the external id: the redelivery adopts the order instead of duplicating it', async () => {
        const first = await deliverToOdoo(client(), 'demo', sampleOrder());
        const binding = xmlid(first.externalId);
        db().unlink('ir.model.data', [binding.id]);
        const again = await deliverToOdoo(client(), 'demo', sampleOrder());
        assert.equal(again.id, first.id);
        assert.equal(rows('sale.order', (o) => o['client_order_ref'] === 'WEB-5001').length, 1);
        assert.equal(xmlid(first.externalId)['res_id'], first.id);
      });
    });

    describe('ShipmentNotice → incoming stock.picking', () => {
      test('updates the receipt of the PO: scheduled date, tracking ref, one chatter note; redelivery skipped', async () => {
        const result = await deliverToOdoo(client(), 'demo', sampleShipmentNotice());
        const receipt = one('stock.picking', (p) => p['origin'] === 'PO778899');
        assert.deepEqual([result.model, result.id, result.action], ['stock.picking', receipt.id, 'updated']);
        assert.equal(receipt['scheduled_date'], '2026-11-30 22:00:00');
        assert.equal(receipt['carrier_tracking_ref'], 'PRO445566');
        const notes = notesOn('stock.picking', receipt.id);
        assert.equal(notes.length, 1);
        assert.match(String(notes[0]!['body']), /SHP12345.*PO778899/s);
        assert.match(String(notes[0]!['body']), /SKU-002: 2\.5 LB/);
        assert.equal(notes[0]!['message_type'], 'comment');
        assert.equal(xmlid(result.externalId)['res_id'], receipt.id);
        const references = rows('ir.model.data', (r) => String(r['name']).startsWith('shipmentref_'));
        assert.deepEqual(
          references.map((r) => [String(r['name']).replace(/_h[0-9a-f]{10}$/, ''), r['model'], r['res_id']]),
          [
            ['shipmentref_bol_bol998877', 'stock.picking', receipt.id],
            ['shipmentref_pro_pro445566', 'stock.picking', receipt.id],
            ['shipmentref_shipment_shp12345', 'stock.picking', receipt.id],
          ],
        );

        const again = await deliverToOdoo(client(), 'demo', sampleShipmentNotice());
        assert.equal(again.action, 'skipped');
        assert.equal(notesOn('stock.picking', receipt.id).length, 1);
      });

      test('a replacement ASN with a new ETA updates the date and notes the change', async () => {
        await deliverToOdoo(client(), 'demo', sampleShipmentNotice());
        const replaced = await deliverToOdoo(
          client(),
          'demo',
          sampleShipmentNotice({ purpose: 'replace', estimatedDeliveryAt: '2026-12-02T09:00:00Z' }),
        );
        assert.equal(replaced.action, 'updated');
        const receipt = one('stock.picking', (p) => p['origin'] === 'PO778899');
        assert.equal(receipt['scheduled_date'], '2026-12-02 09:00:00');
        assert.equal(notesOn('stock.picking', receipt.id).length, 2);
      });

      test('an ASN for two POs, one unknown, changes neither receipt', async () => {
        const asn = sampleShipmentNotice();
        const twoPos = {
          ...asn,
          orders: [asn.orders[0]!, { ...asn.orders[0]!, purchaseOrderNumber: 'PO-MISSING' }],
        };
        const before = one('stock.picking', (p) => p['origin'] === 'PO778899');
        const error = await odooFailure(deliverToOdoo(client(), 'demo', twoPos));
        assert.equal(error.kind, 'business');
        assert.match(error.message, /PO-MISSING/);
        const after = one('stock.picking', (p) => p['origin'] === 'PO778899');
        assert.deepEqual(
          [after['scheduled_date'], after['carrier_tracking_ref'], notesOn('stock.picking', after.id).length],
          [before['scheduled_date'], before['carrier_tracking_ref'], 0],
        );
      });

      test('a PO without an open receipt is a business error (dead letter), not a silent drop', async () => {
        const asn = sampleShipmentNotice();
        const error = await odooFailure(
          deliverToOdoo(client(), 'demo', {
            ...asn,
            orders: [{ ...asn.orders[0]!, purchaseOrderNumber: 'PO-UNKNOWN' }],
          }),
        );
        assert.equal(error.kind, 'business');
        assert.match(error.message, /no open incoming stock\.picking .*"PO-UNKNOWN"/);
        assert.equal(rows('mail.message').length, 0);
      });
    });

    describe('TrackingEvent → chatter note on the picking', () => {
      test('after the ASN, the PRO leads to the receipt; a redelivery adds nothing', async () => {
        await deliverToOdoo(client(), 'demo', sampleShipmentNotice());
        const receipt = one('stock.picking', (p) => p['origin'] === 'PO778899');
        const result = await deliverToOdoo(client(), 'demo', sampleTrackingEvent());
        assert.deepEqual([result.model, result.action], ['mail.message', 'created']);
        const notes = notesOn('stock.picking', receipt.id);
        assert.equal(notes.length, 2);
        const note = notes.find((n) => n.id === result.id)!;
        assert.match(String(note['body']), /DELIVERED \(D1\) at 2026-11-29T16:02:00-06:00/);
        assert.match(String(note['body']), /Signed by: J SMITH/);
        assert.deepEqual(result.records[1], { model: 'stock.picking', id: receipt.id, action: 'updated' });

        assert.equal((await deliverToOdoo(client(), 'demo', sampleTrackingEvent())).action, 'skipped');
        assert.equal(notesOn('stock.picking', receipt.id).length, 2);
      });

      test('without an ASN, the PO number finds the picking by origin', async () => {
        const event = sampleTrackingEvent({
          shipmentRef: { proNumber: 'PRO-NEW', purchaseOrderNumbers: ['PO-5010-1'] },
        });
        const result = await deliverToOdoo(client(), 'demo', event);
        const receipt = one('stock.picking', (p) => p['origin'] === 'PO-5010-1');
        assert.equal(notesOn('stock.picking', receipt.id).length, 1);
        assert.equal(result.records[1]?.id, receipt.id);
      });

      test('a tracking ref finds the picking by carrier_tracking_ref as a whole token only', async () => {
        const receipt = one('stock.picking', (p) => p['origin'] === 'PO-REPLACE-9');
        db().write('stock.picking', [receipt.id], { carrier_tracking_ref: 'TRK12, TRK1' });
        const other = one('stock.picking', (p) => p['origin'] === 'PO-SPOI-A');
        db().write('stock.picking', [other.id], { carrier_tracking_ref: 'TRK123' });
        await deliverToOdoo(
          client(),
          'demo',
          sampleTrackingEvent({ shipmentRef: { carrierReference: 'TRK1', purchaseOrderNumbers: [] } }),
        );
        assert.equal(notesOn('stock.picking', receipt.id).length, 1);
        assert.equal(notesOn('stock.picking', other.id).length, 0);
      });

      test('no matching picking is a business error', async () => {
        const error = await odooFailure(
          deliverToOdoo(
            client(),
            'demo',
            sampleTrackingEvent({ shipmentRef: { proNumber: 'PRO-NOWHERE', purchaseOrderNumbers: [] } }),
          ),
        );
        assert.equal(error.kind, 'business');
        assert.match(error.message, /PRO-NOWHERE/);
      });
    });

    describe('FulfillmentConfirmation → outgoing picking', () => {
      test('sets shipped quantities (quantity + picked) and the tracking ref; redelivery skipped', async () => {
        const result = await deliverToOdoo(client(), 'demo', sampleFulfillmentConfirmation());
        const order = one('sale.order', (o) => o['client_order_ref'] === 'ORD-1001');
        const delivery = one('stock.picking', (p) => p['sale_id'] === order.id);
        assert.deepEqual([result.id, result.action], [delivery.id, 'updated']);
        assert.equal(delivery['carrier_tracking_ref'], '1Z999AA10123456784');
        const moves = rows('stock.move', (m) => m['picking_id'] === delivery.id);
        assert.deepEqual(
          moves.map((m) => [m['product_id'], m['product_uom_qty'], m['quantity'], m['picked']]),
          [
            [productId('SKU-001'), 5, 5, true],
            [productId('SKU-002'), 40, 38, true],
          ],
        );
        assert.equal(notesOn('stock.picking', delivery.id).length, 1);
        const again = await deliverToOdoo(client(), 'demo', sampleFulfillmentConfirmation());
        assert.equal(again.action, 'skipped');
        assert.equal(notesOn('stock.picking', delivery.id).length, 1);
      });

      test('a SKU the delivery does not contain is a business error', async () => {
        const error = await odooFailure(
          deliverToOdoo(
            client(),
            'demo',
            sampleFulfillmentConfirmation({
              lines: [{ sku: 'SKU-003', quantityShipped: { value: 1, unit: 'EA' } }],
            }),
          ),
        );
        assert.equal(error.kind, 'business');
        assert.match(error.message, /no move for "SKU-003"/);
      });
    });

    describe('FreightInvoice → vendor bill', () => {
      test('one line per charge, amounts exact on the wire and in the total; matched after the ASN', async () => {
        await deliverToOdoo(client(), 'demo', sampleShipmentNotice());
        const result = await deliverToOdoo(client(), 'demo', sampleFreightInvoice());
        assert.deepEqual([result.model, result.action, result.flags], ['account.move', 'created', []]);
        const bill = one('account.move', (m) => m['ref'] === 'INV-2026-001');
        assert.equal(bill.id, result.id);
        assert.equal(bill['move_type'], 'in_invoice');
        assert.equal(bill['state'], 'draft');
        assert.equal(bill['partner_id'], partnerId('ABCD'));
        assert.equal(bill['invoice_date'], '2026-11-30');
        const lines = rows('account.move.line', (l) => l['move_id'] === bill.id);
        assert.deepEqual(
          lines.map((l) => [l['name'], l['quantity'], l['price_unit']]),
          [
            ['400 Freight', 1, 1150.45],
            ['FUE Fuel surcharge', 1, 100],
            ['HAZ Handling', 1, 0.1],
            ['ADM Admin', 1, 0.2],
          ],
        );
        const wire = sim.state.requestLog.find(
          (e) => e.model === 'account.move' && e.method === 'create',
        )!.body;
        for (const text of [
          '"price_unit":1150.45',
          '"price_unit":100',
          '"price_unit":0.1',
          '"price_unit":0.2',
        ]) {
          assert.ok(wire.includes(text), `${text} in ${wire}`);
        }
        const [read] = await client().call<Array<{ amount_total: number }>>('account.move', 'read', {
          ids: [bill.id],
          fields: ['amount_total'],
        });
        assert.equal(read?.amount_total, 1250.75);
        assert.equal(notesOn('account.move', bill.id).length, 0);

        const again = await deliverToOdoo(client(), 'demo', sampleFreightInvoice());
        assert.deepEqual([again.action, again.id], ['skipped', bill.id]);
        assert.equal(rows('account.move').length, 1);
      });

      test('unmatched and over-tolerance invoices are flagged on the draft bill, not booked silently', async () => {
        const invoice = sampleFreightInvoice({
          billOfLading: 'BOL-UNKNOWN',
          proNumber: 'PRO-UNKNOWN',
          shipmentId: 'SHP-UNKNOWN',
          netAmountDue: { amount: '1300.00', currency: 'USD' },
        });
        const result = await deliverToOdoo(client(), 'demo', invoice);
        assert.deepEqual([...result.flags].sort(), ['amount_mismatch', 'unmatched_shipment']);
        const bill = one('account.move', (m) => m.id === result.id);
        assert.equal(bill['state'], 'draft');
        assert.match(
          String(bill['narration']),
          /charges add up to 1250\.75 USD but the amount due is 1300\.00 USD/,
        );
        const [note] = notesOn('account.move', bill.id);
        assert.match(String(note?.['body']), /no shipment in Odoo matches BOL BOL-UNKNOWN/);
      });

      test('a tolerance lets a rounding cent through', async () => {
        await deliverToOdoo(client(), 'demo', sampleShipmentNotice());
        const result = await deliverToOdoo(
          client(),
          'demo',
          sampleFreightInvoice({ netAmountDue: { amount: '1250.76', currency: 'USD' } }),
          {
            invoiceTolerance: '0.01',
          },
        );
        assert.deepEqual(result.flags, []);
      });

      test('a sub-cent charge is refused before anything is written', async () => {
        const invoice = sampleFreightInvoice();
        const error = await odooFailure(
          deliverToOdoo(client(), 'demo', {
            ...invoice,
            charges: [{ ...invoice.charges[0]!, amount: { amount: '1150.455', currency: 'USD' } }],
          }),
        );
        assert.equal(error.kind, 'business');
        assert.match(error.message, /refusing to round/);
        assert.equal(rows('account.move').length, 0);
      });

      test('a net credit becomes a vendor refund with positive lines (Odoo will not post a negative bill)', async () => {
        const credit = sampleFreightInvoice({
          invoiceNumber: 'CR-77',
          netAmountDue: { amount: '-25.00', currency: 'USD' },
          charges: [
            {
              lineNumber: '1',
              code: 'DSC',
              description: 'Late delivery credit',
              amount: { amount: '-25.00', currency: 'USD' },
            },
          ],
        });
        const result = await deliverToOdoo(client(), 'demo', credit);
        assert.ok(result.flags.includes('credit_note'));
        const refund = one('account.move', (m) => m['ref'] === 'CR-77');
        assert.equal(refund['move_type'], 'in_refund');
        assert.deepEqual(
          rows('account.move.line', (l) => l['move_id'] === refund.id).map((l) => l['price_unit']),
          [25],
        );
        assert.equal((await deliverToOdoo(client(), 'demo', credit)).action, 'skipped');
      });

      test('a carrier Odoo does not know is a business error naming the SCAC', async () => {
        const error = await odooFailure(
          deliverToOdoo(client(), 'demo', sampleFreightInvoice({ carrier: { scac: 'ZZZZ' } })),
        );
        assert.equal(error.kind, 'business');
        assert.match(error.message, /"ZZZZ"/);
      });
    });

    describe('ReturnAuthorization → return picking', () => {
      test('creates an incoming picking from the customer location, linked to the original delivery', async () => {
        const result = await deliverToOdoo(client(), 'demo', sampleReturnAuthorization());
        assert.deepEqual([result.model, result.action], ['stock.picking', 'created']);
        const picking = one('stock.picking', (p) => p['origin'] === 'RMA-7001');
        const receipts = one('stock.picking.type', (t) => t['code'] === 'incoming');
        const customers = one('stock.location', (l) => l['usage'] === 'customer');
        const delivery = one('stock.picking', (p) => p['sale_id'] !== false && p['origin'] === 'S00001');
        assert.equal(picking['picking_type_id'], receipts.id);
        assert.equal(picking['partner_id'], partnerId('demo-retail'));
        assert.equal(picking['location_id'], customers.id);
        assert.equal(picking['location_dest_id'], receipts['default_location_dest_id']);
        assert.equal(picking['return_id'], delivery.id);
        const moves = rows('stock.move', (m) => m['picking_id'] === picking.id);
        assert.deepEqual(
          moves.map((m) => [m['product_id'], m['product_uom_qty']]),
          [[productId('SKU-001'), 2]],
        );
        assert.match(String(notesOn('stock.picking', picking.id)[0]?.['body']), /damaged in transit/);

        const again = await deliverToOdoo(client(), 'demo', sampleReturnAuthorization());
        assert.deepEqual([again.action, again.id], ['skipped', picking.id]);
        assert.equal(rows('stock.picking', (p) => p['origin'] === 'RMA-7001').length, 1);
      });
    });

    describe('failures from Odoo reach the pipeline classified', () => {
      test('ValidationError on create → business with Odoo message; after the fix, replay delivers once', async () => {
        sim.setFault({
          mode: 'validationError',
          model: 'sale.order',
          method: 'create',
          message: 'Customer on credit hold',
        });
        const error = await odooFailure(deliverToOdoo(client(), 'demo', sampleOrder()));
        assert.equal(error.kind, 'business');
        assert.match(error.message, /Customer on credit hold/);
        sim.clearFaults();
        assert.equal((await deliverToOdoo(client(), 'demo', sampleOrder())).action, 'created');
        assert.equal(rows('sale.order', (o) => o['client_order_ref'] === 'WEB-5001').length, 1);
      });

      test('Odoo down mid-delivery → retryable; the retry completes without duplicates', async () => {
        // The order is created, then Odoo drops the connection before the external id is written.
        // (skip: 1 lets the create lease through, taken before the create.)
        sim.setFault({ mode: 'down', model: 'ir.model.data', method: 'create', skip: 1, count: 1 });
        const error = await odooFailure(deliverToOdoo(client(), 'demo', sampleOrder()));
        assert.equal(error.kind, 'retryable');
        const retried = await deliverToOdoo(client(), 'demo', sampleOrder());
        assert.equal(retried.action, 'skipped', 'the order was already there: adopted, not created again');
        assert.equal(rows('sale.order', (o) => o['client_order_ref'] === 'WEB-5001').length, 1);
      });

      test('AccessDenied → authentication', async () => {
        sim.setFault({ mode: 'accessDenied', model: 'ir.model.data' });
        const error = await odooFailure(deliverToOdoo(client(), 'demo', sampleReturnAuthorization()));
        assert.equal(error.kind, 'authentication');
      });
    });
  });
}

test('a bot user without Access Rights cannot keep external ids: authentication, raised to operations', async () => {
  const strict = await startOdooSimulator({ port: 0, botManagesExternalIds: false });
  const strictClient = createOdooClient({
    url: strict.url,
    database: 'demo',
    login: 'crossdock-bot',
    apiKeyRef: '',
    apiKey: 'demo-odoo-key',
    protocol: 'jsonrpc',
  });
  try {
    const error = await odooFailure(deliverToOdoo(strictClient, 'demo', sampleOrder()));
    assert.equal(error.kind, 'authentication');
    assert.equal(error.odooName, 'odoo.exceptions.AccessError');
    assert.match(error.message, /External Identifiers/);
    assert.equal(
      strict.state.db('demo').records('sale.order').length,
      2,
      'nothing created before the check failed',
    );
  } finally {
    await strictClient.close();
    await strict.stop();
  }
});

test("a document of another tenant is refused before touching this tenant's Odoo", async () => {
  const error = await odooFailure(deliverToOdoo(clients.get('json2')!, 'demo-b', sampleOrder()));
  assert.equal(error.kind, 'business');
  assert.match(error.message, /belongs to tenant demo, not demo-b/);
  assert.equal(sim.state.counters.requests, 0);
});
