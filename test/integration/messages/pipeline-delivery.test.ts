import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import {
  eventually,
  freightInvoice,
  startPipelineHarness,
  stateCounts,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

const TENANT = 'demo';

function vendorBills(harness: PipelineHarness, prefix: string): Record<string, unknown>[] {
  return harness.simulator.state
    .db('demo')
    .records('account.move')
    .filter((m) => m['move_type'] === 'in_invoice' && String(m['ref']).startsWith(prefix));
}

describe('message pipeline against PostgreSQL and the Odoo simulator', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;

  /** The sample 210 from demo-edi as a new interchange and invoice (`change` edits the text further). */
  async function receiveSample210(
    icn: string,
    invoice: string,
    change: (text: string) => string = (t) => t,
  ): Promise<{ id: string }> {
    const file = (await readFile('samples/x12/210-freight-invoice-INV-2026-001.edi', 'utf8'))
      .replaceAll('\n', '')
      .replaceAll('000000005', icn)
      .replace('INV-2026-001', invoice);
    return pipeline.store.receive({
      tenantId: TENANT,
      partnerId: 'demo-edi',
      channel: 'sftp',
      payload: Buffer.from(change(file)),
      fileName: `210-${invoice}.edi`,
      environment: 'production',
    });
  }

  before(async () => {
    harness = await startPipelineHarness('pipe');
    pipeline = await harness.startPipeline();
  });
  after(async () => {
    await harness?.close();
  });

  test('200 documents while Odoo is down for part of the run are all delivered exactly once', async () => {
    harness.simulator.setFault({ mode: 'down' });
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const number = `OUTAGE-${String(i).padStart(3, '0')}`;
      const message = await pipeline.store.receive({
        tenantId: TENANT,
        partnerId: 'demo-carrier',
        channel: 'rest',
        payload: Buffer.from(JSON.stringify(freightInvoice(TENANT, number))),
        contentType: 'application/json',
        environment: 'production',
      });
      ids.push(message.id);
    }
    // Let deliveries fail against the outage for a while, then bring Odoo back.
    await eventually(
      () =>
        harness.dataSource.query(`SELECT count(*)::int AS n FROM message_events WHERE to_state = 'failed'`),
      (rows: { n: number }[]) => rows[0]!.n >= 10,
      30_000,
      'failed attempts during the outage',
    );
    assert.equal(vendorBills(harness, 'OUTAGE-').length, 0, 'nothing reached Odoo while it was down');
    harness.simulator.clearFaults();

    const counts = await eventually(
      () => stateCounts(harness.dataSource, TENANT),
      (c) => (c['delivered'] ?? 0) >= 200,
      120_000,
      '200 delivered messages',
    );
    assert.equal(counts['delivered'], 200);
    assert.equal(counts['dead_lettered'] ?? 0, 0);
    const bills = vendorBills(harness, 'OUTAGE-');
    assert.equal(bills.length, 200, 'one vendor bill per document');
    assert.equal(new Set(bills.map((b) => b['ref'])).size, 200, 'no bill twice');
    const detail = await pipeline.store.detail(TENANT, ids[0]!);
    assert.equal(detail?.state, 'delivered');
    assert.ok(
      detail!.history.some((e) => e.to === 'failed'),
      'the failed attempts are in the history',
    );
    assert.equal(detail!.documents[0]!.odoo?.model, 'account.move');
  });

  test('a poison document is dead-lettered while the others flow; replay after the fix delivers it', async () => {
    harness.simulator.setFault({
      mode: 'validationError',
      model: 'account.move',
      matching: 'POISON-1',
      message: 'The journal is locked for this period',
    });
    const ids: Record<string, string> = {};
    for (const number of ['FLOW-1', 'POISON-1', 'FLOW-2', 'FLOW-3']) {
      const message = await pipeline.store.receive({
        tenantId: TENANT,
        partnerId: 'demo-carrier',
        channel: 'rest',
        payload: Buffer.from(JSON.stringify(freightInvoice(TENANT, number))),
        environment: 'production',
      });
      ids[number] = message.id;
    }
    const poison = await eventually(
      () => pipeline.store.detail(TENANT, ids['POISON-1']!),
      (d) => d?.state === 'dead_lettered',
      60_000,
      'the poison message dead-lettered',
    );
    assert.match(poison!.lastError ?? '', /The journal is locked for this period/);
    assert.equal(poison!.documents[0]!.attempts, 1, 'a business rejection is not retried');
    for (const number of ['FLOW-1', 'FLOW-2', 'FLOW-3']) {
      await eventually(
        () => pipeline.store.detail(TENANT, ids[number]!),
        (d) => d?.state === 'delivered',
        60_000,
        `${number} delivered`,
      );
    }
    assert.equal(vendorBills(harness, 'POISON-').length, 0);

    harness.simulator.clearFaults();
    const replay = await pipeline.replay.run(TENANT, ids['POISON-1']!, { actor: 'test' });
    assert.deepEqual(replay, {
      messageId: ids['POISON-1'],
      mode: 'redeliver',
      documents: 1,
      reason: 'documents queued for delivery again',
    });
    const replayed = await eventually(
      () => pipeline.store.detail(TENANT, ids['POISON-1']!),
      (d) => d?.state === 'delivered',
      60_000,
      'the replayed message delivered',
    );
    assert.ok(replayed!.history.some((e) => e.cause === 'replayed by test'));
    assert.equal(vendorBills(harness, 'POISON-').length, 1);
  });

  test('the same interchange twice: the second is recorded as a duplicate and not processed again', async () => {
    const file = await readFile('test/fixtures/edi/x12/210-4010-wrapped-80.edi');
    const first = await pipeline.store.receive({
      tenantId: TENANT,
      partnerId: 'demo-edi',
      channel: 'sftp',
      payload: file,
      fileName: '210.edi',
      environment: 'production',
    });
    const delivered = await eventually(
      () => pipeline.store.detail(TENANT, first.id),
      (d) => d?.state === 'delivered' || d?.state === 'dead_lettered',
      60_000,
      'the first 210 settled',
    );
    assert.equal(delivered!.state, 'delivered', JSON.stringify(delivered!.history));
    assert.equal(delivered!.interchangeControlNumber, '000000005');
    assert.equal(delivered!.acknowledgements.length, 1, 'a 997 waits in the outbox');
    assert.equal(delivered!.acknowledgements[0]!.documentType, '997');
    const bills = vendorBills(harness, 'INV-2026-001').length;
    assert.equal(bills, 1);

    const second = await pipeline.store.receive({
      tenantId: TENANT,
      partnerId: 'demo-edi',
      channel: 'sftp',
      payload: file,
      fileName: '210-again.edi',
      environment: 'production',
    });
    const duplicate = await eventually(
      () => pipeline.store.detail(TENANT, second.id),
      (d) => d?.state !== 'received',
      30_000,
      'the second copy classified',
    );
    assert.equal(duplicate!.state, 'duplicate');
    assert.equal(duplicate!.duplicateOf, first.id);
    assert.equal(duplicate!.documents.length, 0);
    assert.equal(vendorBills(harness, 'INV-2026-001').length, 1, 'not applied twice');
  });

  test('a functional group its trailer rejects (AK9 R) is stored but never delivered: the partner resends it', async () => {
    // The sample 210 with GE02 ≠ GS06: the set itself is fine, its group is not.
    const message = await receiveSample210('000000905', 'INV-2026-GE9', (t) =>
      t.replace('GE*1*5~', 'GE*1*6~'),
    );
    const settled = await eventually(
      () => pipeline.store.detail(TENANT, message.id),
      (d) => d !== undefined && !['received', 'parsed', 'translated'].includes(d.state),
      30_000,
      'the rejected group classified',
    );
    assert.equal(settled!.documents.length, 1, 'kept, visible');
    assert.equal(settled!.documents[0]!.state, 'rejected');
    const history = JSON.stringify(settled!.history);
    assert.match(
      history,
      /functional group IM 5 of interchange 000000905 was rejected: not delivered, the partner must resend it/,
    );
    assert.equal(settled!.acknowledgements.length, 1);
    assert.equal(vendorBills(harness, 'INV-2026-GE9').length, 0, 'nothing reached Odoo');
  });

  test('broken map overrides of a partner keep its message waiting (not rejected), and it goes on once mended', async () => {
    const maps = mkdtempSync(join(tmpdir(), 'maps-'));
    cpSync('edi-maps', maps, { recursive: true });
    const partnerFile = join(maps, 'partners', 'demo-edi', 'partner.yaml');
    mkdirSync(dirname(partnerFile), { recursive: true });
    writeFileSync(partnerFile, 'timezone: America/Chicago\n');
    const before = process.env['CROSSDOCK_MAPS_DIR'];
    process.env['CROSSDOCK_MAPS_DIR'] = maps;
    try {
      const message = await receiveSample210('000000906', 'INV-2026-PB1');
      const waiting = await eventually(
        () => pipeline.store.detail(TENANT, message.id),
        (d) => JSON.stringify(d?.history ?? []).includes('map overrides are broken'),
        30_000,
        'the broken partner file noted',
      );
      assert.equal(waiting!.state, 'received', 'not rejected: the partner sent nothing wrong');
      assert.equal(waiting!.acknowledgements.length, 0, 'no ack for a translation that did not happen');
      assert.match(
        JSON.stringify(waiting!.history),
        /partners\/demo-edi\/partner.yaml at \/timezone: unknown key/,
      );
      rmSync(partnerFile);
      const delivered = await eventually(
        () => pipeline.store.detail(TENANT, message.id),
        (d) => d?.state === 'delivered' || d?.state === 'dead_lettered' || d?.state === 'rejected',
        60_000,
        'the message after the mend',
      );
      assert.equal(delivered!.state, 'delivered', JSON.stringify(delivered!.history));
      assert.equal(vendorBills(harness, 'INV-2026-PB1').length, 1);
    } finally {
      if (before === undefined) delete process.env['CROSSDOCK_MAPS_DIR'];
      else process.env['CROSSDOCK_MAPS_DIR'] = before;
    }
  });

  test('a test-environment document for a tenant without a sandbox is held, never sent to production', async () => {
    const document = {
      ...freightInvoice('demo-b', 'TEST-ONLY-1'),
      source: { channel: 'rest', format: 'json', environment: 'test', messageId: 'x' },
    };
    const message = await pipeline.store.receive({
      tenantId: 'demo-b',
      partnerId: 'demo-b-carrier',
      channel: 'rest',
      payload: Buffer.from(JSON.stringify(document)),
      environment: 'production',
    });
    const held = await eventually(
      () => pipeline.store.detail('demo-b', message.id),
      (d) => d?.state !== 'received',
      30_000,
      'the test document classified',
    );
    assert.equal(held!.state, 'held_test');
    assert.equal(held!.documents[0]!.state, 'held_test');
    assert.equal(
      harness.simulator.state
        .db('demo-b')
        .records('account.move')
        .filter((m) => m['ref'] === 'TEST-ONLY-1').length,
      0,
    );
  });

  test('a test-environment document of a tenant with a sandbox goes to the sandbox only', async () => {
    const document = {
      ...freightInvoice(TENANT, 'SANDBOX-1'),
      source: { channel: 'rest', format: 'json', environment: 'test', messageId: 'y' },
    };
    const message = await pipeline.store.receive({
      tenantId: TENANT,
      partnerId: 'demo-carrier',
      channel: 'rest',
      payload: Buffer.from(JSON.stringify(document)),
      environment: 'production',
    });
    const done = await eventually(
      () => pipeline.store.detail(TENANT, message.id),
      (d) => d?.state === 'delivered' || d?.state === 'dead_lettered',
      30_000,
      'the sandbox delivery',
    );
    assert.equal(done!.state, 'delivered');
    assert.equal(done!.documents[0]!.target, 'sandbox');
    const inSandbox = harness.simulator.state
      .db('demo-sandbox')
      .records('account.move')
      .filter((m) => m['ref'] === 'SANDBOX-1');
    const inProduction = harness.simulator.state
      .db('demo')
      .records('account.move')
      .filter((m) => m['ref'] === 'SANDBOX-1');
    assert.equal(inSandbox.length, 1);
    assert.equal(inProduction.length, 0);
  });
});
