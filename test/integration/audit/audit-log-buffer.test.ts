import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { SYSTEM_TENANT, type AuditEvent } from '../../../src/audit/audit-event.js';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { verifyAuditChain } from '../../../src/audit/audit-verifier.js';
import { createDataSource } from '../../../src/database/data-source.js';
import { ADMIN_URL, createTestDatabase, queryRows, type TestDatabase } from '../../support/test-database.js';

function read(tenantId: string, n: number): AuditEvent {
  return {
    occurredAt: new Date(Date.UTC(2026, 10, 27, 9, 0, 0, n)),
    tenantId,
    kind: 'http',
    action: 'read',
    method: 'GET',
    route: '/v1/me',
    path: '/v1/me',
    status: 200,
    correlationId: `${tenantId}-${n}`,
  };
}

function refusal(n: number): AuditEvent {
  return {
    ...read(SYSTEM_TENANT, n),
    action: 'read',
    status: 503,
    reason: 'audit log unavailable',
    correlationId: `refused-${n}`,
  };
}

/** As admin: the database stops taking connections and loses those it had (an outage, as the pool sees it). */
async function cutOff(name: string, allow: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${allow ? 'true' : 'false'}`);
    if (!allow) {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
    }
  } finally {
    await admin.end();
  }
}

describe('AuditLog buffer on PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const count = async (where: string): Promise<number> =>
    (
      await queryRows<{ n: number }>(
        database.url,
        `SELECT count(*)::int AS n FROM audit_events WHERE ${where}`,
      )
    )[0]!.n;

  before(async () => {
    database = await createTestDatabase('audit_buffer');
    dataSource = createDataSource(database.url);
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });
  const sql = (text: string) => queryRows(database.url, text);
  after(async () => {
    await cutOff(database.name, true).catch(() => undefined);
    await dataSource?.destroy();
    await database?.drop();
  });

  test('past the high-water mark it is congested but drops nothing', async () => {
    const log = new AuditLog(dataSource, { auditBufferHighWater: 3 });
    assert.equal(log.congested, false);
    for (let n = 1; n <= 40; n += 1) log.enqueue(read('busy', n));
    assert.equal(log.buffered, 40);
    assert.equal(log.congested, true);
    await log.flush();
    assert.equal(log.congested, false);
    assert.equal(await count(`tenant_id = 'busy'`), 40);
    assert.equal((await verifyAuditChain(dataSource, 'busy')).entries, 40);
  });

  test('one chain that cannot be appended holds only its own entries; the others are written', async () => {
    const log = new AuditLog(dataSource);
    await log.record(read('demo-b', 1));
    // Someone with INSERT rights puts a row at the chain's next sequence number: demo-b's next
    // append hits a duplicate key on every retry.
    await sql(
      `CREATE TEMP TABLE forged AS SELECT * FROM audit_events WHERE tenant_id = 'demo-b' AND seq = 1;
       UPDATE forged SET id = gen_random_uuid(), seq = 2;
       INSERT INTO audit_events SELECT * FROM forged;`,
    );
    log.enqueue(read('demo-b', 2));
    log.enqueue(read('demo', 1));
    log.enqueue(read('demo-b', 3));
    await log.flush();
    await assert.rejects(log.record(read('demo-b', 4)));
    await log.record(read('demo', 2));
    assert.equal(log.available, true);
    assert.equal(log.availableFor('demo'), true);
    assert.equal(log.availableFor('demo-b'), false);
    assert.deepEqual(
      log.blockedChains.map((c) => c.tenantId),
      ['demo-b'],
    );
    assert.equal(await count(`tenant_id = 'demo'`), 2);
    assert.equal(log.buffered, 2);

    await sql(
      `DO $$ BEGIN
         ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
         DELETE FROM audit_events WHERE tenant_id = 'demo-b' AND seq = 2;
         ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
       END $$`,
    );
    await log.flush();
    assert.equal(log.availableFor('demo-b'), true);
    assert.deepEqual(log.blockedChains, []);
    assert.equal(log.buffered, 0);
    const ids = await queryRows<{ correlation_id: string }>(
      database.url,
      `SELECT correlation_id FROM audit_events WHERE tenant_id = 'demo-b' ORDER BY seq`,
    );
    assert.deepEqual(
      ids.map((r) => r.correlation_id),
      ['demo-b-1', 'demo-b-2', 'demo-b-3'],
    );
    assert.equal((await verifyAuditChain(dataSource, 'demo-b')).entries, 3);
  });

  test('a failed write makes it unavailable; nothing buffered is lost; refusals past the mark are counted in one entry', async () => {
    const log = new AuditLog(dataSource, { auditBufferHighWater: 3 });
    log.onModuleInit();
    try {
      await cutOff(database.name, false);
      // A committed write is what the caller waits for: it learns that there was none.
      await assert.rejects(log.record(read('outage', 1)));
      assert.equal(log.available, false);
      // A read served while the write failed stays buffered.
      log.enqueue(read('outage', 2));
      // Refusals are kept up to the mark (3 entries in all), then counted.
      for (let n = 1; n <= 6; n += 1) log.enqueueRefusal(refusal(n));
      assert.equal(log.buffered, 3);

      await cutOff(database.name, true);
      await log.flush();
      assert.equal(log.available, true);
      assert.equal(log.buffered, 0);
      assert.equal(await count(`tenant_id = 'outage'`), 1, 'the buffered read, not the refused record()');
      const refused = await queryRows<{
        correlation_id: string | null;
        details: { refused?: number } | null;
      }>(
        database.url,
        `SELECT correlation_id, details FROM audit_events WHERE tenant_id = $1 AND status = 503 ORDER BY seq`,
        [SYSTEM_TENANT],
      );
      assert.deepEqual(
        refused.map((r) => r.correlation_id),
        ['refused-1', 'refused-2', null],
      );
      assert.equal(refused[2]!.details?.refused, 4);
      assert.equal((await verifyAuditChain(dataSource, SYSTEM_TENANT)).firstBreak, null);
    } finally {
      await cutOff(database.name, true);
      await log.onApplicationShutdown();
    }
  });

  test('while unavailable with nothing buffered, the timer finds the database back', async () => {
    const log = new AuditLog(dataSource, { auditBufferHighWater: 3 });
    log.onModuleInit();
    try {
      await cutOff(database.name, false);
      await assert.rejects(log.record(read('blip', 1)));
      assert.equal(log.buffered, 0);
      assert.equal(log.available, false);
      await cutOff(database.name, true);
      // Polled, not timed: the flush timer retries on its own.
      while (!log.available) await new Promise((r) => setTimeout(r, 50));
      assert.equal(log.available, true);
    } finally {
      await log.onApplicationShutdown();
    }
  });
});
