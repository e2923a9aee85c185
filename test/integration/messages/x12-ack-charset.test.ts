import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { x12ControlNumbers } from '../../support/inbound-x12.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

const TENANT = 'demo';
const PARTNER = 'demo-edi';

/** A 997 is due for this 856: its BSN01 (an ID 2/2) holds `code`, which the AK404 copies. */
async function asnWithBadCode(code: Buffer, icn: string): Promise<Buffer> {
  const text = (await readFile('test/fixtures/edi/x12/negative/bsn-invalid-code.edi', 'latin1')).replaceAll(
    '000000100',
    icn,
  );
  const [head, tail] = text.split('BSN*99*');
  return Buffer.concat([Buffer.from(`${head}BSN*`, 'latin1'), code, Buffer.from(`*${tail}`, 'latin1')]);
}

describe('an X12 ack is stored in the bytes the interchange came in', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  before(async () => {
    harness = await startPipelineHarness('x12_ack_charset');
    pipeline = await harness.startPipeline();
  });
  after(async () => {
    await harness?.close();
  });

  const storedAck = async (payload: Buffer): Promise<Buffer> => {
    const message = await pipeline.store.receive({
      tenantId: TENANT,
      partnerId: PARTNER,
      channel: 'sftp',
      payload,
      fileName: 'asn.edi',
      environment: 'production',
    });
    await pipeline.translate.run(TENANT, message.id);
    const detail = await pipeline.store.detail(TENANT, message.id);
    assert.equal(detail!.acknowledgements.length, 1);
    return (await pipeline.store.payload(TENANT, detail!.acknowledgements[0]!.id))!;
  };

  test("Windows-1252 in, Windows-1252 out: the AK404 copy is the partner's bytes, after numbering too", async () => {
    // "€é" as Windows-1252 (0x80 0xE9): not UTF-8, so read (and answered) one byte per character.
    const ack = await storedAck(await asnWithBadCode(Buffer.from([0x80, 0xe9]), '000000801'));
    assert.ok(
      ack.includes(Buffer.from([...Buffer.from('AK4*1*353*7*'), 0x80, 0xe9, 0x7e])),
      ack.toString('latin1'),
    );
    assert.ok(!ack.includes(Buffer.from('€é', 'utf8')));
    // The partner's own control numbers replaced the provisional ones, the envelope consistent.
    assert.equal(x12ControlNumbers(ack.toString('latin1')).length, 1);
  });

  test('UTF-8 in, UTF-8 out', async () => {
    const ack = await storedAck(await asnWithBadCode(Buffer.from('€é', 'utf8'), '000000802'));
    assert.ok(ack.includes(Buffer.from('AK4*1*353*7*€é~', 'utf8')), ack.toString('utf8'));
  });
});
