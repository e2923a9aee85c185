/**
 * The `odoo.delivery` settings of a tenant file reach Odoo through the real delivery path (tenant
 * file → registry → pipeline → OdooDocumentDeliverer → connector), against PostgreSQL and an
 * Odoo 16 simulator: orders are confirmed when the tenant says so, shipped quantities land in
 * `quantity_done` (Odoo 16 has no `quantity`/`picked` on moves) counted in the tenant's units, and
 * a connection's own setting overrides the shared one.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { sampleFreightInvoice } from '../../../src/odoo/simulator/sample-documents.js';
import { eventually, startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import { sampleFulfillmentConfirmation, sampleOrder } from '../../support/odoo/canonical-samples.js';

const TENANT_FILE = `
id: acme16
name: Acme on Odoo 16
environment: production
odoo:
  delivery:
    confirmOrders: true
    moveQuantityField: quantity_done
    invoiceTolerance: '0.00'
    units: { CA: Case of 12 }
  production:
    url: http://127.0.0.1:8069
    database: demo
    login: crossdock-bot
    apiKey: \${ACME16_ODOO_KEY}
    delivery:
      invoiceTolerance: '0.05'
partners:
  - id: acme16-shop
    name: Acme web shop
    kind: customer
    channels: [{ type: rest }]
    scopes: [orders:write]
  - id: acme16-3pl
    name: Acme 3PL
    kind: 3pl
    channels: [{ type: rest }]
    scopes: [fulfillment:write]
  - id: acme16-carrier
    name: Acme carrier
    kind: carrier
    channels: [{ type: rest }]
    scopes: [invoices:write]
`;

let dir: string;
let harness: PipelineHarness;
let pipeline: Pipeline;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crossdock-tenant-options-'));
  await writeFile(path.join(dir, 'acme16.yaml'), TENANT_FILE);
  harness = await startPipelineHarness('odoo_tenant_options', {
    tenantsDir: dir,
    env: { ACME16_ODOO_KEY: 'demo-odoo-key' },
    simulator: { serverVersion: '16.0' },
  });
  pipeline = await harness.startPipeline();
});
after(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Receives the canonical document from the partner and waits until its message is final. */
async function deliver(partnerId: string, document: Record<string, unknown>) {
  const message = await pipeline.store.receive({
    tenantId: 'acme16',
    partnerId,
    channel: 'rest',
    payload: Buffer.from(JSON.stringify({ ...document, tenantId: 'acme16', partnerId })),
    contentType: 'application/json',
    environment: 'production',
  });
  const detail = await eventually(
    () => pipeline.store.detail('acme16', message.id),
    (d) => d?.state === 'delivered' || d?.state === 'dead_lettered',
    30_000,
    `${String(document['documentType'])} delivered`,
  );
  assert.equal(detail!.state, 'delivered', `delivered: ${JSON.stringify(detail!.documents)}`);
  return detail!;
}

const demo = () => harness.simulator.state.db('demo');

describe('tenant delivery settings reach Odoo through the pipeline', () => {
  test('confirmOrders: true in the tenant file confirms the order, so Odoo creates its delivery', async () => {
    await deliver('acme16-shop', { ...sampleOrder({ orderNumber: 'ACME-5001' }), id: 'acme16-order-1' });
    const order = demo()
      .records('sale.order')
      .find((o) => o['client_order_ref'] === 'ACME-5001');
    assert.ok(order, 'the order is in Odoo');
    assert.equal(order['state'], 'sale');
    const deliveries = demo()
      .records('stock.picking')
      .filter((p) => p['sale_id'] === order.id);
    assert.equal(deliveries.length, 1, 'the confirmed order has its delivery');
  });

  test('moveQuantityField: quantity_done lets an Odoo 16 take a fulfilment confirmation', async () => {
    await deliver('acme16-3pl', { ...sampleFulfillmentConfirmation(), id: 'acme16-945-1' });
    const order = demo()
      .records('sale.order')
      .find((o) => o['client_order_ref'] === 'ORD-1001')!;
    const picking = demo()
      .records('stock.picking')
      .find((p) => p['sale_id'] === order.id)!;
    const moves = demo()
      .records('stock.move')
      .filter((m) => m['picking_id'] === picking.id)
      .map((m) => [m['product_id'], m['quantity_done']]);
    const sku = (code: string) =>
      demo()
        .records('product.product')
        .find((p) => p['default_code'] === code)!.id;
    assert.deepEqual(moves, [
      [sku('SKU-001'), 5],
      [sku('SKU-002'), 38],
    ]);
  });

  test('units in the tenant file: 1 CA of the confirmed order counts 12 units in quantity_done', async () => {
    const order = demo()
      .records('sale.order')
      .find((o) => o['client_order_ref'] === 'ACME-5001')!;
    await deliver('acme16-3pl', {
      ...sampleFulfillmentConfirmation({
        orderNumber: order['name'] as string,
        shipmentId: 'ACME-SHIP-1',
        lines: [{ lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 1, unit: 'CA' } }],
      }),
      id: 'acme16-945-2',
    });
    const picking = demo()
      .records('stock.picking')
      .find((p) => p['sale_id'] === order.id)!;
    const shipped = demo()
      .records('stock.move')
      .filter((m) => m['picking_id'] === picking.id)
      .map((m) => m['quantity_done']);
    assert.deepEqual(shipped, [12, 0]);
  });

  test("a connection's own invoiceTolerance overrides the shared one: 0.03 off is within 0.05", async () => {
    const invoice = sampleFreightInvoice('acme16', 'ACME-INV-1', '100.03');
    const charges = [
      { lineNumber: '1', code: '400', description: 'Freight', amount: { amount: '100.00', currency: 'USD' } },
    ];
    const detail = await deliver('acme16-carrier', { ...invoice, charges, billOfLading: 'BOL998877' });
    const delivered = detail.history.find((e) => e.documentId !== null && e.to === 'delivered')!;
    assert.match(delivered.cause, /^created account\.move \d+ in Odoo/);
    assert.doesNotMatch(delivered.cause, /amount_mismatch/);
  });
});
