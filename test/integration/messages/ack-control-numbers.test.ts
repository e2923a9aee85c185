import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { createDataSource } from '../../../src/database/data-source.js';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { PublishOutbound } from '../../../src/messages/usecases/publish-outbound.js';
import { TranslateMessage } from '../../../src/messages/usecases/translate-message.js';
import { controlNumberCounters, receive210, x12ControlNumbers } from '../../support/inbound-x12.js';
import { eventually, startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import { shipmentNotice } from '../../support/shipment-notice.js';

const TENANT = 'demo';
const PARTNER = 'demo-edi';

/** The numbers (ISA13, GS06, ST02) of the ack stored for an inbound message; undefined without one. */
async function ackNumbers(
  pipeline: Pipeline,
  messageId: string,
): Promise<{ isa13: number; gs06: number; st02: number } | undefined> {
  const detail = await pipeline.store.detail(TENANT, messageId);
  if (detail!.acknowledgements.length === 0) return undefined;
  assert.equal(detail!.acknowledgements.length, 1, `one ack for ${messageId}`);
  const ack = (await pipeline.store.payload(TENANT, detail!.acknowledgements[0]!.id))!.toString();
  const [numbers, ...more] = x12ControlNumbers(ack);
  assert.equal(more.length, 0, ack);
  return numbers;
}

const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
const following = (last: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => last + i + 1);

describe('acknowledgements take consecutive control numbers', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  before(async () => {
    harness = await startPipelineHarness('ack_numbers');
    pipeline = await harness.startPipeline();
  });
  after(async () => {
    await harness?.close();
  });

  const settled = (id: string): Promise<unknown> =>
    eventually(
      () => pipeline.store.detail(TENANT, id),
      (d) => d !== undefined && !['received', 'parsed', 'translated', 'delivering'].includes(d.state),
      30_000,
      `message ${id}`,
    );

  test('an ack takes only the numbers it carries: "GS" in the data draws none, a received 997 (no ack) none', async () => {
    const before = await controlNumberCounters(harness.dataSource);
    const first = await receive210(pipeline.store, '000000941', 'INV-GSGSGS-UNH');
    await settled(first);
    const isa = (await readFile('samples/x12/210-freight-invoice-INV-2026-001.edi', 'utf8'))
      .replaceAll('\n', '')
      .split('~')[0]!
      .replace('000000005', '000000942');
    const fa = await pipeline.store.receive({
      tenantId: TENANT,
      partnerId: PARTNER,
      channel: 'sftp',
      payload: Buffer.from(
        `${isa}~GS*FA*SENDERID*RECEIVERID*20261127*0930*942*X*004010~ST*997*0001~AK1*SH*17~AK9*A*1*1*1~SE*4*0001~GE*1*942~IEA*1*000000942~`,
      ),
      fileName: 'fa.edi',
      environment: 'production',
    });
    await settled(fa.id);
    assert.equal(await ackNumbers(pipeline, fa.id), undefined);
    const second = await receive210(pipeline.store, '000000943', 'INV-2026-RC3');
    await settled(second);
    const b = before;
    assert.deepEqual(await ackNumbers(pipeline, first), {
      isa13: b.interchange + 1,
      gs06: b.group + 1,
      st02: b.transaction + 1,
    });
    assert.deepEqual(await ackNumbers(pipeline, second), {
      isa13: b.interchange + 2,
      gs06: b.group + 2,
      st02: b.transaction + 2,
    });
    assert.deepEqual(await controlNumberCounters(harness.dataSource), {
      interchange: b.interchange + 2,
      group: b.group + 2,
      transaction: b.transaction + 2,
    });
  });
});

