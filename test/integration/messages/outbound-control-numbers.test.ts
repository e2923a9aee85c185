import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDataSource } from '../../../src/database/data-source.js';
import { numberAcknowledgements } from '../../../src/messages/control-numbers.js';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { PublishOutbound } from '../../../src/messages/usecases/publish-outbound.js';
import { TenantRegistry } from '../../../src/tenancy/tenant-registry.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import { shipmentNotice } from '../../support/shipment-notice.js';

const ISSUED = '2026-11-27T10:00:00Z';

/** ISA13, GS06 and ST02 of a rendered 856 (one group, one set). */
function x12Numbers(text: string): { isa13: number; gs06: number; st02: number } {
  const segments = text.split('~').map((s) => s.split('*'));
  const element = (tag: string, index: number): number => Number(segments.find((s) => s[0] === tag)![index]);
  return { isa13: element('ISA', 13), gs06: element('GS', 6), st02: element('ST', 2) };
}

/** UNB 0020 and UNH 0062 of a rendered DESADV (one message). */
function edifactNumbers(text: string): { unb0020: number; unh0062: number } {
  const segments = text.split("'").map((s) => s.split('+'));
  return {
    unb0020: Number(segments.find((s) => s[0] === 'UNB')![5]),
    unh0062: Number(segments.find((s) => s[0] === 'UNH')![1]),
  };
}

