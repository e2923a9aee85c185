/**
 * Exactly once in effect, whatever point a delivery is cut at. For every document type and both
 * transports, a clean delivery is run first; then, for every request k that delivery made, the
 * delivery is run again from the same start with request k committed by Odoo but its answer lost
 * (a timeout after the write, or our process dying right after it), and redelivered. Odoo must end
 * up exactly as after the clean delivery (no duplicate record, line, note or external id, nothing
 * missing), and the redelivery must report the same flags.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CanonicalDocument } from '../../../src/canonical/canonical-validator.js';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import type { OdooDeliveryOptions, OdooDeliveryResult } from '../../../src/odoo/odoo-delivery-types.js';
import type { OdooClient, OdooProtocol } from '../../../src/odoo/odoo-client.js';
import { OdooError } from '../../../src/odoo/odoo-errors.js';
import { unitFields } from '../../../src/odoo/odoo-units.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import {
  sampleFreightInvoice,
  sampleFulfillmentConfirmation,
  sampleOrder,
  sampleReturnAuthorization,
  sampleShipmentNotice,
  sampleTrackingEvent,
} from '../../support/odoo/canonical-samples.js';
import { simulatorClient } from '../../support/odoo/simulated-odoo.js';

let sim: RunningOdooSimulator;
const clients = new Map<OdooProtocol, OdooClient>();

before(async () => {
  sim = await startOdooSimulator({ port: 0 });
  for (const protocol of ['jsonrpc', 'json2'] as const) {
    clients.set(protocol, simulatorClient(sim, protocol));
    // JSON-RPC authenticates once per client, and the unit fields are asked once per client: do
    // both now, so every run below sends the same requests.
    await clients.get(protocol)!.call('res.partner', 'search', { domain: [] });
    await unitFields(clients.get(protocol)!);
  }
});
after(async () => {
  await Promise.all([...clients.values()].map((c) => c.close()));
  await sim.stop();
});

interface Scenario {
  readonly name: string;
  /** Deliveries that set the scene (not cut). */
  readonly setup: readonly CanonicalDocument[];
  readonly document: CanonicalDocument;
  readonly options?: OdooDeliveryOptions;
}

const asn = sampleShipmentNotice();
const scenarios: Scenario[] = [
  { name: 'Order, confirmed', setup: [], document: sampleOrder(), options: { confirmOrders: true } },
  { name: 'Order, cancelled', setup: [], document: sampleOrder({ status: 'CANCELLED' }) },
  { name: 'ShipmentNotice', setup: [], document: asn },
  { name: 'TrackingEvent after the ASN', setup: [asn], document: sampleTrackingEvent() },
  {
    name: 'TrackingEvent reaching two receipts',
    setup: [],
    document: sampleTrackingEvent({ shipmentRef: { purchaseOrderNumbers: ['PO-SPOI-A', 'PO-SPOI-B'] } }),
  },
  { name: 'FulfillmentConfirmation', setup: [], document: sampleFulfillmentConfirmation() },
  { name: 'FreightInvoice matched', setup: [asn], document: sampleFreightInvoice() },
  {
    name: 'FreightInvoice unmatched and over the amount due',
    setup: [],
    document: sampleFreightInvoice({ netAmountDue: { amount: '1300.00', currency: 'USD' } }),
  },
  {
    name: 'FreightInvoice credit',
    setup: [asn],
    document: sampleFreightInvoice({
      invoiceNumber: 'CR-1',
      netAmountDue: { amount: '-50.00', currency: 'USD' },
      charges: [{ lineNumber: '1', code: 'ADJ', amount: { amount: '-50.00', currency: 'USD' } }],
    }),
  },
  { name: 'ReturnAuthorization', setup: [], document: sampleReturnAuthorization() },
];

/** What Odoo holds, without the ids and timestamps a cut delivery may legitimately shift. */
function snapshot(): Record<string, unknown> {
  const db = sim.state.db('demo');
  const sorted = (values: unknown[]): string[] => values.map((v) => JSON.stringify(v)).sort();
  return {
    counts: db.counts(),
    saleOrders: sorted(db.records('sale.order').map((o) => [o['client_order_ref'], o['state']])),
    saleLines: sorted(db.records('sale.order.line').map((l) => [l['product_id'], l['product_uom_qty']])),
    pickings: sorted(
      db.records('stock.picking').map((p) => [
        p['origin'],
        p['state'],
        p['carrier_tracking_ref'],
        // Deliveries of the seed are scheduled "now"; receipts are what an ASN reschedules.
        p['picking_type_code'] === 'incoming' ? p['scheduled_date'] : undefined,
      ]),
    ),
    moves: sorted(db.records('stock.move').map((m) => [m['product_id'], m['quantity'], m['picked']])),
    bills: sorted(
      db.records('account.move').map((m) => [m['move_type'], m['ref'], m['state'], m['narration']]),
    ),
    billLines: sorted(db.records('account.move.line').map((l) => [l['name'], l['price_unit']])),
    notes: sorted(db.records('mail.message').map((m) => [m['model'], m['body']])),
    externalIds: sorted(
      db.records('ir.model.data').map((x) => `${String(x['module'])}.${String(x['name'])}`),
    ),
  };
}

