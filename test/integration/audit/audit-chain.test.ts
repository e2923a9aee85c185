import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { appendAuditEvents } from '../../../src/audit/audit-appender.js';
import { GENESIS_HASH, chainEntry } from '../../../src/audit/audit-chain.js';
import type { AuditEvent } from '../../../src/audit/audit-event.js';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { AuditReader } from '../../../src/audit/audit-reader.js';
import { verifyAuditChain } from '../../../src/audit/audit-verifier.js';
import { createDataSource } from '../../../src/database/data-source.js';
import { run } from '../../support/child-process.js';
import { createTestDatabase, queryRows, type TestDatabase } from '../../support/test-database.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

function event(tenantId: string, n: number): AuditEvent {
  return {
    occurredAt: new Date(Date.UTC(2026, 10, 27, 9, 0, 0, n)),
    tenantId,
    kind: 'http',
    action: 'read',
    clientId: `${tenantId}-carrier`,
    partnerId: `${tenantId}-carrier`,
    sourceIp: '203.0.113.7',
    userAgent: 'curl/8.5',
    method: 'GET',
    route: '/v1/shipments/:id',
    path: `/v1/shipments/S${n}`,
    resourceType: 'shipments',
    resourceId: `S${n}`,
    status: 200,
    scopes: ['shipments:read'],
    correlationId: `c-${n}`,
    latencyMs: 1.23456 + n,
    bytesIn: 0,
    bytesOut: 321,
    details: { n, nested: { b: 1, a: [1, 2] } },
  };
}

async function chain(dataSource: DataSource, tenantId: string, count: number): Promise<void> {
  await appendAuditEvents(
    dataSource,
    Array.from({ length: count }, (_, i) => event(tenantId, i + 1)),
  );
}

