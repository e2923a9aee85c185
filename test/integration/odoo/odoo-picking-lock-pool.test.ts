/**
 * A picking's read-add-write runs under an advisory lock for as long as its Odoo calls take. When
 * Odoo stalls, those sections must not hold the connections the API and the pipeline's own
 * transactions share: they hold lock connections of their own pool, wait for one a bounded time,
 * and give theirs back however the section ends.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { AdvisoryLockPool } from '../../../src/database/advisory-lock-pool.js';
import { createDataSource } from '../../../src/database/data-source.js';
import { advisoryLocks } from '../../../src/messages/usecases/deliver-document.js';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import type { OdooClient } from '../../../src/odoo/odoo-client.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import type { OdooDeliveryResult } from '../../../src/odoo/odoo-delivery-types.js';
import { externalIdModule } from '../../../src/odoo/odoo-external-ids.js';
import type { RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import { sampleFulfillmentConfirmation } from '../../support/odoo/canonical-samples.js';
import { withSimulatedOdoo } from '../../support/odoo/simulated-odoo.js';
import { eventually } from '../../support/pipeline-harness.js';
import { createTestDatabase, queryRows, type TestDatabase } from '../../support/test-database.js';

/** More orders than the main pool has connections (10). */
const ORDERS = 12;
const SCOPE = 'deliver:demo:production';

const odoo = withSimulatedOdoo((sim) => {
  const db = sim.state.db('demo');
  const [retail] = db.search('res.partner', [['ref', '=', 'demo-retail']]);
  const [bolts] = db.search('product.product', [['default_code', '=', 'SKU-002']]);
  for (let i = 1; i <= ORDERS; i++) {
    const order = db.create('sale.order', {
      partner_id: retail,
      client_order_ref: `ORD-LOCK-${i}`,
      order_line: [[0, 0, { product_id: bolts, product_uom_qty: 10, price_unit: 0.35 }]],
    });
    db.actionConfirm([order]);
  }
});

let database: TestDatabase;
let main: DataSource;
/** Calls in flight are not capped below the number of deliveries: Odoo's stall is what holds them. */
let client: OdooClient;
const pools: AdvisoryLockPool[] = [];

before(async () => {
  database = await createTestDatabase('odoo_lock_pool');
  main = createDataSource(database.url);
  await main.initialize();
  client = createOdooClient(
    {
      url: odoo.sim.url,
      database: 'demo',
      login: 'crossdock-bot',
      apiKeyRef: '',
      apiKey: 'demo-odoo-key',
      protocol: 'json2',
    },
    { maxConcurrency: 2 * ORDERS },
  );
});
after(async () => {
  await client.close();
  for (const pool of pools) await pool.close(0);
  await main.destroy();
  await database.drop();
});

function lockPool(options: ConstructorParameters<typeof AdvisoryLockPool>[1] = {}): AdvisoryLockPool {
  const pool = AdvisoryLockPool.forDataSource(main, options);
  pools.push(pool);
  return pool;
}

function confirmation(i: number): ReturnType<typeof sampleFulfillmentConfirmation> {
  return sampleFulfillmentConfirmation({
    orderNumber: `ORD-LOCK-${i}`,
    shipmentId: `LOCK-SHIP-${i}`,
    trackingNumbers: [`1ZLOCK${i}`],
    packages: [{ trackingNumber: `1ZLOCK${i}` }],
    lines: [{ lineNumber: '1', sku: 'SKU-002', quantityShipped: { value: 10, unit: 'EA' } }],
  });
}

/** Stalls the read of the picking that a fulfilment makes first under its lock. */
function stallInsideTheSection(sim: RunningOdooSimulator): { hits(): number } {
  const fault = sim.setFault({ mode: 'stall', model: 'stock.picking', method: 'read' });
  return { hits: () => fault.hits };
}

function picked(sim: RunningOdooSimulator, pickingId: number): number {
  return sim.state
    .db('demo')
    .records('stock.move')
    .filter((m) => m['picking_id'] === pickingId && m['picked'] === true)
    .reduce((sum, m) => sum + Number(m['quantity']), 0);
}

async function advisoryLocksHeld(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.url,
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
  );
  return row!.n;
}