async function setUp(client: OdooClient, scenario: Scenario): Promise<void> {
  sim.reset();
  for (const doc of scenario.setup) await deliverToOdoo(client, 'demo', doc);
}

for (const protocol of ['jsonrpc', 'json2'] as const) {
  describe(`a delivery cut after any request (${protocol})`, () => {
    for (const scenario of scenarios) {
      test(scenario.name, async () => {
        const client = clients.get(protocol)!;
        await setUp(client, scenario);
        const before = sim.state.requestLog.length;
        const options = { ...scenario.options, createLeaseSeconds: 1 };
        const clean = await deliverToOdoo(client, 'demo', scenario.document, options);
        const requests = sim.state.requestLog.length - before;
        const expected = snapshot();
        assert.ok(requests > 0);

        for (let k = 0; k < requests; k++) {
          await setUp(client, scenario);
          sim.setFault({ mode: 'lostReply', skip: k, count: 1 });
          const cut = await deliverToOdoo(client, 'demo', scenario.document, options).then(
            () => undefined,
            (error: unknown) => error,
          );
          assert.ok(cut instanceof OdooError, `request ${k}: the cut delivery must fail`);
          assert.equal(cut.kind, 'retryable', `request ${k}: ${cut.message}`);
          sim.clearFaults();
          let redelivered: OdooDeliveryResult;
          try {
            redelivered = await deliverToOdoo(client, 'demo', scenario.document, options);
          } catch (error) {
            // Cut between taking the create lease and the create: the lease must run out first.
            if (!(error instanceof OdooError && /may still commit/.test(error.message)))
              assert.fail(`request ${k} cut: the redelivery failed: ${String(error)}`);
            await new Promise((resolve) => setTimeout(resolve, 2100));
            redelivered = await deliverToOdoo(client, 'demo', scenario.document, options);
          }
          assert.deepEqual(snapshot(), expected, `request ${k} cut: Odoo differs from a clean delivery`);
          assert.deepEqual(
            [...redelivered.flags].sort(),
            [...clean.flags].sort(),
            `request ${k} cut: the redelivery reports other flags`,
          );
          assert.equal(redelivered.model, clean.model);
        }
      });
    }
  });
}

for (const protocol of ['jsonrpc', 'json2'] as const) {
  describe(`two deliveries of one document racing (${protocol})`, () => {
    for (const scenario of scenarios) {
      test(scenario.name, async () => {
        const client = clients.get(protocol)!;
        await setUp(client, scenario);
        await deliverToOdoo(client, 'demo', scenario.document, scenario.options);
        const expected = snapshot();
        // Each racer's requests are delayed differently, so their steps interleave in other orders.
        for (const delayMs of [0, 3, 7]) {
          await setUp(client, scenario);
          if (delayMs > 0) sim.setFault({ mode: 'slow', delayMs, matching: '"create"', count: 1 });
          const results = await Promise.allSettled([
            deliverToOdoo(client, 'demo', scenario.document, scenario.options),
            deliverToOdoo(client, 'demo', scenario.document, scenario.options),
          ]);
          sim.clearFaults();
          // A racer may lose with a retryable error; its redelivery must then converge.
          for (const r of results) {
            if (r.status === 'rejected') {
              assert.ok(r.reason instanceof OdooError && r.reason.kind === 'retryable', String(r.reason));
              await deliverToOdoo(client, 'demo', scenario.document, scenario.options);
            }
          }
          assert.deepEqual(snapshot(), expected, `delay ${delayMs}: Odoo differs from one clean delivery`);
          // Both racers report the one record that stays.
          const ids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.id] : []));
          assert.equal(new Set(ids).size, 1, `delay ${delayMs}: the racers report ${ids.join(' and ')}`);
        }
      });
    }
  });
}