describe('audit chain on PostgreSQL', () => {
  let database: TestDatabase;
  let first: DataSource;
  let second: DataSource;
  const sql = (text: string, params: unknown[] = []) => queryRows(database.url, text, params);

  before(async () => {
    database = await createTestDatabase('audit');
    first = createDataSource(database.url);
    second = createDataSource(database.url);
    await first.initialize();
    await first.runMigrations({ transaction: 'each' });
    await second.initialize();
  });
  after(async () => {
    await first?.destroy();
    await second?.destroy();
    await database?.drop();
  });

  test('two DataSources appending at once leave one gap-free chain per tenant that verifies', async () => {
    const writers = [first, second].flatMap((ds, w) =>
      Array.from({ length: 20 }, (_, b) =>
        appendAuditEvents(
          ds,
          Array.from({ length: 10 }, (_, i) => event(i % 2 === 0 ? 'acme' : 'globex', w * 1000 + b * 10 + i)),
        ),
      ),
    );
    await Promise.all(writers);
    for (const tenant of ['acme', 'globex']) {
      const rows = await sql(`SELECT seq FROM audit_events WHERE tenant_id = $1 ORDER BY seq`, [tenant]);
      assert.deepEqual(
        rows.map((r) => Number((r as { seq: string }).seq)),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      const report = await verifyAuditChain(first, tenant);
      assert.equal(report.firstBreak, null);
      assert.equal(report.entries, 200);
      const [head] = await sql(`SELECT seq, hash FROM audit_chain_heads WHERE tenant_id = $1`, [tenant]);
      assert.deepEqual(head, { seq: '200', hash: report.lastHash });
    }
  });

  test('text that COPY escapes or could misread comes back byte for byte, and the chain verifies', async () => {
    const awkward: AuditEvent = {
      ...event('escapes', 1),
      userAgent: 'tab\there, newline\nthere, CR\rthere, back\\slash, \\N, \\., ü 🚚 "quoted"',
      clientId: '\\N',
      partnerId: '',
      path: '/v1/shipments/a\\tb',
      scopes: ['with "quotes"', 'back\\slash', 'NULL', '', '{braces},comma'],
      reason: 'line one\nline two\ttabbed',
      details: { text: 'a\tb\\c\n"d"', nested: { list: ['\\N', null, 1.5] } },
      resourceId: null,
      latencyMs: 0.001,
      bytesIn: 9_007_199_254_740_991,
    };
    const [written] = await appendAuditEvents(first, [awkward, event('escapes', 2)]);
    const page = await new AuditReader(first).page('escapes', {}, 10);
    const readBack = page.items.find((e) => e.seq === 1)!;
    assert.deepEqual(readBack, written);
    const report = await verifyAuditChain(first, 'escapes');
    assert.equal(report.firstBreak, null);
    assert.equal(report.entries, 2);
  });

  test('a batch PostgreSQL refuses is rolled back whole, and its connection serves the next batch', async () => {
    const single = createDataSource(database.url, { poolSize: 1 });
    await single.initialize();
    try {
      // jsonb takes no lone surrogate: the COPY fails on the batch's second row.
      await assert.rejects(
        appendAuditEvents(single, [
          event('refused', 1),
          { ...event('refused', 2), details: { text: '\ud800' } },
        ]),
        /invalid input syntax for type json/,
      );
      assert.deepEqual(await sql(`SELECT 1 FROM audit_events WHERE tenant_id = 'refused'`), []);
      await appendAuditEvents(single, [event('refused', 3)]);
      const report = await verifyAuditChain(single, 'refused');
      assert.deepEqual([report.entries, report.firstBreak], [1, null]);
    } finally {
      await single.destroy();
    }
  });

  test("an append inside a caller's transaction joins it: rolled back with it, heads included", async () => {
    await assert.rejects(
      first.transaction(async (manager) => {
        await appendAuditEvents(manager, [event('joined', 1)]);
        throw new Error('caller fails after appending');
      }),
      /caller fails/,
    );
    assert.deepEqual(await sql(`SELECT 1 FROM audit_events WHERE tenant_id = 'joined'`), []);
    assert.deepEqual(await sql(`SELECT 1 FROM audit_chain_heads WHERE tenant_id = 'joined'`), []);
    await appendAuditEvents(first.manager, [event('joined', 2)]);
    assert.equal((await verifyAuditChain(first, 'joined')).entries, 1);
  });

  test('the correlation-id filter is answered from its index, for the calling tenant only', async () => {
    await appendAuditEvents(first, [
      { ...event('corr-a', 1), correlationId: 'shared-id' },
      { ...event('corr-b', 1), correlationId: 'shared-id' },
      { ...event('corr-a', 2), correlationId: 'other-id' },
    ]);
    const page = await new AuditReader(first).page('corr-a', { correlationId: 'shared-id' }, 10);
    assert.deepEqual(
      page.items.map((e) => [e.tenantId, e.seq, e.correlationId]),
      [['corr-a', 1, 'shared-id']],
    );
    const plan = await first.transaction(async (manager) => {
      await manager.query(`SET LOCAL enable_seqscan = off`);
      const rows = (await manager.query(
        `EXPLAIN SELECT seq FROM audit_events WHERE tenant_id = $1 AND correlation_id = $2 ORDER BY seq DESC LIMIT 101`,
        ['corr-a', 'shared-id'],
      )) as { 'QUERY PLAN': string }[];
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /audit_events_correlation_idx/);
  });

  test('the trigger refuses UPDATE, DELETE and TRUNCATE', async () => {
    await chain(first, 'locked', 3);
    await assert.rejects(
      sql(`UPDATE audit_events SET status = 500 WHERE tenant_id = 'locked'`),
      /append-only: UPDATE refused/,
    );
    await assert.rejects(
      sql(`DELETE FROM audit_events WHERE tenant_id = 'locked'`),
      /append-only: DELETE refused/,
    );
    await assert.rejects(sql(`TRUNCATE audit_events`), /append-only: TRUNCATE refused/);
    assert.equal((await sql(`SELECT 1 FROM audit_events WHERE tenant_id = 'locked'`)).length, 3);
  });

  /** What an attacker with superuser rights does: switch the trigger off, change rows, switch it on. */
  async function tamper(statements: string[]): Promise<void> {
    await sql(
      `DO $$ BEGIN
         ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
         ${statements.join(';\n')};
         ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
       END $$`,
    );
  }

  test('an altered row is named by sequence number and id', async () => {
    await chain(first, 'altered', 6);
    const [row] = (await sql(`SELECT id FROM audit_events WHERE tenant_id = 'altered' AND seq = 4`)) as {
      id: string;
    }[];
    await tamper([
      `UPDATE audit_events SET status = 200, source_ip = '10.0.0.1' WHERE tenant_id = 'altered' AND seq = 4`,
    ]);
    const report = await verifyAuditChain(first, 'altered');
    assert.equal(report.firstBreak?.seq, 4);
    assert.equal(report.firstBreak?.entryId, row!.id);
    assert.equal(report.firstBreak?.problem, 'altered');
  });

  test('a removed row is found as a gap; a removed tail against the chain head', async () => {
    await chain(first, 'removed', 6);
    await tamper([`DELETE FROM audit_events WHERE tenant_id = 'removed' AND seq = 3`]);
    const gap = await verifyAuditChain(first, 'removed');
    assert.deepEqual([gap.firstBreak?.seq, gap.firstBreak?.problem], [3, 'missing']);

    await chain(first, 'cut', 6);
    await tamper([`DELETE FROM audit_events WHERE tenant_id = 'cut' AND seq >= 5`]);
    const cut = await verifyAuditChain(first, 'cut');
    assert.deepEqual([cut.firstBreak?.seq, cut.firstBreak?.problem], [5, 'truncated']);
  });

  test('an inserted row (later ones renumbered) is found where it sits', async () => {
    await chain(first, 'inserted', 6);
    await tamper([
      `UPDATE audit_events SET seq = -seq WHERE tenant_id = 'inserted' AND seq >= 4`,
      `UPDATE audit_events SET seq = -seq + 1 WHERE tenant_id = 'inserted' AND seq < 0`,
      `INSERT INTO audit_events (tenant_id, seq, id, occurred_at, kind, action, status, prev_hash, hash)
         SELECT tenant_id, 4, gen_random_uuid(), occurred_at, kind, 'delete', 204, prev_hash, hash
           FROM audit_events WHERE tenant_id = 'inserted' AND seq = 3`,
    ]);
    const report = await verifyAuditChain(first, 'inserted');
    assert.equal(report.firstBreak?.seq, 4);
    assert.equal(report.firstBreak?.problem, 'relinked');
  });

  test('two swapped rows are found at the first of them', async () => {
    await chain(first, 'reordered', 6);
    await tamper([
      `UPDATE audit_events SET seq = 100 WHERE tenant_id = 'reordered' AND seq = 2`,
      `UPDATE audit_events SET seq = 2 WHERE tenant_id = 'reordered' AND seq = 3`,
      `UPDATE audit_events SET seq = 3 WHERE tenant_id = 'reordered' AND seq = 100`,
    ]);
    const report = await verifyAuditChain(first, 'reordered');
    assert.equal(report.firstBreak?.seq, 2);
    assert.equal(report.firstBreak?.problem, 'relinked');
  });

  test('verify during a concurrent append reads entries and head from one snapshot: no false truncation', async () => {
    await chain(first, 'live', 3);
    // The head table is held locked while the verifier walks: the append commits in between.
    const appended = first.transaction(async (manager) => {
      await manager.query(`LOCK TABLE audit_chain_heads IN ACCESS EXCLUSIVE MODE`);
      for (let i = 0; i < 100; i += 1) {
        const waiting = (await manager.query(
          `SELECT 1 FROM pg_locks WHERE relation = 'audit_chain_heads'::regclass AND NOT granted`,
        )) as unknown[];
        if (waiting.length > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await appendAuditEvents(manager, [event('live', 4)]);
    });
    const verifying = verifyAuditChain(second, 'live');
    await appended;
    const report = await verifying;
    assert.equal(report.firstBreak, null);
    assert.ok(report.entries === 3 || report.entries === 4, `entries ${report.entries}`);
    assert.equal((await verifyAuditChain(first, 'live')).entries, 4);
  });

  /** A row as an attacker who knows the algorithm forges it: correct seq, prev_hash and hash. */
  async function forge(tenantId: string, seq: number, prevHash: string): Promise<string> {
    const entry = chainEntry(prevHash, {
      id: randomUUID(),
      tenantId,
      seq,
      occurredAt: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, seq)),
      kind: 'http',
      action: 'read',
      clientId: null,
      partnerId: null,
      sourceIp: null,
      userAgent: null,
      method: null,
      route: null,
      path: null,
      resourceType: null,
      resourceId: null,
      status: null,
      scopes: [],
      correlationId: null,
      latencyMs: null,
      bytesIn: null,
      bytesOut: null,
      reason: null,
      details: null,
    });
    await sql(
      `INSERT INTO audit_events (tenant_id, seq, id, occurred_at, kind, action, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        tenantId,
        seq,
        entry.id,
        entry.occurredAt.toISOString(),
        entry.kind,
        entry.action,
        prevHash,
        entry.hash,
      ],
    );
    return entry.id;
  }

  test('a well-hashed row appended past the chain head is named as appended, with its id', async () => {
    await chain(first, 'forged', 4);
    const [last] = (await sql(`SELECT hash FROM audit_events WHERE tenant_id = 'forged' AND seq = 4`)) as {
      hash: string;
    }[];
    const id = await forge('forged', 5, last!.hash);
    const report = await verifyAuditChain(first, 'forged');
    assert.deepEqual(
      [report.firstBreak?.seq, report.firstBreak?.entryId, report.firstBreak?.problem],
      [5, id, 'appended'],
    );
    const ghostId = await forge('ghost', 1, GENESIS_HASH);
    const ghost = await verifyAuditChain(first, 'ghost');
    assert.deepEqual(
      [ghost.firstBreak?.seq, ghost.firstBreak?.entryId, ghost.firstBreak?.problem],
      [1, ghostId, 'appended'],
    );
    assert.match(ghost.firstBreak!.detail, /no chain head/);
  });

  test('a last row rewritten with a recomputed hash is named as altered against the head', async () => {
    await chain(first, 'rehashed', 4);
    const [row] = (await sql(
      `SELECT id, prev_hash FROM audit_events WHERE tenant_id = 'rehashed' AND seq = 4`,
    )) as {
      id: string;
      prev_hash: string;
    }[];
    await tamper([`DELETE FROM audit_events WHERE tenant_id = 'rehashed' AND seq = 4`]);
    await forge('rehashed', 4, row!.prev_hash);
    const report = await verifyAuditChain(first, 'rehashed');
    assert.deepEqual([report.firstBreak?.seq, report.firstBreak?.problem], [4, 'altered']);
    assert.ok(report.firstBreak?.entryId);
    assert.match(report.firstBreak!.detail, /chain head/);
  });

  test('crossdock audit verify exits 0 on a sound chain and 1 naming the tampered row', async () => {
    await chain(first, 'cli', 5);
    const env = { DATABASE_URL: database.url, LOG_LEVEL: 'silent' };
    const sound = await run(process.execPath, [CLI, 'audit', 'verify', '--tenant', 'cli'], env);
    assert.equal(sound.code, 0, sound.stderr);
    assert.match(sound.stdout, /^ok cli: 5 entries, head [0-9a-f]{64}$/m);
    const [row] = (await sql(`SELECT id FROM audit_events WHERE tenant_id = 'cli' AND seq = 2`)) as {
      id: string;
    }[];
    await tamper([`UPDATE audit_events SET client_id = 'someone-else' WHERE tenant_id = 'cli' AND seq = 2`]);
    const broken = await run(process.execPath, [CLI, 'audit', 'verify', '--tenant', 'cli'], env);
    assert.equal(broken.code, 1);
    assert.match(
      broken.stdout,
      new RegExp(`BROKEN cli: first bad entry seq 2 \\(id ${row!.id}\\) \\[altered\\]`),
    );
    const all = await run(process.execPath, [CLI, 'audit', 'verify'], env);
    assert.equal(all.code, 1);
    assert.match(all.stdout, /^ok acme: 200 entries/m);
    assert.match(all.stdout, /^BROKEN cli:/m);
  });

  test('AuditLog: record() is committed when it resolves; enqueue() within a second; shutdown flushes', async () => {
    const log = new AuditLog(first);
    log.onModuleInit();
    await log.record(event('service', 1));
    assert.equal((await sql(`SELECT 1 FROM audit_events WHERE tenant_id = 'service'`)).length, 1);
    log.enqueue(event('service', 2));
    assert.equal((await sql(`SELECT 1 FROM audit_events WHERE tenant_id = 'service'`)).length, 1);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await sql(`SELECT 1 FROM audit_events WHERE tenant_id = 'service'`)).length, 2);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.record(event('service', 10 + i))));
    log.enqueue(event('service', 99));
    await log.onApplicationShutdown();
    assert.equal((await sql(`SELECT 1 FROM audit_events WHERE tenant_id = 'service'`)).length, 53);
    assert.equal((await verifyAuditChain(first, 'service')).firstBreak, null);
  });
});