/** Open connections of the lock pool named `applicationName` (each test's pool has its own name). */
async function lockConnections(applicationName: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.url,
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = $1`,
    [applicationName],
  );
  return row!.n;
}

test('deliveries stalled in Odoo under their picking locks leave the main pool to everyone else', async () => {
  const locks = lockPool({ applicationName: 'crossdock-locks-stalled' });
  const stall = stallInsideTheSection(odoo.sim);
  let settled = 0;
  const deliveries = Array.from({ length: ORDERS }, (_, k) =>
    deliverToOdoo(client, 'demo', confirmation(k + 1), { exclusive: advisoryLocks(locks, SCOPE) }).finally(
      () => (settled += 1),
    ),
  );
  // Every lock connection is in a section stalled in Odoo; the other deliveries wait for one.
  await eventually(
    async () => stall.hits(),
    (hits) => hits >= locks.size,
    20_000,
    'sections stalled in Odoo',
  );
  assert.equal(await advisoryLocksHeld(), locks.size);

  // An ordinary query (what the REST API and the pipeline's transactions run) is answered while
  // every one of those deliveries is still stalled; the bound only turns a starved pool into a failure.
  const answer = await Promise.race([
    main.query(`SELECT 'answered' AS outcome`) as Promise<Array<{ outcome: string }>>,
    new Promise<Array<{ outcome: string }>>((resolve) =>
      setTimeout(() => resolve([{ outcome: 'main pool starved' }]), 15_000).unref(),
    ),
  ]);
  assert.equal(answer[0]!.outcome, 'answered');
  assert.equal(settled, 0, 'the deliveries were still stalled in Odoo');
  assert.ok(
    (await lockConnections('crossdock-locks-stalled')) <= locks.size,
    'the sections hold at most the lock pool, never more connections',
  );

  // Odoo answers: every delivery completes, each shipment counted once on its own picking.
  odoo.sim.clearFaults();
  const results: OdooDeliveryResult[] = await Promise.all(deliveries);
  assert.equal(new Set(results.map((r) => r.id)).size, ORDERS);
  for (const result of results) {
    assert.equal(result.action, 'updated');
    assert.equal(picked(odoo.sim, result.id), 10);
  }
  assert.equal(locks.inUse, 0);
  assert.equal(await advisoryLocksHeld(), 0, 'no advisory lock left behind');
});

test('with every lock connection taken, a section gives up after the bounded wait and is retried', async () => {
  const locks = lockPool({ size: 1, acquireTimeoutMs: 300 });
  const stall = stallInsideTheSection(odoo.sim);
  const first = deliverToOdoo(client, 'demo', confirmation(1), { exclusive: advisoryLocks(locks, SCOPE) });
  await eventually(
    async () => stall.hits(),
    (hits) => hits >= 1,
    20_000,
    'the first section stalled',
  );
  const failure = await odooFailure(
    deliverToOdoo(client, 'demo', confirmation(2), { exclusive: advisoryLocks(locks, SCOPE) }),
  );
  assert.equal(failure.kind, 'retryable');
  assert.match(failure.message, /no lock connection within 300 ms \(1 of 1 held by other sections\)/);
  odoo.sim.clearFaults();
  assert.equal((await first).action, 'updated');
  // Retried once the connection is free, it goes through.
  const retried = await deliverToOdoo(client, 'demo', confirmation(2), {
    exclusive: advisoryLocks(locks, SCOPE),
  });
  assert.equal(retried.action, 'updated');
  assert.equal(locks.inUse, 0);
});

test('an Odoo error inside the section gives its lock connection back', async () => {
  const locks = lockPool({ size: 1, acquireTimeoutMs: 2000 });
  odoo.sim.setFault({ mode: 'validationError', model: 'stock.move', method: 'write', count: 1 });
  const failed = await odooFailure(
    deliverToOdoo(client, 'demo', confirmation(1), { exclusive: advisoryLocks(locks, SCOPE) }),
  );
  assert.equal(failed.kind, 'business');
  assert.equal(locks.inUse, 0);
  assert.equal(await advisoryLocksHeld(), 0);
  // The single connection is free again: the next delivery gets it at once.
  const next = await deliverToOdoo(client, 'demo', confirmation(2), {
    exclusive: advisoryLocks(locks, SCOPE),
  });
  assert.equal(next.action, 'updated');
});

test('closing the lock pool while a section is stalled returns after the grace period, the section keeping its lock', async () => {
  const locks = lockPool({ applicationName: 'crossdock-locks-closed' });
  const stall = stallInsideTheSection(odoo.sim);
  const stalled = deliverToOdoo(client, 'demo', confirmation(1), { exclusive: advisoryLocks(locks, SCOPE) });
  await eventually(
    async () => stall.hits(),
    (hits) => hits >= 1,
    20_000,
    'the section stalled',
  );
  assert.equal(await advisoryLocksHeld(), 1);

  // Shutdown does not wait for Odoo past the grace period...
  await locks.close(200);
  assert.equal(stall.hits(), 1, 'Odoo had still not answered');
  // ...but the section still running keeps its session and its lock: another node cannot start a
  // read-add-write on the picking while this one may still write its own back.
  assert.equal(await advisoryLocksHeld(), 1);
  assert.equal(await lockConnections('crossdock-locks-closed'), 1);
  const otherNode = lockPool({ lockTimeoutMs: 200 });
  const db = odoo.sim.state.db('demo');
  const [order] = db.records('sale.order').filter((o) => o['client_order_ref'] === 'ORD-LOCK-1');
  const pickings = db.records('stock.picking').filter((p) => p['origin'] === order!['name']);
  assert.ok(pickings.length > 0);
  await assert.rejects(
    otherNode.withLocks(
      pickings.map((p) => `${SCOPE}:${externalIdModule('demo')}:stock.picking:${String(p['id'])}`),
      async () => 'ran',
    ),
    (error: Error) => error.name === 'LockUnavailableError' && /lock timeout/.test(error.message),
  );
  // A section started now is refused as retryable instead of waiting for a pool that is closing.
  const refused = await odooFailure(
    deliverToOdoo(client, 'demo', confirmation(2), { exclusive: advisoryLocks(locks, SCOPE) }),
  );
  assert.equal(refused.kind, 'retryable');
  assert.match(refused.message, /lock pool is closed/);
  odoo.sim.clearFaults();
  // Once Odoo answers the section ends, and only then its lock and connection go.
  assert.equal((await stalled).action, 'updated');
  await eventually(advisoryLocksHeld, (n) => n === 0, 10_000, 'the lock released');
  await eventually(
    () => lockConnections('crossdock-locks-closed'),
    (n) => n === 0,
    10_000,
    'the connection closed',
  );
});

test('a lock another process holds past the lock timeout fails the section as retryable', async () => {
  const holder = lockPool({ applicationName: 'crossdock-locks-holder' });
  const waiter = lockPool({ lockTimeoutMs: 200 });
  const key = `${SCOPE}:crossdock_demo:stock.picking:1`;
  let releaseHolder!: () => void;
  const held = holder.withLocks([key], () => new Promise<void>((resolve) => (releaseHolder = resolve)));
  await eventually(advisoryLocksHeld, (n) => n === 1, 10_000, 'the other process holding the lock');
  await assert.rejects(
    waiter.withLocks([key], async () => 'ran'),
    (error: Error) =>
      error.name === 'LockUnavailableError' && /not granted: .*lock timeout/.test(error.message),
  );
  assert.equal(waiter.inUse, 0, 'the waiting connection went back');
  releaseHolder();
  await held;
  assert.equal(await waiter.withLocks([key], async () => 'ran'), 'ran');
});

test('a lock connection cut mid-section (the database restarted) neither crashes nor leaks', async () => {
  const locks = lockPool({ applicationName: 'crossdock-locks-cut' });
  const stall = stallInsideTheSection(odoo.sim);
  const stalled = deliverToOdoo(client, 'demo', confirmation(1), { exclusive: advisoryLocks(locks, SCOPE) });
  await eventually(
    async () => stall.hits(),
    (hits) => hits >= 1,
    20_000,
    'the section stalled',
  );
  await queryRows(
    database.url,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
    ['crossdock-locks-cut'],
  );
  await eventually(
    () => lockConnections('crossdock-locks-cut'),
    (n) => n === 0,
    10_000,
    'the session gone',
  );
  odoo.sim.clearFaults();
  // The section's work still ends; its broken connection is dropped, not handed out again.
  assert.equal((await stalled).action, 'updated');
  assert.equal(locks.inUse, 0);
  const next = await deliverToOdoo(client, 'demo', confirmation(2), {
    exclusive: advisoryLocks(locks, SCOPE),
  });
  assert.equal(next.action, 'updated');
});
