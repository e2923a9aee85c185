import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

const TENANT = 'demo';
const PARTNER = 'demo-edi';

describe('a NUL character in EDI data', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  before(async () => {
    harness = await startPipelineHarness('nul_in_edi');
    pipeline = await harness.startPipeline();
  });
  after(async () => {
    await harness?.close();
  });

  const translated = async (payload: Buffer) => {
    const message = await pipeline.store.receive({
      tenantId: TENANT,
      partnerId: PARTNER,
      channel: 'sftp',
      payload,
      fileName: 'asn.edi',
      environment: 'production',
    });
    await pipeline.translate.run(TENANT, message.id);
    return (await pipeline.store.detail(TENANT, message.id))!;
  };

  test('in a code the set rejects: the message is rejected with its diagnostic, not stuck', async () => {
    const text = (await readFile('test/fixtures/edi/x12/negative/bsn-invalid-code.edi', 'latin1')).replaceAll(
      '000000100',
      '000000901',
    );
    const detail = await translated(Buffer.from(text.replace('BSN*99*', 'BSN*\u0000\u0000*'), 'latin1'));
    assert.equal(detail.state, 'rejected', JSON.stringify(detail));
    const bad = (detail.diagnostics as { segmentId?: string; badData?: string }[]).find(
      (d) => d.segmentId === 'BSN',
    );
    assert.ok(bad, JSON.stringify(detail.diagnostics));
    assert.equal(bad.badData, '\u2400\u2400', 'shown with the symbol for NUL');
    assert.equal(detail.acknowledgements.length, 1, 'its 997 is kept');
  });

  test('in a name the document keeps: the message is translated or rejected, never stuck in received', async () => {
    const text = (
      await readFile('test/fixtures/edi/x12/856-4010-sopi-tilde-newline.edi', 'latin1')
    ).replaceAll(/\*(\d{9})\*(\d)\*P\*/g, '*000000902*$2*P*');
    const withNul = text.replace(/N1\*ST\*([^*~]+)/, 'N1*ST*BIG\u0000STORE');
    assert.notEqual(withNul, text);
    const detail = await translated(Buffer.from(withNul, 'latin1'));
    assert.notEqual(detail.state, 'received', JSON.stringify(detail));
  });

  test('in the sender id of the ISA: the message gets past translation with the sender shown, not stuck', async () => {
    const text = (await readFile('test/fixtures/edi/x12/856-4010-sopi-tilde-newline.edi', 'latin1'))
      .replaceAll(/\*(\d{9})\*(\d)\*P\*/g, '*000000903*$2*P*')
      .replace('*SENDERID       *', '*SENDER\u0000ID      *');
    assert.ok(text.includes('\u0000'));
    const detail = await translated(Buffer.from(text, 'latin1'));
    assert.notEqual(detail.state, 'received', JSON.stringify(detail));
  });
});