describe('outbound control numbers: a document render refuses uses none up', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  /** Publishes for tenant demo-b, whose partner demo-b-edi takes ShipmentNotices as DESADV here. */
  let edifact: PublishOutbound;

  before(async () => {
    harness = await startPipelineHarness('outbound_numbers');
    pipeline = await harness.startPipeline({ workers: false });
    const desadvOnly = harness.tenants.map((t) =>
      t.id !== 'demo-b'
        ? t
        : {
            ...t,
            partners: t.partners.map((p) =>
              p.id === 'demo-b-edi' ? { ...p, edi: { ...p.edi!, documents: ['edifact-desadv'] } } : p,
            ),
          },
    );
    edifact = new PublishOutbound(
      harness.dataSource,
      pipeline.store,
      pipeline.jobs,
      new TenantRegistry(desadvOnly),
    );
  });
  after(async () => {
    await harness?.close();
  });

  const payload = async (tenantId: string, id: string): Promise<string> =>
    (await pipeline.store.payload(tenantId, id))!.toString('utf8');

  test('X12: after a refused 856 the next one carries the ISA13, GS06 and ST02 right after the last one sent', async () => {
    const first = await pipeline.publish.run(
      'demo',
      'demo-edi',
      shipmentNotice('demo', 'demo-edi', 'SEQ-1', ISSUED),
    );
    assert.equal(first.state, 'queued');
    const before = x12Numbers(await payload('demo', first.id));

    const refused = await pipeline.publish.run(
      'demo',
      'demo-edi',
      shipmentNotice('demo', 'demo-edi', 'SEQ-NO-DATE'),
    );
    assert.deepEqual(
      [refused.state, refused.format, refused.interchangeControlNumber],
      ['rejected', 'json', null],
    );
    const detail = await pipeline.store.detail('demo', refused.id);
    assert.match(
      JSON.stringify(detail!.history),
      /ShipmentNotice not rendered as x12-856: the rendered 856 \d+ would be rejected \(MANDATORY_ELEMENT_MISSING\): BSN03 is mandatory/,
    );
    assert.equal(JSON.parse(await payload('demo', refused.id)).id, 'SEQ-NO-DATE');

    const next = await pipeline.publish.run(
      'demo',
      'demo-edi',
      shipmentNotice('demo', 'demo-edi', 'SEQ-2', ISSUED),
    );
    assert.equal(next.state, 'queued');
    assert.deepEqual(x12Numbers(await payload('demo', next.id)), {
      isa13: before.isa13 + 1,
      gs06: before.gs06 + 1,
      st02: before.st02 + 1,
    });
    assert.equal(next.interchangeControlNumber, String(before.isa13 + 1));
  });

  test('EDIFACT: after a refused DESADV the next one carries the UNB and UNH references right after the last one sent', async () => {
    const first = await edifact.run(
      'demo-b',
      'demo-b-edi',
      shipmentNotice('demo-b', 'demo-b-edi', 'SEQ-1', ISSUED),
    );
    assert.deepEqual([first.state, first.format], ['queued', 'edifact']);
    const before = edifactNumbers(await payload('demo-b', first.id));

    // BGM 1004 is an..35: a 40-character shipment id does not fit.
    const refused = await edifact.run(
      'demo-b',
      'demo-b-edi',
      shipmentNotice('demo-b', 'demo-b-edi', 'S'.repeat(40), ISSUED),
    );
    assert.deepEqual([refused.state, refused.interchangeControlNumber], ['rejected', null]);
    assert.match(
      JSON.stringify((await pipeline.store.detail('demo-b', refused.id))!.history),
      /ShipmentNotice not rendered as edifact-desadv: .*VALUE_TOO_LONG\): BGM element 2 component 1 is 40 long, format an..35/,
    );

    const next = await edifact.run(
      'demo-b',
      'demo-b-edi',
      shipmentNotice('demo-b', 'demo-b-edi', 'SEQ-2', ISSUED),
    );
    assert.equal(next.state, 'queued');
    assert.deepEqual(edifactNumbers(await payload('demo-b', next.id)), {
      unb0020: before.unb0020 + 1,
      unh0062: before.unh0062 + 1,
    });
  });

  test('concurrent publishes for one partner from two processes, refused ones among them, get distinct numbers with no gap', async (t) => {
    // A second publisher with its own connection pool, as another Crossdock process would have.
    const otherPool = createDataSource(harness.database.url);
    await otherPool.initialize();
    t.after(() => otherPool.destroy());
    const other = new PublishOutbound(otherPool, pipeline.store, pipeline.jobs, harness.registry);
    const last = await lastNumbers('demo', 'demo-edi');
    const runs = Array.from({ length: 12 }, (_, i) =>
      (i % 2 === 0 ? pipeline.publish : other).run(
        'demo',
        'demo-edi',
        // Every third document is refused.
        shipmentNotice('demo', 'demo-edi', `PAR-${i}`, i % 3 === 2 ? undefined : ISSUED),
      ),
    );
    const published = await Promise.all(runs);
    assert.deepEqual(
      published.map((m) => m.state),
      Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? 'rejected' : 'queued')),
    );
    const sent = await Promise.all(
      published.filter((m) => m.state === 'queued').map(async (m) => x12Numbers(await payload('demo', m.id))),
    );
    const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
    const following = (from: number): number[] => Array.from({ length: 8 }, (_, i) => from + i + 1);
    assert.deepEqual(sorted(sent.map((n) => n.isa13)), following(last.interchange));
    assert.deepEqual(sorted(sent.map((n) => n.gs06)), following(last.group));
    assert.deepEqual(sorted(sent.map((n) => n.st02)), following(last.transaction));
    assert.deepEqual(await lastNumbers('demo', 'demo-edi'), {
      interchange: last.interchange + 8,
      group: last.group + 8,
      transaction: last.transaction + 8,
    });
  });

  test('an acknowledgement numbered as it is stored and a publish go on from one sequence', async () => {
    const last = await lastNumbers('demo', 'demo-edi');
    // A 997 as the engine writes it during a translation, with its provisional numbers.
    const provisional =
      'ISA*00*          *00*          *ZZ*RECEIVERID     *ZZ*SENDERID       *261127*1000*U*00401*000000001*0*P*>~' +
      'GS*FA*RECEIVERID*SENDERID*20261127*1000*1*X*004010~ST*997*0001~AK1*IM*5~AK2*210*0005~AK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*1~IEA*1*000000001~';
    const [ack] = await harness.dataSource.transaction((manager) =>
      numberAcknowledgements(manager, 'demo', 'demo-edi', [provisional]),
    );
    assert.deepEqual(x12Numbers(ack!), {
      isa13: last.interchange + 1,
      gs06: last.group + 1,
      st02: last.transaction + 1,
    });
    const next = await pipeline.publish.run(
      'demo',
      'demo-edi',
      shipmentNotice('demo', 'demo-edi', 'AFTER-ACK', ISSUED),
    );
    assert.deepEqual(x12Numbers(await payload('demo', next.id)), {
      isa13: last.interchange + 2,
      gs06: last.group + 2,
      st02: last.transaction + 2,
    });
  });

  test('past 999999999 the numbers start again at 1, and a refusal there does not move them either', async () => {
    await harness.dataSource.query(
      `UPDATE control_number_sequences SET last_value = 999999999
        WHERE tenant_id = 'demo' AND partner_id = 'demo-edi' AND kind = 'interchange'`,
    );
    const refused = await pipeline.publish.run(
      'demo',
      'demo-edi',
      shipmentNotice('demo', 'demo-edi', 'WRAP-NO-DATE'),
    );
    assert.equal(refused.state, 'rejected');
    assert.equal((await lastNumbers('demo', 'demo-edi')).interchange, 999_999_999);
    const next = await pipeline.publish.run(
      'demo',
      'demo-edi',
      shipmentNotice('demo', 'demo-edi', 'WRAP-1', ISSUED),
    );
    assert.equal(x12Numbers(await payload('demo', next.id)).isa13, 1);
    assert.match(await payload('demo', next.id), /^ISA(\*[^*]*){12}\*000000001\*/);
    assert.equal((await lastNumbers('demo', 'demo-edi')).interchange, 1);
  });

  /** The partner's counters: the last number of each kind that went out. */
  async function lastNumbers(
    tenantId: string,
    partnerId: string,
  ): Promise<{ interchange: number; group: number; transaction: number }> {
    const rows = (await harness.dataSource.query(
      `SELECT kind, last_value FROM control_number_sequences WHERE tenant_id = $1 AND partner_id = $2`,
      [tenantId, partnerId],
    )) as { kind: 'interchange' | 'group' | 'transaction'; last_value: string }[];
    const value = (kind: string): number => Number(rows.find((r) => r.kind === kind)!.last_value);
    return { interchange: value('interchange'), group: value('group'), transaction: value('transaction') };
  }
});
