import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { Metrics } from '../../../src/ops/metrics.js';
import {
  DEFAULT_RECOVERY_POLICY,
  RecoverWaitingMessages,
} from '../../../src/messages/usecases/recover-waiting-messages.js';
import { TenantRegistry } from '../../../src/tenancy/tenant-registry.js';
import {
  eventually,
  freightInvoice,
  startPipelineHarness,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';
import { controlNumberCounters, receive210 } from '../../support/inbound-x12.js';

const TENANT = 'demo';
const PARTNER = 'demo-edi';

/** A copy of edi-maps whose demo-edi partner file is broken; `mend` removes it. */
function brokenPartnerMaps(): { dir: string; mend: () => void; restore: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync('edi-maps', dir, { recursive: true });
  const file = join(dir, 'partners', PARTNER, 'partner.yaml');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, 'timezone: America/Chicago\n');
  const previous = process.env['CROSSDOCK_MAPS_DIR'];
  process.env['CROSSDOCK_MAPS_DIR'] = dir;
  return {
    dir,
    mend: () => rmSync(file),
    restore: () => {
      if (previous === undefined) delete process.env['CROSSDOCK_MAPS_DIR'];
      else process.env['CROSSDOCK_MAPS_DIR'] = previous;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function translateJobs(
  harness: PipelineHarness,
  messageId: string,
): Promise<{ state: string; tenant: string; group_id: string | null }[]> {
  return (await harness.dataSource.query(
    `SELECT state, data->>'tenantId' AS tenant, group_id FROM pgboss.job
      WHERE name = 'crossdock.translate' AND data->>'messageId' = $1 ORDER BY created_on`,
    [messageId],
  )) as { state: string; tenant: string; group_id: string | null }[];
}

describe('messages left waiting in received are translated again automatically', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  before(async () => {
    harness = await startPipelineHarness('recover');
    // No pg-boss retry after the first attempt: "retries exhausted" at once; backoff 1 s, 2 s, 2 s…
    pipeline = await harness.startPipeline({
      translateRetryLimit: 0,
      recovery: { sweepIntervalMs: 100, initialDelaySeconds: 1, maxDelaySeconds: 2 },
    });
  });
  after(async () => {
    await harness?.close();
  });

  test('a broken partner file: waits with backoff, no control number used; mended, it goes on with no operator step', async () => {
    const maps = brokenPartnerMaps();
    try {
      const before = await controlNumberCounters(harness.dataSource);
      const id = await receive210(pipeline.store, '000000931', 'INV-2026-RC1');
      const recoveries = async (): Promise<{ at: Date; cause: string; detail: { recovery?: number } }[]> =>
        (await harness.dataSource.query(
          `SELECT at, cause, detail FROM message_events WHERE message_id = $1 AND detail ? 'recovery' ORDER BY id`,
          [id],
        )) as { at: Date; cause: string; detail: { recovery?: number } }[];
      await eventually(recoveries, (r) => r.length >= 3, 30_000, 'three automatic retranslations');

      const waiting = await pipeline.store.detail(TENANT, id);
      assert.equal(waiting!.state, 'received', 'still waiting, not rejected');
      assert.match(waiting!.lastError ?? '', /map overrides are broken.*partners\/demo-edi\/partner.yaml/);
      assert.equal(waiting!.acknowledgements.length, 0);
      const history = waiting!.history;
      const causes = history.map((e) => e.cause).join('\n');
      assert.match(causes, /translation queued again automatically \(recovery 1\): no translate job pending/);
      assert.match(causes, /its last attempt: partner demo-edi map overrides are broken/);

      // Each retranslation came only after its backoff since the event before it: 1 s, then 2 s (the cap).
      history.forEach((event, index) => {
        const recovery = (event.detail as { recovery?: number } | null)?.recovery;
        if (recovery === undefined) return;
        const previous = history[index - 1]!;
        const gap = (Date.parse(event.at) - Date.parse(previous.at)) / 1000;
        const backoff = Math.min(2 ** (recovery - 1), 2);
        assert.ok(
          gap >= backoff,
          `recovery ${recovery} came ${gap} s after the last attempt (backoff ${backoff} s)`,
        );
        assert.match(previous.cause, /map overrides are broken/, 'the attempt before it waited on the file');
      });
      const seen = await recoveries();
      const span = (seen.at(-1)!.at.getTime() - seen[0]!.at.getTime()) / 1000;
      assert.ok(span >= 2 * (seen.length - 1), `${seen.length} retranslations within ${span} s`);
      // One statement, one snapshot: a retranslation commits its event and its job together.
      const [counted] = (await harness.dataSource.query(
        `SELECT (SELECT count(*)::int FROM pgboss.job WHERE name = 'crossdock.translate' AND data->>'messageId' = $1) AS jobs,
                (SELECT count(*)::int FROM message_events WHERE message_id = $1::uuid AND detail ? 'recovery') AS recoveries`,
        [id],
      )) as { jobs: number; recoveries: number }[];
      assert.equal(counted!.jobs, 1 + counted!.recoveries, 'one job per retranslation, none doubled');
      assert.deepEqual(
        await controlNumberCounters(harness.dataSource),
        before,
        'no control number reserved while waiting',
      );

      maps.mend();
      const delivered = await eventually(
        () => pipeline.store.detail(TENANT, id),
        (d) => d !== undefined && !['received', 'parsed', 'translated', 'delivering'].includes(d.state),
        30_000,
        'the message after the mend',
      );
      assert.equal(delivered!.state, 'delivered', JSON.stringify(delivered!.history));
      assert.equal(delivered!.lastError, null);
      assert.equal(delivered!.acknowledgements.length, 1);
      const ack = (await pipeline.store.payload(TENANT, delivered!.acknowledgements[0]!.id))!.toString();
      const isa = ack.split('~')[0]!.split('*');
      const gs = ack.split('~')[1]!.split('*');
      assert.equal(Number(isa[13]), before.interchange + 1, `the ack's ISA13 is next in sequence: ${ack}`);
      assert.equal(Number(gs[6]), before.group + 1, `the ack's GS06 is next in sequence: ${ack}`);
    } finally {
      maps.restore();
    }
  });
});

describe('the recovery sweep with several processes on one database', () => {
  let harness: PipelineHarness;
  let first: Pipeline;
  let second: Pipeline;
  before(async () => {
    harness = await startPipelineHarness('recover_multi');
    // No workers: the jobs the sweep sends stay pending, so what it queued can be counted.
    first = await harness.startPipeline({ workers: false, recovery: { initialDelaySeconds: 0 } });
    second = await harness.startPipeline({ workers: false, recovery: { initialDelaySeconds: 0 } });
  });
  after(async () => {
    await harness?.close();
  });

  /** One freight invoice per demo tenant, received and left waiting; its id by tenant. */
  async function receiveOnePerTenant(prefix: string): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const [tenant, partner] of [
      ['demo', 'demo-carrier'],
      ['demo-b', 'demo-b-carrier'],
    ] as const) {
      const message = await first.store.receive({
        tenantId: tenant,
        partnerId: partner,
        channel: 'rest',
        payload: Buffer.from(JSON.stringify(freightInvoice(tenant, `${prefix}-${tenant}`))),
        environment: 'production',
      });
      ids[tenant] = message.id;
    }
    return ids;
  }

  test('a message whose job vanished is queued again once, under its own tenant, however many sweep at once', async () => {
    const ids = await receiveOnePerTenant('LOST');
    // A job with a pending translation is left alone.
    assert.deepEqual(await first.recover.run(), []);
    await harness.dataSource.query(`DELETE FROM pgboss.job WHERE data->>'messageId' = ANY($1::text[])`, [
      Object.values(ids),
    ]);

    const sweeps = await Promise.all([first, second, first, second].map((p) => p.recover.run()));
    const recovered = sweeps.flat();
    assert.deepEqual(
      recovered.map((r) => [r.tenantId, r.messageId, r.recovery]).sort(),
      [
        ['demo', ids['demo'], 1],
        ['demo-b', ids['demo-b'], 1],
      ].sort(),
    );
    for (const [tenant, id] of Object.entries(ids)) {
      assert.deepEqual(await translateJobs(harness, id!), [{ state: 'created', tenant, group_id: tenant }]);
      const events = (await harness.dataSource.query(
        `SELECT tenant_id FROM message_events WHERE message_id = $1 AND detail ? 'recovery'`,
        [id],
      )) as { tenant_id: string }[];
      assert.deepEqual(events, [{ tenant_id: tenant }]);
    }
    // Its job pending again, a further sweep does nothing.
    assert.deepEqual(await second.recover.run(), []);

    // The job's retries used up: the next sweep counts a second recovery and says what failed.
    await harness.dataSource.query(
      `UPDATE pgboss.job SET state = 'failed', completed_on = now(), output = '{"error": "connection terminated"}'
        WHERE data->>'messageId' = $1`,
      [ids['demo']],
    );
    const again = await second.recover.run();
    assert.deepEqual(
      again.map((r) => [r.messageId, r.recovery]),
      [[ids['demo'], 2]],
    );
    const detail = await second.store.detail('demo', ids['demo']!);
    assert.match(
      detail!.history.at(-1)!.cause,
      /^translation queued again automatically \(recovery 2\): no translate job pending for \d+ s; its last attempt: connection terminated; if it waits again, next try in 0 s$/,
    );
  });

  test('the metrics count, per tenant, the messages waiting in received past the threshold', async () => {
    const metrics = new Metrics();
    let threshold = 0;
    metrics.watchWaitingMessages(() => first.recover.waiting(threshold));
    const waiting = (await harness.dataSource.query(
      `SELECT tenant_id, count(*)::int AS n FROM messages WHERE state = 'received' GROUP BY tenant_id`,
    )) as { tenant_id: string; n: number }[];
    assert.ok(waiting.length > 0);
    const text = await metrics.registry.metrics();
    for (const row of waiting)
      assert.match(
        text,
        new RegExp(`crossdock_messages_waiting_received\\{tenant="${row.tenant_id}"\\} ${row.n}\\n`),
      );
    assert.match(text, /crossdock_messages_waiting_received_oldest_seconds\{tenant="demo"\} \d+/);
    threshold = 3600;
    const later = await metrics.registry.metrics();
    assert.match(later, /crossdock_messages_waiting_received\{tenant="demo"\} 0\n/);
    assert.match(later, /crossdock_messages_waiting_received\{tenant="demo-b"\} 0\n/);
  });

  test('a tenant removed from the files is neither swept nor counted as waiting; its messages stay', async () => {
    // A process whose tenant files no longer hold demo-b (the database still has its rows).
    const withoutB = new RecoverWaitingMessages(
      harness.dataSource,
      first.store,
      first.jobs,
      new TenantRegistry(harness.tenants.filter((t) => t.id !== 'demo-b')),
      { ...DEFAULT_RECOVERY_POLICY, initialDelaySeconds: 0 },
    );
    const ids = await receiveOnePerTenant('GONE');
    // Both waiting for an hour, their jobs gone.
    await harness.dataSource.query(`DELETE FROM pgboss.job WHERE data->>'messageId' = ANY($1::text[])`, [
      Object.values(ids),
    ]);
    await harness.dataSource.query(
      `UPDATE messages SET received_at = now() - interval '1 hour' WHERE id = ANY($1::uuid[])`,
      [Object.values(ids)],
    );

    const metrics = new Metrics();
    metrics.watchWaitingMessages(() => withoutB.waiting(600));
    const text = await metrics.registry.metrics();
    assert.match(text, /crossdock_messages_waiting_received\{tenant="demo"\} 1\n/);
    assert.match(text, /crossdock_messages_waiting_received_oldest_seconds\{tenant="demo"\} 3\d{3}\n/);
    assert.doesNotMatch(text, /tenant="demo-b"/);

    const swept = await withoutB.run();
    assert.deepEqual(
      swept.map((r) => [r.tenantId, r.messageId]),
      [['demo', ids['demo']]],
    );
    assert.equal((await first.store.detail('demo-b', ids['demo-b']!))!.state, 'received');
  });
});
