import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Transition } from '../../../src/messages/message-store.js';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { receive210, x12ControlNumbers } from '../../support/inbound-x12.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import { shipmentNotice } from '../../support/shipment-notice.js';

const TENANT = 'demo';
const PARTNER = 'demo-edi';

/** A 997 from demo-edi with one FA group per 856 it accepts, each naming that 856's GS06 and ST02. */
function functionalAcks(answered: readonly { gs06: number; st02: number }[], icn: number): string {
  const isa = `ISA*00*          *00*          *ZZ*DEMOEDI        *ZZ*DEMOLOGISTICS  *261127*1200*U*00401*${String(icn).padStart(9, '0')}*0*P*>~`;
  const groups = answered.map(
    ({ gs06, st02 }, i) =>
      `GS*FA*DEMOEDI*DEMOLOGISTICS*20261127*1200*${icn + i}*X*004010~` +
      `ST*997*0001~AK1*SH*${gs06}~AK2*856*${String(st02).padStart(4, '0')}~AK5*A~AK9*A*1*1*1~SE*6*0001~` +
      `GE*1*${icn + i}~`,
  );
  return `${isa}${groups.join('')}IEA*${answered.length}*${String(icn).padStart(9, '0')}~`;
}

describe('acknowledgements received and sent: their history and its audit', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  const notified: Transition[] = [];
  before(async () => {
    harness = await startPipelineHarness('inbound_acks');
    pipeline = await harness.startPipeline({ workers: false });
    pipeline.store.onTransition((t) => notified.push(t));
  });
  after(async () => {
    await harness?.close();
  });

  test('a 997 settles our 856s with the state each left (queued, or ack_overdue when late), told to the audit', async () => {
    const published = [];
    for (const id of ['RECON-1', 'RECON-2'])
      published.push(
        await pipeline.publish.run(
          TENANT,
          PARTNER,
          shipmentNotice(TENANT, PARTNER, id, '2026-11-27T10:00:00Z'),
        ),
      );
    const [late, onTime] = published as [(typeof published)[0], (typeof published)[0]];
    // The SLA ran out for the first one.
    await pipeline.publish.checkAck({ tenantId: TENANT, messageId: late.id });
    assert.equal((await pipeline.store.detail(TENANT, late.id))!.state, 'ack_overdue');

    const numbers = await Promise.all(
      published.map(
        async (m) => x12ControlNumbers((await pipeline.store.payload(TENANT, m.id))!.toString('utf8'))[0]!,
      ),
    );
    const inbound = await pipeline.store.receive({
      tenantId: TENANT,
      partnerId: PARTNER,
      channel: 'sftp',
      payload: Buffer.from(functionalAcks(numbers, 981)),
      environment: 'production',
    });
    await pipeline.translate.run(TENANT, inbound.id);

    for (const [message, from] of [
      [late, 'ack_overdue'],
      [onTime, 'queued'],
    ] as const) {
      const detail = await pipeline.store.detail(TENANT, message.id);
      assert.equal(detail!.state, 'acknowledged');
      const last = detail!.history.at(-1)!;
      assert.deepEqual([last.from, last.to], [from, 'acknowledged']);
      assert.match(last.cause, new RegExp(`^x12-997 accepted in message ${inbound.id}$`));
      assert.deepEqual(
        notified.filter((t) => t.messageId === message.id && t.to === 'acknowledged').map((t) => t.from),
        [from],
        'the audit log is told of it',
      );
    }
  });

  test('the ack we queue for a received interchange is told to the audit as it is queued', async () => {
    const id = await receive210(pipeline.store, '000000991', 'INV-AUDIT-1');
    await pipeline.translate.run(TENANT, id);
    const [ack] = (await pipeline.store.detail(TENANT, id))!.acknowledgements;
    assert.equal(ack!.documentType, '997');
    assert.deepEqual(
      notified.filter((t) => t.messageId === ack!.id).map((t) => [t.from, t.to, t.cause]),
      [[null, 'queued', `997 for message ${id}, waiting in the partner's outbox`]],
    );
  });
});
