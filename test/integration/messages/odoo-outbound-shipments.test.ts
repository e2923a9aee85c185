import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { OdooClientPool } from '../../../src/odoo/odoo-client-pool.js';
import { OutgoingShipmentSync } from '../../../src/odoo/outgoing-shipment-sync.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import { shipmentNotice } from '../../support/shipment-notice.js';

describe('Odoo → partners: a done delivery becomes an 856 in the partner outbox', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  let sync: OutgoingShipmentSync;
  let clients: OdooClientPool;

  before(async () => {
    harness = await startPipelineHarness('outbound');
    pipeline = await harness.startPipeline({ workers: false });
    clients = new OdooClientPool(harness.registry);
    sync = new OutgoingShipmentSync(
      harness.dataSource,
      harness.registry,
      clients,
      async (tenantId, partnerId, document, key) =>
        (await pipeline.publish.run(tenantId, partnerId, document, { dedupeKey: key })).published
          ? 'published'
          : 'skipped',
    );
  });
  after(async () => {
    await clients?.close();
    await harness?.close();
  });

  test('polling publishes each shipped delivery once, rendered as the partner asked, with sequenced control numbers', async () => {
    const db = harness.simulator.state.db('demo');
    // The seed's confirmed order ORD-1001 has an open delivery; ship it to the EDI partner's account.
    const customer = db.create('res.partner', {
      name: 'Demo EDI Supplier',
      ref: 'demo-edi',
      is_company: true,
    });
    const [delivery] = db.search('stock.picking', [['picking_type_code', '=', 'outgoing']]);
    assert.ok(delivery, 'the seed has an outgoing delivery');
    db.write('stock.picking', [delivery], {
      partner_id: customer,
      carrier_tracking_ref: '1Z999AA10123456784',
    });
    assert.equal(await sync.poll('demo'), 0, 'nothing is shipped yet');
    db.buttonValidate([delivery]);

    assert.equal(await sync.poll('demo'), 1);
    const outbox = await pipeline.store.list('demo', {
      direction: 'outbound',
      partnerId: 'demo-edi',
      limit: 10,
    });
    const asn = outbox.items.find((m) => m.documentType === 'x12-856');
    assert.ok(asn, JSON.stringify(outbox.items));
    assert.equal(asn.state, 'queued');
    assert.equal(asn.format, 'x12');
    assert.match(asn.interchangeControlNumber ?? '', /^\d+$/);
    const text = (await pipeline.store.payload('demo', asn.id))!.toString('utf8');
    assert.match(text, /^ISA\*/);
    assert.match(text, /ST\*856\*/);
    assert.match(text, /1Z999AA10123456784/);
    assert.match(text, /ZZ\*DEMOLOGISTICS/, 'the tenant is the sender');

    assert.equal(await sync.poll('demo'), 0, 'a second poll publishes nothing new');
    assert.equal(
      await sync.pickingChanged('demo', delivery),
      'skipped',
      'a webhook for the same picking is a no-op',
    );
    const again = await pipeline.store.list('demo', {
      direction: 'outbound',
      partnerId: 'demo-edi',
      limit: 10,
    });
    assert.equal(again.items.filter((m) => m.documentType === 'x12-856').length, 1);

    const second = await pipeline.publish.run(
      'demo',
      'demo-edi',
      JSON.parse(
        JSON.stringify({
          documentType: 'ShipmentNotice',
          schemaVersion: '1',
          id: 'manual-1',
          tenantId: 'demo',
          partnerId: 'demo-edi',
          createdAt: '2026-11-27T10:00:00Z',
          source: { channel: 'odoo', format: 'manual', environment: 'production', messageId: 'm' },
          correlationId: 'manual-1',
          references: [],
          shipmentId: 'SHIP-2',
          // An 856 needs its date and time (BSN03/04): without them render refuses the document.
          issuedAt: '2026-11-27T10:00:00Z',
          purpose: 'original',
          trackingNumbers: [],
          parties: [],
          orders: [{ purchaseOrderNumber: 'PO-2', packages: [], lines: [] }],
        }),
      ) as Record<string, unknown>,
    );
    assert.ok(
      Number(second.interchangeControlNumber) > Number(asn.interchangeControlNumber),
      'control numbers come from the sequence',
    );
  });

  test('an acknowledgement from the partner settles the outbound message', async () => {
    const outbox = await pipeline.store.list('demo', {
      direction: 'outbound',
      partnerId: 'demo-edi',
      limit: 10,
    });
    const asn = outbox.items.find((m) => m.documentType === 'x12-856')!;
    const control = asn.interchangeControlNumber!.padStart(9, '0');
    const ack = [
      `ISA*00*          *00*          *ZZ*DEMOEDI        *ZZ*DEMOLOGISTICS  *261127*1200*U*00401*000000991*0*P*>~`,
      `GS*FA*DEMOEDI*DEMOLOGISTICS*20261127*1200*991*X*004010~`,
      `ST*997*0001~AK1*SH*${Number(control)}~AK2*856*0001~AK5*A~AK9*A*1*1*1~SE*6*0001~`,
      `GE*1*991~IEA*1*000000991~`,
    ].join('');
    const worker = await harness.startPipeline();
    const inbound = await worker.store.receive({
      tenantId: 'demo',
      partnerId: 'demo-edi',
      channel: 'sftp',
      payload: Buffer.from(ack),
      environment: 'production',
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const detail = await worker.store.detail('demo', asn.id);
      if (detail?.state === 'acknowledged') break;
      if (Date.now() > deadline) {
        const seen = await worker.store.detail('demo', inbound.id);
        assert.fail(
          `still ${detail?.state}; the 997 message: ${JSON.stringify(seen?.history)} ${JSON.stringify(seen?.diagnostics)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  test('a document that cannot become a valid 856 is kept as a rejected outbound message, and the next one goes out', async () => {
    const notice = (id: string, issuedAt?: string): Record<string, unknown> =>
      shipmentNotice('demo', 'demo-edi', id, issuedAt);
    // No issuedAt: an 856 has no BSN03/04 to write.
    const refused = await pipeline.publish.run('demo', 'demo-edi', notice('NO-DATE-1'), {
      dedupeKey: 'picking-77',
    });
    assert.equal(refused.state, 'rejected');
    const detail = await pipeline.store.detail('demo', refused.id);
    assert.match(
      JSON.stringify(detail!.history),
      /ShipmentNotice not rendered as x12-856: the rendered 856 \d+ would be rejected \(MANDATORY_ELEMENT_MISSING\): BSN03 is mandatory/,
    );
    assert.equal(
      JSON.parse((await pipeline.store.payload('demo', refused.id))!.toString('utf8')).id,
      'NO-DATE-1',
    );
    const next = await pipeline.publish.run(
      'demo',
      'demo-edi',
      notice('WITH-DATE-1', '2026-11-27T10:00:00Z'),
    );
    assert.equal(next.state, 'queued');
    // The same event, mended, goes out: the refusal does not count as its publication.
    const mended = await pipeline.publish.run(
      'demo',
      'demo-edi',
      notice('NO-DATE-1', '2026-11-27T10:00:00Z'),
      {
        dedupeKey: 'picking-77',
      },
    );
    assert.deepEqual([mended.published, mended.state], [true, 'queued']);
    const again = await pipeline.publish.run(
      'demo',
      'demo-edi',
      notice('NO-DATE-1', '2026-11-27T10:00:00Z'),
      {
        dedupeKey: 'picking-77',
      },
    );
    assert.deepEqual([again.published, again.id], [false, mended.id]);
  });
});