describe('acknowledgement control numbers under concurrency and retries', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  before(async () => {
    harness = await startPipelineHarness('ack_concurrency');
    // No workers: the test runs each translation itself, at the moment it chooses.
    pipeline = await harness.startPipeline({ workers: false });
  });
  after(async () => {
    await harness?.close();
  });

  test('translations and publishes for one partner from two processes at once: numbers consecutive, none twice', async (t) => {
    // A second process: its own connection pool, its own translator and publisher.
    const otherPool = createDataSource(harness.database.url);
    await otherPool.initialize();
    t.after(() => otherPool.destroy());
    const otherTranslate = new TranslateMessage(otherPool, pipeline.store, pipeline.jobs, harness.registry);
    const otherPublish = new PublishOutbound(otherPool, pipeline.store, pipeline.jobs, harness.registry);

    const before = await controlNumberCounters(harness.dataSource);
    // "GS" and "UNH" in the data: a count of the raw bytes would take more numbers than the ack uses.
    const inbound: string[] = [];
    for (let i = 0; i < 8; i++)
      inbound.push(await receive210(pipeline.store, String(951 + i).padStart(9, '0'), `INV-GSGS-UNH-${i}`));
    const published = await Promise.all([
      ...inbound.map((id, i) => (i % 2 === 0 ? pipeline.translate : otherTranslate).run(TENANT, id)),
      ...[0, 1, 2].map((i) =>
        (i % 2 === 0 ? pipeline.publish : otherPublish).run(
          TENANT,
          PARTNER,
          shipmentNotice(TENANT, PARTNER, `ACK-PAR-${i}`, '2026-11-27T10:00:00Z'),
        ),
      ),
    ]).then((results) => results.slice(inbound.length) as { id: string }[]);

    const acks = await Promise.all(inbound.map((id) => ackNumbers(pipeline, id)));
    const documents = await Promise.all(
      published.map(
        async (m) => x12ControlNumbers((await pipeline.store.payload(TENANT, m.id))!.toString('utf8'))[0]!,
      ),
    );
    const all = [...acks.map((a) => a!), ...documents];
    assert.equal(all.length, 11);
    assert.deepEqual(sorted(all.map((n) => n.isa13)), following(before.interchange, 11));
    assert.deepEqual(sorted(all.map((n) => n.gs06)), following(before.group, 11));
    assert.deepEqual(sorted(all.map((n) => n.st02)), following(before.transaction, 11));
    // The stored digest and size are those of the payload as numbered, not as first written.
    const [stale] = (await harness.dataSource.query(
      `SELECT count(*)::int AS n FROM messages WHERE related_message_id = ANY($1::uuid[])
          AND (payload_sha256 <> encode(sha256(payload), 'hex') OR payload_size <> length(payload))`,
      [inbound],
    )) as { n: number }[];
    assert.equal(stale!.n, 0);
    assert.deepEqual(await controlNumberCounters(harness.dataSource), {
      interchange: before.interchange + 11,
      group: before.group + 11,
      transaction: before.transaction + 11,
    });
  });

  test('an ack in the delimiters of the interchange it answers is stored as what it is: 999, 997 or TA1', async () => {
    const cases = [
      // Element separator ~, terminator …
      ['210-5010-tilde-element-ellipsis-terminator.edi', '999'],
      // Control characters as separators and terminator.
      ['856-5010-spoi-nonprintable.edi', '999'],
      ['214-4010-dot-terminator-space-before.edi', '997'],
      // A trimmed ISA is refused whole: a TA1 alone.
      ['214-4010-trimmed-isa.edi', 'TA1'],
    ] as const;
    for (const [file, kind] of cases) {
      const message = await pipeline.store.receive({
        tenantId: TENANT,
        partnerId: PARTNER,
        channel: 'sftp',
        payload: await readFile(`test/fixtures/edi/x12/${file}`),
        fileName: file,
        environment: 'production',
      });
      await pipeline.translate.run(TENANT, message.id);
      const detail = await pipeline.store.detail(TENANT, message.id);
      assert.deepEqual(
        detail!.acknowledgements.map((ack) => ack.documentType),
        [kind],
        file,
      );
      assert.match(JSON.stringify(detail!.history), new RegExp(`${kind} acknowledgement queued as`), file);
    }
  });

  test('a translation failing after its acks were numbered takes the same numbers when retried, and none once stored', async (t) => {
    const before = await controlNumberCounters(harness.dataSource);
    const id = await receive210(pipeline.store, '000000971', 'INV-RETRY-1');
    // A real failure at the very end, after the acks were numbered: the commit itself fails (a
    // deferred trigger refuses the documents when the transaction commits).
    await harness.dataSource.query(
      `CREATE FUNCTION refuse_documents() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'documents refused for the test'; END $$`,
    );
    await harness.dataSource.query(
      `CREATE CONSTRAINT TRIGGER refuse_documents AFTER INSERT ON documents DEFERRABLE INITIALLY DEFERRED
       FOR EACH ROW EXECUTE FUNCTION refuse_documents()`,
    );
    const dropTrigger = async (): Promise<void> => {
      await harness.dataSource.query(`DROP TRIGGER IF EXISTS refuse_documents ON documents`);
      await harness.dataSource.query(`DROP FUNCTION IF EXISTS refuse_documents()`);
    };
    t.after(dropTrigger);
    await assert.rejects(pipeline.translate.run(TENANT, id), /documents refused for the test/);
    assert.deepEqual(await controlNumberCounters(harness.dataSource), before, 'the failed attempt drew none');
    assert.equal((await pipeline.store.detail(TENANT, id))!.state, 'received');
    assert.equal(await ackNumbers(pipeline, id), undefined);

    await dropTrigger();
    await pipeline.translate.run(TENANT, id);
    const numbered = {
      isa13: before.interchange + 1,
      gs06: before.group + 1,
      st02: before.transaction + 1,
    };
    assert.deepEqual(await ackNumbers(pipeline, id), numbered);
    // The same job delivered again (pg-boss is at-least-once): the ack is stored, nothing is drawn.
    await pipeline.translate.run(TENANT, id);
    assert.deepEqual(await ackNumbers(pipeline, id), numbered);
    assert.deepEqual(await controlNumberCounters(harness.dataSource), {
      interchange: before.interchange + 1,
      group: before.group + 1,
      transaction: before.transaction + 1,
    });
  });
});
