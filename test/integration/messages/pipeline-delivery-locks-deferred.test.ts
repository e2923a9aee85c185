/**
 * A delivery that cannot have its picking lock in time (every lock connection held by sections
 * stalled on a slow Odoo) is deferred: tried again later without using up one of its attempts.
 * Counted, a slow Odoo alone would dead-letter documents that were never tried.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import type { TenantDefinition } from '../../../src/tenancy/tenant-definition.js';
import { sampleFulfillmentConfirmation } from '../../support/odoo/canonical-samples.js';
import { eventually, startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

/** More locked deliveries than lock connections (one, held by a stalled section). */
const ORDERS = 4;

let harness: PipelineHarness;
let pipeline: Pipeline;

before(async () => {
  harness = await startPipelineHarness('pipe_lock_defer');
  // One attempt only: any failure counted as an attempt dead-letters the document. Odoo's calls may
  // take long enough for the stalled section to outlast the lock waits.
  const demo = harness.tenants.find((t) => t.id === 'demo') as {
    -readonly [K in keyof TenantDefinition]: TenantDefinition[K];
  };
  demo.pipeline = {
    ...demo.pipeline,
    retry: { default: { maxAttempts: 1, initialDelaySeconds: 1, maxDelaySeconds: 1 } },
  };
  demo.odoo = Object.fromEntries(
    Object.entries(demo.odoo).map(([which, connection]) => [which, { ...connection, timeoutMs: 60_000 }]),
  ) as TenantDefinition['odoo'];
  const db = harness.simulator.state.db('demo');
  const [retail] = db.search('res.partner', [['ref', '=', 'demo-retail']]);
  const [bolts] = db.search('product.product', [['default_code', '=', 'SKU-002']]);
  for (let i = 1; i <= ORDERS; i++) {
    const order = db.create('sale.order', {
      partner_id: retail,
      client_order_ref: `ORD-DEFER-${i}`,
      order_line: [[0, 0, { product_id: bolts, product_uom_qty: 10, price_unit: 0.35 }]],
    });
    db.actionConfirm([order]);
  }
  pipeline = await harness.startPipeline({ locks: { size: 1, acquireTimeoutMs: 200 } });
});
after(async () => {
  await harness?.close();
});

test('deliveries waiting for a lock connection behind a stalled Odoo are deferred, not dead-lettered', async () => {
  // The only lock connection is held by a section stalled on Odoo (a worker of this process is
  // blocked behind a stalled job until its whole batch settles, so the section is held here).
  let odooAnswers!: () => void;
  const stalledSection = pipeline.deliver.locks.withLocks(
    ['deliver:demo:production:another-picking'],
    () => new Promise<void>((resolve) => (odooAnswers = resolve)),
  );
  await eventually(
    async () => pipeline.deliver.locks.inUse,
    (n) => n === 1,
    10_000,
    'the lock connection taken',
  );
  const messages: string[] = [];
  for (let i = 1; i <= ORDERS; i++) {
    const document = sampleFulfillmentConfirmation({
      id: `doc-defer-${i}`,
      orderNumber: `ORD-DEFER-${i}`,
      shipmentId: `DEFER-SHIP-${i}`,
      trackingNumbers: [`1ZDEFER${i}`],
      packages: [{ trackingNumber: `1ZDEFER${i}` }],
      lines: [{ lineNumber: '1', sku: 'SKU-002', quantityShipped: { value: 10, unit: 'EA' } }],
    });
    const message = await pipeline.store.receive({
      tenantId: 'demo',
      partnerId: 'demo-3pl',
      channel: 'rest',
      payload: Buffer.from(JSON.stringify(document)),
      environment: 'production',
    });
    messages.push(message.id);
  }
  // Every delivery has waited for the lock connection in vain, more than once.
  await eventually(
    () =>
      harness.dataSource.query(
        `SELECT count(DISTINCT document_id)::int AS documents, count(*)::int AS deferrals FROM message_events
          WHERE message_id = ANY($1) AND cause LIKE 'deferred, not counted as an attempt%'`,
        [messages],
      ) as Promise<Array<{ documents: number; deferrals: number }>>,
    ([row]) => row!.documents === ORDERS && row!.deferrals >= 2 * ORDERS,
    30_000,
    'the deliveries without a lock connection deferred',
  );
  const [waiting] = (await harness.dataSource.query(
    `SELECT count(*) FILTER (WHERE state = 'dead_lettered')::int AS dead, max(attempts)::int AS attempts
       FROM documents WHERE message_id = ANY($1)`,
    [messages],
  )) as Array<{ dead: number; attempts: number }>;
  assert.equal(waiting!.dead, 0, 'no document dead-lettered for a busy lock pool');
  assert.ok(waiting!.attempts <= 1, 'a deferral gives its attempt back');

  // The section ends: every delivery completes, each on its first counted attempt.
  odooAnswers();
  await stalledSection;
  const delivered = await eventually(
    () =>
      harness.dataSource.query(`SELECT state, attempts FROM documents WHERE message_id = ANY($1)`, [
        messages,
      ]) as Promise<Array<{ state: string; attempts: number }>>,
    (rows) => rows.length === ORDERS && rows.every((r) => r.state === 'delivered'),
    60_000,
    'every document delivered',
  );
  assert.deepEqual(
    delivered.map((r) => r.attempts),
    Array.from({ length: ORDERS }, () => 1),
  );
  const [dead] = (await harness.dataSource.query(
    `SELECT count(*)::int AS n FROM message_events WHERE message_id = ANY($1) AND to_state = 'dead_lettered'`,
    [messages],
  )) as Array<{ n: number }>;
  assert.equal(dead!.n, 0);
  assert.equal(pipeline.deliver.locks.inUse, 0);
});
