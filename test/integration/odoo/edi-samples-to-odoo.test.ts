/**
 * The demo flow's Odoo half: the X12 sample files under test/fixtures/edi/x12, translated by the EDI
 * engine, land on the simulator's demo records; delivering them all a second time changes nothing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { validateCanonical, type CanonicalDocument } from '../../../src/canonical/canonical-validator.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import type { OdooClient } from '../../../src/odoo/odoo-client.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import type { OdooDeliveryResult } from '../../../src/odoo/odoo-delivery-types.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';

const SAMPLES = [
  '856-4010-sopi-tilde-newline.edi',
  '856-4010-soi-crlf.edi',
  '856-5010-soip-newline-terminator.edi',
  '856-5010-spoi-nonprintable.edi',
  '214-4010-dot-terminator-space-before.edi',
  '214-5010-appointment-crlf.edi',
  '210-4010-wrapped-80.edi',
  '210-5010-tilde-element-ellipsis-terminator.edi',
];

let sim: RunningOdooSimulator;
let client: OdooClient;

before(async () => {
  sim = await startOdooSimulator({ port: 0 });
  client = createOdooClient({
    url: sim.url,
    database: 'demo',
    login: 'crossdock-bot',
    apiKeyRef: '',
    apiKey: 'demo-odoo-key',
    protocol: 'jsonrpc',
  });
});
after(async () => {
  await client.close();
  await sim.stop();
});

async function documentsOf(file: string): Promise<CanonicalDocument[]> {
  const input = await readFile(path.join('test/fixtures/edi/x12', file));
  const result = await translateBuffer(input, {
    tenantId: 'demo',
    partnerId: 'demo-edi',
    channel: 'cli',
    messageId: file,
  });
  const documents = result.documents.filter((d) => d['documentType'] !== 'Acknowledgement');
  assert.ok(documents.length > 0, `${file} translated to no business document`);
  return documents.map((d) => {
    const type = String(d['documentType']);
    assert.deepEqual(validateCanonical(type, d).errors, [], `${file}: ${type}`);
    return d as unknown as CanonicalDocument;
  });
}

test('856, 214 and 210 samples deliver onto the demo records, and a second delivery is a no-op', async () => {
  const delivered: Array<[string, OdooDeliveryResult]> = [];
  for (const file of SAMPLES) {
    for (const document of await documentsOf(file))
      delivered.push([file, await deliverToOdoo(client, 'demo', document)]);
  }
  const byFile = (prefix: string): OdooDeliveryResult[] =>
    delivered.filter(([file]) => file.startsWith(prefix)).map(([, r]) => r);

  const receipts = sim.state.db('demo').records('stock.picking');
  const po778899 = receipts.find((p) => p['origin'] === 'PO778899')!;
  assert.equal(po778899['carrier_tracking_ref'], 'PRO445566');
  assert.ok(byFile('856').every((r) => r.model === 'stock.picking'));
  assert.ok(byFile('214').every((r) => r.model === 'mail.message' && r.action === 'created'));
  const notes = sim.state.db('demo').records('mail.message');
  assert.ok(notes.some((n) => n['res_id'] === po778899.id && /DELIVERED \(D1/.test(String(n['body']))));

  const bills = sim.state.db('demo').records('account.move');
  assert.deepEqual(
    bills.map((b) => [b['ref'], b['move_type']]),
    [
      ['INV-2026-001', 'in_invoice'],
      ['INV-5010-9', 'in_refund'],
    ],
  );
  const [matched, credit] = byFile('210');
  assert.deepEqual(matched?.flags, []);
  assert.deepEqual([...(credit?.flags ?? [])].sort(), ['credit_note', 'unmatched_shipment']);

  const counts = sim.state.db('demo').counts();
  for (const file of SAMPLES) {
    for (const document of await documentsOf(file)) {
      const again = await deliverToOdoo(client, 'demo', document);
      assert.equal(again.action, 'skipped', `${file} redelivered`);
    }
  }
  assert.deepEqual(sim.state.db('demo').counts(), counts);
});
