/**
 * An ASN's delivery locks its receipt for the read-add-write of the tracking numbers: the lock is
 * held on the delivery lock pool's own connection, not the main pool's, and stopping the pipeline
 * closes that pool once the workers are off.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { eventually, startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import { queryRows } from '../../support/test-database.js';

let harness: PipelineHarness;
let pipeline: Pipeline;

before(async () => {
  harness = await startPipelineHarness('pipe_locks');
  pipeline = await harness.startPipeline();
});
after(async () => {
  await harness?.close();
});

async function connectionsNamed(applicationName: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    harness.database.url,
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
    [applicationName],
  );
  return row!.n;
}

test('an ASN delivered through the pipeline locks its receipt on the lock pool, which stop closes', async () => {
  const message = await pipeline.store.receive({
    tenantId: 'demo',
    partnerId: 'demo-edi',
    channel: 'sftp',
    payload: Buffer.from(await readFile('samples/x12/856-asn-PO778899.edi', 'utf8')),
    fileName: '856-asn-PO778899.edi',
    environment: 'production',
  });
  await eventually(
    () => harness.dataSource.query(`SELECT state FROM messages WHERE id = $1`, [message.id]),
    (rows: { state: string }[]) => rows[0]?.state === 'delivered',
    60_000,
    'the ASN delivered',
  );
  const receipt = harness.simulator.state
    .db('demo')
    .records('stock.picking')
    .find((p) => p['origin'] === 'PO778899');
  assert.ok(String(receipt?.['carrier_tracking_ref'] ?? '').length > 0, 'tracking written under the lock');
  // The section's lock connection went back to its pool, idle, with no lock left on it.
  assert.equal(pipeline.deliver.locks.inUse, 0);
  assert.equal(await connectionsNamed('crossdock-locks'), 1);
  const [held] = await queryRows<{ n: number }>(
    harness.database.url,
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
  );
  assert.equal(held!.n, 0);

  await pipeline.stop();
  assert.equal(await connectionsNamed('crossdock-locks'), 0, 'stop closed the lock connections');
  await assert.rejects(
    pipeline.deliver.locks.withLocks(['any'], async () => 'ran'),
    /lock pool is closed/,
  );
});
