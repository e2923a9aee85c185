import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { WEBHOOK_QUEUE } from '../../../src/webhooks/webhook-dispatcher.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

interface WebhookJobData {
  readonly tenantId: string;
  readonly messageId: string;
  readonly subscriptionId: string;
}

/**
 * A webhook delivery is an outbound message plus the job that POSTs it. Both are written in one
 * transaction: a crash (or a failure) between them must not leave a queued message nobody sends.
 */
describe('webhook deliveries: the outbound message and its POST job commit together', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;

  before(async () => {
    harness = await startPipelineHarness('webhook-job');
    // No workers: the jobs stay where they were written, to be looked at.
    pipeline = await harness.startPipeline({ workers: false });
    await pipeline.jobs.boss.createQueue(WEBHOOK_QUEUE);
  });
  after(async () => {
    await harness?.close();
  });

  const event = (subject: string): Record<string, unknown> => ({
    documentType: 'WebhookEvent',
    id: `evt-${subject}`,
    type: 'order.status_changed',
    occurredAt: '2026-11-27T09:00:00Z',
    partnerId: 'demo-3pl',
    data: { id: subject },
  });
  const publish = (subject: string, queue: string) =>
    pipeline.publish.run('demo', 'demo-3pl', event(subject), {
      channel: 'webhook',
      dedupeKey: `webhook:sub-1:order.status_changed:${subject}`,
      followUp: {
        queue,
        data: (messageId): WebhookJobData => ({ tenantId: 'demo', messageId, subscriptionId: 'sub-1' }),
        options: { retryLimit: 8 },
      },
    });
  const messagesFor = async (subject: string): Promise<{ id: string; state: string }[]> =>
    (await harness.dataSource.query(
      `SELECT id, state FROM messages WHERE tenant_id = 'demo' AND channel = 'webhook' AND correlation_id = $1`,
      [`webhook:sub-1:order.status_changed:${subject}`],
    )) as { id: string; state: string }[];

  test('a published event has exactly one queued job that names its message', async () => {
    const message = await publish('SO-1', WEBHOOK_QUEUE);
    assert.equal(message.published, true);
    assert.deepEqual(await messagesFor('SO-1'), [{ id: message.id, state: 'queued' }]);
    const jobs = await pipeline.jobs.boss.findJobs<WebhookJobData>(WEBHOOK_QUEUE, {
      data: { messageId: message.id },
    });
    assert.deepEqual(
      jobs.map((job) => [job.data, job.state, job.retryLimit]),
      [[{ tenantId: 'demo', messageId: message.id, subscriptionId: 'sub-1' }, 'created', 8]],
    );

    const again = await publish('SO-1', WEBHOOK_QUEUE);
    assert.deepEqual([again.published, again.id], [false, message.id], 'the same event is not sent twice');
    assert.equal(
      (await pipeline.jobs.boss.findJobs(WEBHOOK_QUEUE, { data: { messageId: message.id } })).length,
      1,
    );
  });

  test('when the job cannot be queued no message row is left behind, so the next attempt publishes it', async () => {
    await assert.rejects(
      publish('SO-2', 'crossdock.no-such-queue'),
      /Queue crossdock\.no-such-queue does not exist/,
    );
    assert.deepEqual(await messagesFor('SO-2'), [], 'the message row was rolled back with its job');

    const retried = await publish('SO-2', WEBHOOK_QUEUE);
    assert.equal(retried.published, true, 'an orphan row would have made this a duplicate with no job');
    const jobs = await pipeline.jobs.boss.findJobs(WEBHOOK_QUEUE, { data: { messageId: retried.id } });
    assert.equal(jobs.length, 1);
  });
});
