/**
 * A supplier shipping one PO in two shipments sends two ASNs: the second must not wipe the first
 * one's tracking number off the receipt, or a carrier event naming only that number finds nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import { sampleShipmentNotice, sampleTrackingEvent } from '../../support/odoo/canonical-samples.js';
import { withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';

const odoo = withSimulatedOdoo();

const parcelAsn = (shipmentId: string, tracking: string) => {
  const {
    billOfLading: _bol,
    proNumber: _pro,
    ...rest
  } = sampleShipmentNotice({
    shipmentId,
    trackingNumbers: [tracking],
  });
  return rest;
};

test("a second ASN for the same PO keeps the first one's tracking number on the receipt", async () => {
  const first = await deliverToOdoo(odoo.client, 'demo', parcelAsn('SHP-A', '1ZAAA0001'));
  await deliverToOdoo(odoo.client, 'demo', parcelAsn('SHP-B', '1ZBBB0002'));
  const receipt = odoo.sim.state
    .db('demo')
    .records('stock.picking')
    .find((p) => p.id === first.id)!;
  assert.equal(receipt['carrier_tracking_ref'], '1ZAAA0001, 1ZBBB0002');
  // A parcel carrier's event naming only the first shipment's number still finds the receipt.
  const event = await deliverToOdoo(
    odoo.client,
    'demo',
    sampleTrackingEvent({ shipmentRef: { carrierReference: '1ZAAA0001', purchaseOrderNumbers: [] } }),
  );
  assert.ok(event.records.some((r) => r.model === 'stock.picking' && r.id === first.id));
  // Redelivering either ASN changes nothing.
  assert.equal((await deliverToOdoo(odoo.client, 'demo', parcelAsn('SHP-A', '1ZAAA0001'))).action, 'skipped');
});
