/**
 * Deliveries run in parallel (several per pg-boss batch, in several processes): two confirmations
 * of one order, or two ASNs for one receipt, arriving together must not interleave their
 * read-add-write on the picking, or the second write undoes the first (quantities, tracking).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { AdvisoryLockPool } from '../../../src/database/advisory-lock-pool.js';
import { createDataSource } from '../../../src/database/data-source.js';
import { advisoryLocks } from '../../../src/messages/usecases/deliver-document.js';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import type { OdooClient } from '../../../src/odoo/odoo-client.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import { sampleFulfillmentConfirmation, sampleShipmentNotice } from '../../support/odoo/canonical-samples.js';
import { createTestDatabase, queryRows, type TestDatabase } from '../../support/test-database.js';

let sim: RunningOdooSimulator;
let database: TestDatabase;
/** Two connections to one Odoo and two lock pools: what two worker processes have. */
const clients: OdooClient[] = [];
const pools: AdvisoryLockPool[] = [];

function newClient(): OdooClient {
  return createOdooClient({
    url: sim.url,
    database: 'demo',
    login: 'crossdock-bot',
    apiKeyRef: '',
    apiKey: 'demo-odoo-key',
    protocol: 'json2',
  });
}

before(async () => {
  sim = await startOdooSimulator({ port: 0 });
  database = await createTestDatabase('odoo_concurrent');
  for (let i = 0; i < 2; i++) {
    clients.push(newClient());
    pools.push(AdvisoryLockPool.forDataSource(createDataSource(database.url), { size: 2 }));
  }
});
beforeEach(() => sim.reset());
after(async () => {
  await Promise.all([...clients.map((c) => c.close()), ...pools.map((p) => p.close())]);
  await sim.stop();
  await database.drop();
});

const first = sampleFulfillmentConfirmation({
  shipmentId: '3PL-SHIP-1',
  trackingNumbers: ['1ZA'],
  lines: [{ lineNumber: '1', sku: 'SKU-002', quantityShipped: { value: 20, unit: 'EA' } }],
});
const second = sampleFulfillmentConfirmation({
  shipmentId: '3PL-SHIP-2',
  trackingNumbers: ['1ZB'],
  lines: [{ lineNumber: '1', sku: 'SKU-002', quantityShipped: { value: 18, unit: 'EA' } }],
});

function picked(pickingId: number): number {
  return sim.state
    .db('demo')
    .records('stock.move')
    .filter((m) => m['picking_id'] === pickingId && m['picked'] === true)
    .reduce((sum, m) => sum + Number(m['quantity']), 0);
}

/** What each confirmation's note recorded as the move's quantity after it, in delivery order. */
function ledgers(pickingId: number): number[] {
  return sim.state
    .db('demo')
    .records('mail.message')
    .filter((m) => m['res_id'] === pickingId && /3PL-SHIP-/.test(String(m['body'])))
    .map((m) => Number(/move \d+ = (\d+)/.exec(String(m['body']))?.[1]))
    .sort((a, b) => a - b);
}

function assertBothCounted(pickingId: number): void {
  assert.equal(picked(pickingId), 38, 'both shipments counted');
  const notes = ledgers(pickingId);
  // Whichever came first: its note says 20 (or 18), the later one 38.
  assert.ok(
    JSON.stringify(notes) === '[20,38]' || JSON.stringify(notes) === '[18,38]',
    `notes record ${JSON.stringify(notes)}`,
  );
  const tracking = String(
    sim.state
      .db('demo')
      .records('stock.picking')
      .find((p) => p.id === pickingId)?.['carrier_tracking_ref'],
  );
  assert.match(tracking, /1ZA/);
  assert.match(tracking, /1ZB/);
}

/** Slows the read of the moves' quantities, so that unserialised deliveries would both read before either writes. */
function slowMoveReads(): void {
  sim.setFault({ mode: 'slow', delayMs: 100, model: 'stock.move', method: 'read', count: 2 });
}

test('two confirmations of one order delivered at the same time both count (one process)', async () => {
  slowMoveReads();
  const [a, b] = await Promise.all([
    deliverToOdoo(clients[0]!, 'demo', first),
    deliverToOdoo(clients[0]!, 'demo', second),
  ]);
  assert.equal(a.id, b.id);
  assert.equal(a.action, 'updated');
  assert.equal(b.action, 'updated');
  assertBothCounted(a.id);
});

test('two confirmations of one order delivered by two processes at the same time both count', async () => {
  slowMoveReads();
  const [a, b] = await Promise.all(
    [first, second].map((doc, i) =>
      deliverToOdoo(clients[i]!, 'demo', doc, {
        exclusive: advisoryLocks(pools[i]!, 'deliver:demo:production'),
      }),
    ),
  );
  assert.equal(a.id, b.id);
  assertBothCounted(a.id);
  sim.clearFaults();
  // Redelivered together: nothing counted twice.
  await Promise.all(
    [second, first].map((doc, i) =>
      deliverToOdoo(clients[i]!, 'demo', doc, {
        exclusive: advisoryLocks(pools[i]!, 'deliver:demo:production'),
      }),
    ),
  );
  assertBothCounted(a.id);
});

test('an Odoo error inside the section releases the lock', async () => {
  sim.setFault({ mode: 'validationError', model: 'stock.move', method: 'write', count: 1 });
  const failed = await odooFailure(
    deliverToOdoo(clients[0]!, 'demo', first, {
      exclusive: advisoryLocks(pools[0]!, 'deliver:demo:production'),
    }),
  );
  assert.equal(failed.kind, 'business');
  const held = await queryRows(
    database.url,
    `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
  );
  assert.equal(held.length, 0, 'no advisory lock left behind');
  // The other process gets the picking straight away (a leaked lock would time out here).
  const strict = AdvisoryLockPool.forDataSource(createDataSource(database.url), {
    lockTimeoutMs: 2000,
  });
  const other = await deliverToOdoo(clients[1]!, 'demo', second, {
    exclusive: advisoryLocks(strict, 'deliver:demo:production'),
  }).finally(() => strict.close());
  assert.equal(other.action, 'updated');
});

test('two ASNs for one receipt delivered at the same time keep both tracking numbers', async () => {
  const asn = (shipmentId: string, tracking: string): ReturnType<typeof sampleShipmentNotice> =>
    sampleShipmentNotice({
      shipmentId,
      trackingNumbers: [tracking],
      billOfLading: `BOL-${shipmentId}`,
      proNumber: `PRO-${shipmentId}`,
    });
  // Both would read the receipt's tracking before either writes it back merged.
  sim.setFault({ mode: 'slow', delayMs: 100, model: 'stock.picking', method: 'write', count: 2 });
  const [a, b] = await Promise.all([
    deliverToOdoo(clients[0]!, 'demo', asn('SHP-A', 'TRK-A'), {
      exclusive: advisoryLocks(pools[0]!, 'deliver:demo:production'),
    }),
    deliverToOdoo(clients[1]!, 'demo', asn('SHP-B', 'TRK-B'), {
      exclusive: advisoryLocks(pools[1]!, 'deliver:demo:production'),
    }),
  ]);
  assert.equal(a.id, b.id);
  const tracking = String(
    sim.state
      .db('demo')
      .records('stock.picking')
      .find((p) => p.id === a.id)?.['carrier_tracking_ref'],
  );
  assert.match(tracking, /TRK-A/);
  assert.match(tracking, /TRK-B/);
});
