import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { As2Receiver, type As2Request, type As2Response } from '../../../src/channels/as2/as2-receiver.js';
import { certificateFromPem } from '../../../src/channels/as2/cms-asn1.js';
import { signedMultipart } from '../../../src/channels/as2/signed-multipart.js';
import type { AuditEvent } from '../../../src/audit/audit-event.js';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

/**
 * Inbound AS2 against the real database: what the receiver refuses is visible where the tenant
 * looks for its messages, and a partner's retry never stores a payload twice, however late it comes.
 */
describe('AS2 receiver: refused transfers are listed, retries are stored once', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  const audited: AuditEvent[] = [];
  let x12: Buffer;

  const identity = async (name: 'demo-edi' | 'demo-b-edi') => ({
    certificate: certificateFromPem(await readFile(`tenants/demo/as2/${name}.cert.pem`, 'utf8')),
    privateKeyPem: await readFile(`tenants/demo/as2/${name}.key.pem`, 'utf8'),
  });

  /** A signed AS2 request from DEMOEDI (signed by `signer`, the right key or another partner's). */
  const request = async (
    options: {
      messageId?: string;
      signer?: 'demo-edi' | 'demo-b-edi';
      headers?: Record<string, string>;
    } = {},
  ): Promise<As2Request> => {
    const entity = Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), x12]);
    const signed = await signedMultipart(entity, await identity(options.signer ?? 'demo-edi'), 'sha256');
    return {
      headers: {
        'as2-version': '1.2',
        'as2-from': 'DEMOEDI',
        'as2-to': 'CROSSDOCK-DEMO',
        'message-id': options.messageId ?? `<${randomBytes(8).toString('hex')}@partner.example>`,
        'content-type': signed.contentType,
        ...options.headers,
      },
      body: signed.body,
      sourceIp: '127.0.0.1',
    };
  };

  const receiver = (staleSeconds?: number): As2Receiver =>
    new As2Receiver(
      harness.dataSource,
      pipeline.store,
      harness.registry,
      (event) => audited.push(event),
      undefined,
      staleSeconds === undefined ? {} : { staleSeconds },
    );

  const disposition = (answer: As2Response): string =>
    /^Disposition:\s*(.*)$/im.exec(answer.body.toString('latin1'))?.[1]?.trim() ?? '';

  const transferId = async (messageId: string): Promise<string> =>
    (
      (await harness.dataSource.query(
        `SELECT id::text AS id FROM as2_transfers WHERE direction = 'inbound' AND as2_message_id = $1`,
        [messageId],
      )) as { id: string }[]
    )[0]!.id;

  before(async () => {
    harness = await startPipelineHarness('as2_receiver');
    pipeline = await harness.startPipeline({ workers: false });
    x12 = await readFile('samples/x12/856-asn-PO778899.edi');
  });
  after(async () => {
    await harness?.close();
  });

  test('a refused transfer is listed as a rejected as2 message with its reason and the bytes received; replay leaves it', async () => {
    const sent = await request({ signer: 'demo-b-edi' });
    const messageId = String(sent.headers['message-id']);
    const answer = await receiver().receive(sent);
    assert.equal(answer.status, 200);
    assert.match(disposition(answer), /processed\/error: authentication-failed/);

    const { items } = await pipeline.store.list('demo', { limit: 200, state: 'rejected' });
    const id = await transferId(messageId);
    const mine = items.filter((m) => m.correlationId === id);
    assert.equal(mine.length, 1, 'the refused transfer is in the tenant message list');
    const message = mine[0]!;
    assert.equal(message.channel, 'as2');
    assert.equal(message.direction, 'inbound');
    // Its signature did not verify: AS2-From is only a claim, so it is not put in that partner's list.
    assert.equal(message.partnerId, null);
    assert.match(message.lastError ?? '', /^AS2 authentication-failed: .*\(claimed AS2-From "DEMOEDI"\)$/);
    assert.deepEqual(await pipeline.store.payload('demo', message.id), sent.body, 'the bytes as received');
    const partnerView = await pipeline.store.list('demo', { limit: 200, partnerId: 'demo-edi' });
    assert.ok(
      !partnerView.items.some((m) => m.id === message.id),
      'a forged sender cannot put bytes in the partner’s own list',
    );
    const detail = await pipeline.store.detail('demo', message.id);
    assert.deepEqual(
      detail?.history.map((e) => [e.from, e.to]),
      [[null, 'rejected']],
    );
    assert.match(detail!.history[0]!.cause, /^refused by as2: AS2 authentication-failed/);
    assert.equal((detail!.diagnostics[0] as { rule: string; code: string }).rule, 'CHANNEL_REFUSED');
    assert.equal((detail!.diagnostics[0] as { rule: string; code: string }).code, 'authentication-failed');

    for (const mode of ['auto', 'retranslate'] as const) {
      const replayed = await pipeline.replay.run('demo', message.id, { mode, actor: 'test' });
      assert.equal(replayed?.mode, 'nothing', `a ${mode} replay does not translate unauthenticated bytes`);
    }
    const [after] = (await harness.dataSource.query(`SELECT state FROM messages WHERE id = $1`, [
      message.id,
    ])) as { state: string }[];
    assert.equal(after!.state, 'rejected');
    assert.ok(audited.some((e) => e.action === 'as2.reject' && e.reason?.includes(message.id)));
  });

  test('an unknown AS2-From is listed for the tenant (no partner); an unknown AS2-To stays out of every tenant', async () => {
    const stranger = await request({ headers: { 'as2-from': 'STRANGER' } });
    const answer = await receiver().receive(stranger);
    assert.match(disposition(answer), /authentication-failed/);
    const id = await transferId(String(stranger.headers['message-id']));
    const { items } = await pipeline.store.list('demo', { limit: 200 });
    const listed = items.find((m) => m.correlationId === id);
    assert.equal(listed?.state, 'rejected');
    assert.equal(listed?.partnerId, null);
    assert.match(listed?.lastError ?? '', /unknown AS2-From "STRANGER"/);

    const count = async (): Promise<number> =>
      ((await harness.dataSource.query(`SELECT count(*)::int AS n FROM messages`)) as { n: number }[])[0]!.n;
    const before = await count();
    const nobody = await receiver().receive(await request({ headers: { 'as2-to': 'NOBODY' } }));
    assert.equal(nobody.status, 404);
    assert.equal(await count(), before, 'no tenant to list it for: kept in as2_transfers only');
  });

  test('a large refused request is not copied twice: the message keeps its start, the payload comes from the transfer', async () => {
    const big = Buffer.concat([x12, Buffer.from(`\r\n${'~'.repeat(200_000)}`)]);
    const entity = Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), big]);
    const signed = await signedMultipart(entity, await identity('demo-b-edi'), 'sha256');
    const sent = await request();
    const forged = {
      ...sent,
      headers: { ...sent.headers, 'content-type': signed.contentType },
      body: signed.body,
    };
    assert.match(disposition(await receiver().receive(forged)), /authentication-failed/);
    const id = await transferId(String(sent.headers['message-id']));
    const [row] = (await harness.dataSource.query(
      `SELECT id::text AS id, octet_length(payload) AS kept, payload_size, last_error FROM messages WHERE correlation_id = $1`,
      [id],
    )) as { id: string; kept: number; payload_size: number; last_error: string }[];
    assert.equal(row!.kept, 64 * 1024, 'only the start is copied into the message');
    assert.equal(row!.payload_size, forged.body.length);
    assert.match(
      row!.last_error,
      new RegExp(`the ${forged.body.length} bytes are kept in AS2 transfer ${id}`),
    );
    assert.deepEqual(
      await pipeline.store.payload('demo', row!.id),
      forged.body,
      'the whole, from the transfer',
    );

    // A later try of the Message-ID replaces the transfer's bytes: the start is what is left.
    await receiver().receive({ ...(await request({ signer: 'demo-b-edi' })), headers: forged.headers });
    assert.deepEqual(await pipeline.store.payload('demo', row!.id), forged.body.subarray(0, 64 * 1024));
  });

  test('a refused transfer whose signature verified is listed under its partner', async () => {
    const signed = await signedMultipart(
      Buffer.from('Content-Type: application/edi-x12\r\n\r\n'),
      await identity('demo-edi'),
      'sha256',
    );
    const sent = await request();
    const empty = {
      ...sent,
      headers: { ...sent.headers, 'content-type': signed.contentType },
      body: signed.body,
    };
    const answer = await receiver().receive(empty);
    assert.match(disposition(answer), /unexpected-processing-error/);
    const { items } = await pipeline.store.list('demo', {
      limit: 10,
      correlationId: await transferId(String(sent.headers['message-id'])),
    });
    assert.equal(items.length, 1);
    assert.equal(items[0]!.partnerId, 'demo-edi');
    assert.doesNotMatch(items[0]!.lastError ?? '', /claimed/);
  });

  test('a refused retry of a transfer already stored (its try died after the commit) answers that message; the next retry stores nothing more', async () => {
    const messageId = `<died-${randomBytes(6).toString('hex')}@partner.example>`;
    const good = await receiver().receive(await request({ messageId }));
    assert.equal(disposition(good), 'automatic-action/MDN-sent-automatically; processed');
    const id = await transferId(messageId);
    const storedIds = async (): Promise<string[]> =>
      (
        (await harness.dataSource.query(
          `SELECT id::text AS id FROM messages WHERE correlation_id = $1 AND state <> 'rejected'`,
          [id],
        )) as { id: string }[]
      ).map((r) => r.id);
    const [stored] = await storedIds();
    // The process died after the message was committed, before the MDN: the row is left failed.
    await harness.dataSource.query(`UPDATE as2_transfers SET state = 'failed' WHERE id = $1`, [id]);

    const forged = await receiver().receive(await request({ messageId, signer: 'demo-b-edi' }));
    assert.equal(disposition(forged), 'automatic-action/MDN-sent-automatically; processed');
    assert.match(forged.body.toString('latin1'), new RegExp(stored!));
    const [row] = (await harness.dataSource.query(
      `SELECT state, message_id::text AS message_id FROM as2_transfers WHERE id = $1`,
      [id],
    )) as { state: string; message_id: string | null }[];
    assert.deepEqual(row, { state: 'processed', message_id: stored }, 'the link to the stored message stays');

    await harness.dataSource.query(`UPDATE as2_transfers SET state = 'failed' WHERE id = $1`, [id]);
    const retry = await receiver().receive(await request({ messageId }));
    assert.equal(disposition(retry), 'automatic-action/MDN-sent-automatically; processed');
    assert.deepEqual(await storedIds(), [stored], 'one message, however many tries');
  });

  test('a refused try fixed and sent again is stored; both tries are listed under one correlation id', async () => {
    const messageId = `<fixed-${randomBytes(6).toString('hex')}@partner.example>`;
    const first = await receiver().receive(await request({ messageId, signer: 'demo-b-edi' }));
    assert.match(disposition(first), /authentication-failed/);
    const second = await receiver().receive(await request({ messageId }));
    assert.equal(disposition(second), 'automatic-action/MDN-sent-automatically; processed');
    const { items } = await pipeline.store.list('demo', {
      limit: 10,
      correlationId: await transferId(messageId),
    });
    assert.deepEqual(items.map((m) => m.state).sort(), ['received', 'rejected']);
  });

  test('a retry after the stale window, while the first try is still storing, is stored once', async () => {
    const messageId = `<slow-${randomBytes(6).toString('hex')}@partner.example>`;
    // The first try is held at its INSERT into messages, as a slow database or a long pause would.
    const blocker = new pg.Client({ connectionString: harness.database.url });
    await blocker.connect();
    // Watched from outside the blocker's transaction, whose view of pg_stat_activity is a snapshot.
    const watcher = new pg.Client({ connectionString: harness.database.url });
    await watcher.connect();
    const waiting = async (): Promise<number> =>
      Number(
        (
          await watcher.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rows[0].n,
      );
    const until = async (check: () => Promise<boolean>, what: string): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!(await check())) {
        assert.ok(Date.now() < deadline, what);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    let first: Promise<As2Response> | undefined;
    let retry: Promise<As2Response> | undefined;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE messages IN EXCLUSIVE MODE');
      // The window is injected (0 s) instead of waiting 120 s: the retry takes the first try over.
      first = receiver(0).receive(await request({ messageId }));
      await until(async () => (await waiting()) >= 1, 'the first try reached the messages table');
      retry = receiver(0).receive(await request({ messageId }));
      await until(async () => (await waiting()) >= 2, 'the retry is waiting too');
    } finally {
      await blocker.query('COMMIT').catch(() => undefined);
      await blocker.end();
      await watcher.end();
    }
    const answers = await Promise.all([first!, retry!]);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(disposition(answer), 'automatic-action/MDN-sent-automatically; processed');
    }
    const stored = (await harness.dataSource.query(
      `SELECT id::text AS id FROM messages WHERE tenant_id = 'demo' AND channel = 'as2' AND direction = 'inbound'
          AND correlation_id = $1`,
      [await transferId(messageId)],
    )) as { id: string }[];
    assert.equal(stored.length, 1, 'one message, so one translation and one delivery');
    for (const answer of answers) assert.match(answer.body.toString('latin1'), new RegExp(stored[0]!.id));

    // Later still (the window long past), the partner's next retry gets the same MDN again.
    const late = await receiver(0).receive(await request({ messageId }));
    const [row] = (await harness.dataSource.query(
      `SELECT state, mdn_body FROM as2_transfers WHERE as2_message_id = $1`,
      [messageId],
    )) as { state: string; mdn_body: Buffer }[];
    assert.equal(row!.state, 'processed');
    assert.deepEqual(late.body, row!.mdn_body);
    assert.equal(
      (
        (await harness.dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE correlation_id = $1`, [
          await transferId(messageId),
        ])) as { n: number }[]
      )[0]!.n,
      1,
    );
  });
});
