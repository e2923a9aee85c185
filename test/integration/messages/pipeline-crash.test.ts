import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { simulatedTenantsDir } from '../../../src/odoo/simulator/simulated-tenants-dir.js';
import { Background } from '../../support/child-process.js';
import {
  eventually,
  freightInvoice,
  startPipelineHarness,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

describe('a Crossdock process killed with SIGKILL in the middle of a batch', () => {
  let harness: PipelineHarness;
  let tenantsDir: string;
  before(async () => {
    harness = await startPipelineHarness('crash');
    tenantsDir = await simulatedTenantsDir(harness.simulator.url);
  });
  after(async () => {
    await harness?.close();
    if (tenantsDir) await rm(tenantsDir, { recursive: true, force: true });
  });

  const serve = (): Background =>
    new Background('node', ['dist/src/main.js'], {
      DATABASE_URL: harness.database.url,
      CROSSDOCK_DEMO: '1',
      CROSSDOCK_TENANTS_DIR: tenantsDir,
      ODOO_SIMULATOR: 'off',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });

  test('loses nothing and duplicates nothing in Odoo after a restart', async () => {
    const pipeline = await harness.startPipeline({ workers: false });
    // Slow Odoo down so that the kill lands while deliveries are in flight.
    harness.simulator.setFault({ mode: 'slow', delayMs: 150 });
    const total = 80;
    for (let i = 0; i < total; i += 1) {
      await pipeline.store.receive({
        tenantId: 'demo',
        partnerId: 'demo-carrier',
        channel: 'rest',
        payload: Buffer.from(JSON.stringify(freightInvoice('demo', `CRASH-${String(i).padStart(3, '0')}`))),
        environment: 'production',
      });
    }
    const delivered = async (): Promise<number> =>
      (
        (await harness.dataSource.query(
          `SELECT count(*)::int AS n FROM messages WHERE tenant_id = 'demo' AND direction = 'inbound' AND state = 'delivered'`,
        )) as { n: number }[]
      )[0]!.n;

    const first = serve();
    await first.waitFor(/Crossdock listening on/, 90_000).catch(async (error: unknown) => {
      await first.stop('SIGKILL');
      throw error;
    });
    await eventually(delivered, (n) => n >= 10, 60_000, 'the first deliveries');
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await delivered();
    assert.ok(atKill < total, `the kill must land mid-batch (${atKill} of ${total} were done)`);
    harness.simulator.clearFaults();

    const second = serve();
    try {
      await second.waitFor(/Crossdock listening on/, 90_000);
      await eventually(delivered, (n) => n === total, 120_000, `all ${total} delivered after the restart`);
    } finally {
      await second.stop('SIGTERM');
    }
    const bills = harness.simulator.state
      .db('demo')
      .records('account.move')
      .filter((m) => String(m['ref']).startsWith('CRASH-'));
    assert.equal(bills.length, total, 'every document reached Odoo');
    assert.equal(new Set(bills.map((b) => b['ref'])).size, total, 'none twice');
    const stuck = (await harness.dataSource.query(
      `SELECT count(*)::int AS n FROM documents WHERE tenant_id = 'demo' AND state <> 'delivered' AND canonical->>'invoiceNumber' LIKE 'CRASH-%'`,
    )) as { n: number }[];
    assert.equal(stuck[0]!.n, 0);
  });

  test('two processes on one database never work the same job twice', async () => {
    const pipeline = await harness.startPipeline({ workers: false });
    const a = serve();
    const b = serve();
    try {
      await a.waitFor(/Crossdock listening on/, 90_000);
      await b.waitFor(/Crossdock listening on/, 90_000);
      const ids: string[] = [];
      for (let i = 0; i < 60; i += 1) {
        const message = await pipeline.store.receive({
          tenantId: 'demo',
          partnerId: 'demo-carrier',
          channel: 'rest',
          payload: Buffer.from(JSON.stringify(freightInvoice('demo', `PAIR-${i}`))),
          environment: 'production',
        });
        ids.push(message.id);
      }
      await eventually(
        async () =>
          (
            (await harness.dataSource.query(
              `SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) AND state = 'delivered'`,
              [ids],
            )) as { n: number }[]
          )[0]!.n,
        (n) => n === ids.length,
        90_000,
        'both processes delivering',
      );
      const attempts = (await harness.dataSource.query(
        `SELECT e.document_id, count(*)::int AS n FROM message_events e
          WHERE e.message_id = ANY($1::uuid[]) AND e.document_id IS NOT NULL AND e.to_state = 'delivering'
          GROUP BY e.document_id`,
        [ids],
      )) as { document_id: string; n: number }[];
      assert.equal(attempts.length, ids.length);
      assert.ok(
        attempts.every((row) => row.n === 1),
        'each delivery job ran exactly once',
      );
      const translations = (await harness.dataSource.query(
        `SELECT message_id, count(*)::int AS n FROM message_events
          WHERE message_id = ANY($1::uuid[]) AND from_state = 'received' AND to_state = 'translated' GROUP BY message_id`,
        [ids],
      )) as { n: number }[];
      assert.ok(
        translations.every((row) => row.n === 1),
        'each translation ran exactly once',
      );
    } finally {
      await a.stop('SIGTERM');
      await b.stop('SIGTERM');
    }
  });
});
