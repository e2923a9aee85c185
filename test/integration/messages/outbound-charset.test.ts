import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { PublishOutbound } from '../../../src/messages/usecases/publish-outbound.js';
import { TenantRegistry } from '../../../src/tenancy/tenant-registry.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import { shipmentNotice } from '../../support/shipment-notice.js';

const ISSUED = '2026-11-27T10:00:00Z';

/** A ShipmentNotice whose ship-from party has a name with letters beyond ASCII. */
const withName = (id: string, name: string): Record<string, unknown> => ({
  ...shipmentNotice('demo-b', 'demo-b-edi', id, ISSUED),
  parties: [{ role: 'shipFrom', name, ids: [], address: { lines: [], city: 'KÖLN', country: 'DE' } }],
});

describe('outbound EDIFACT: the stored payload is in the character set its UNB declares', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  const publisher = (syntaxIdentifier?: string): PublishOutbound =>
    new PublishOutbound(
      harness.dataSource,
      pipeline.store,
      pipeline.jobs,
      new TenantRegistry(
        harness.tenants.map((t) =>
          t.id !== 'demo-b'
            ? t
            : {
                ...t,
                partners: t.partners.map((p) =>
                  p.id === 'demo-b-edi'
                    ? {
                        ...p,
                        edi: {
                          ...p.edi!,
                          documents: ['edifact-desadv'],
                          edifact: { ...p.edi!.edifact!, ...(syntaxIdentifier ? { syntaxIdentifier } : {}) },
                        },
                      }
                    : p,
                ),
              },
        ),
      ),
    );

  before(async () => {
    harness = await startPipelineHarness('outbound_charset');
    pipeline = await harness.startPipeline({ workers: false });
  });
  after(async () => {
    await harness?.close();
  });

  test('UNOC (the default): ISO 8859-1 bytes, one per letter', async () => {
    const sent = await publisher().run('demo-b', 'demo-b-edi', withName('CS-1', 'Müller Söhne'));
    assert.deepEqual([sent.state, sent.format], ['queued', 'edifact']);
    const payload = (await pipeline.store.payload('demo-b', sent.id))!;
    assert.match(payload.toString('latin1'), /^UNB\+UNOC:3\+.*\+Müller Söhne/);
    assert.ok(payload.includes(Buffer.from('M\xfcller', 'latin1')));
    assert.ok(!payload.includes(Buffer.from('ü', 'utf8')), 'no UTF-8 under UNOC');
  });

  test('a name UNOC cannot hold is not sent; a partner configured with UNOW gets it as UTF-8', async () => {
    const refused = await publisher().run('demo-b', 'demo-b-edi', withName('CS-2', 'Łódź'));
    assert.equal(refused.state, 'rejected');
    assert.match(
      JSON.stringify((await pipeline.store.detail('demo-b', refused.id))!.history),
      /not rendered as edifact-desadv: .*U\+0141 \\"Ł\\" is not in syntax identifier UNOC/,
    );
    const sent = await publisher('UNOW').run('demo-b', 'demo-b-edi', withName('CS-3', 'Łódź'));
    assert.equal(sent.state, 'queued');
    const payload = (await pipeline.store.payload('demo-b', sent.id))!;
    assert.match(payload.toString('utf8'), /^UNA:\+\.\?\*'UNB\+UNOW:4\+.*\+Łódź/);
  });

  test('the CONTRL answering a UNOC interchange echoes its ids in ISO 8859-1, not UTF-8', async () => {
    // The partner's id "MÜLLER" as a UNOC interchange carries it: Ü is the one byte 0xDC.
    const inbound = await pipeline.store.receive({
      tenantId: 'demo-b',
      partnerId: 'demo-b-edi',
      channel: 'sftp',
      payload: Buffer.from(
        "UNB+UNOC:3+MÜLLER:ZZ+CROSSDOCK:ZZ+240101:0000+CS4'UNH+1+IFTSTA:D:96A:UN'UNT+2+1'UNZ+1+CS4'",
        'latin1',
      ),
      fileName: 'contrl-charset.edi',
      environment: 'production',
    });
    await pipeline.translate.run('demo-b', inbound.id);
    const detail = (await pipeline.store.detail('demo-b', inbound.id))!;
    assert.deepEqual(
      detail.acknowledgements.map((a) => a.documentType),
      ['CONTRL'],
      JSON.stringify(detail.history),
    );
    const contrl = (await pipeline.store.payload('demo-b', detail.acknowledgements[0]!.id))!;
    assert.match(contrl.toString('latin1'), /^UNB\+UNOC:3\+CROSSDOCK:ZZ\+MÜLLER:ZZ\+/m);
    assert.ok(contrl.includes(Buffer.from('UCI+CS4+M\xdcLLER:ZZ+CROSSDOCK:ZZ+', 'latin1')));
    assert.ok(!contrl.includes(Buffer.from('Ü', 'utf8')), 'no UTF-8 under UNOC');
  });
});
