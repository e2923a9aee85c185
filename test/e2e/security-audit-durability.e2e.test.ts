import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { AuditLog } from '../../src/audit/audit-log.js';
import { verifyAuditChain } from '../../src/audit/audit-verifier.js';
import { ADMIN_URL, queryRows } from '../support/test-database.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

async function token(url: string, client = 'demo-carrier'): Promise<string> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client}:${client}-secret`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function me(url: string, bearer: string, correlationId: string): Promise<Response> {
  return fetch(`${url}/v1/me`, {
    headers: { authorization: `Bearer ${bearer}`, 'x-correlation-id': correlationId },
  });
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Polls (no timing asserted) until `check` holds. */
async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('condition never held');
}

const entries = (server: TestServer, correlationId: string) =>
  queryRows<{ status: number; reason: string | null }>(
    server.testDatabase.url,
    `SELECT status, reason FROM audit_events WHERE correlation_id = $1`,
    [correlationId],
  );

describe('audit durability under overload and outage', () => {
  describe('past the buffer high-water mark', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { AUDIT_BUFFER_HIGH_WATER: '1' } });
    });
    after(async () => {
      await server?.close();
    });

    test('a read waits for its entry to commit instead of its entry being buffered', async () => {
      const bearer = await token(server.url);
      const log = server.app.get(AuditLog);
      await log.flush();
      // Holding the chain head of `demo` blocks the writer in the middle of a batch.
      const blocker = new pg.Client({ connectionString: server.testDatabase.url });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query(`SELECT * FROM audit_chain_heads WHERE tenant_id = 'demo' FOR UPDATE`);
        assert.equal((await me(server.url, bearer, 'bp-first')).status, 200);
        // The writer takes `bp-first` and waits on the lock (not awaited: it cannot finish yet).
        const stuck = log.flush();
        await eventually(async () => {
          const waiting = await queryRows(
            server.testDatabase.url,
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          return waiting.length > 0;
        });
        // The writer is stuck on `bp-first`; the next read is buffered, and that fills the buffer.
        assert.equal((await me(server.url, bearer, 'bp-second')).status, 200);
        assert.equal(log.congested, true);
        const third = me(server.url, bearer, 'bp-third');
        await eventually(() => log.buffered === 2);
        await blocker.query('COMMIT');
        assert.equal((await third).status, 200);
        await stuck;
        // Committed before the response left: there the moment the response is here.
        assert.deepEqual(await entries(server, 'bp-third'), [{ status: 200, reason: null }]);
      } finally {
        await blocker.end();
      }
      await log.flush();
      for (const id of ['bp-first', 'bp-second']) assert.equal((await entries(server, id)).length, 1);
    });
  });

  describe('while the database is unreachable', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await admin((c) => c.query(`ALTER DATABASE ${server.testDatabase.name} ALLOW_CONNECTIONS true`)).catch(
        () => undefined,
      );
      await server?.close();
    });

    test('requests are refused with 503 rather than served unaudited; every entry arrives once it is back', async () => {
      const bearer = await token(server.url);
      const name = server.testDatabase.name;
      assert.equal((await me(server.url, bearer, 'outage-before')).status, 200);
      await server.app.get(AuditLog).flush();
      await admin(async (c) => {
        await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
      });

      // The first requests may still be served (their entries buffered) until a write fails.
      let n = 0;
      let refused: Response | undefined;
      await eventually(async () => {
        const response = await me(server.url, bearer, `outage-${(n += 1)}`);
        if (response.status !== 503) return false;
        refused = response;
        return true;
      });
      assert.match(refused!.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(refused!.headers.get('retry-after'), '5');
      const problem = (await refused!.json()) as { code: string; status: number };
      assert.deepEqual([problem.status, problem.code], [503, 'service-unavailable']);
      // The token endpoint too: nothing at all is served unrecorded.
      const tokenRefused = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=demo-carrier&client_secret=demo-carrier-secret',
      });
      assert.equal(tokenRefused.status, 503);
      // Liveness still answers; readiness says the node is not ready.
      assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
      const notReady = await fetch(`${server.url}/health/ready`);
      assert.equal(notReady.status, 503);
      // An operator (or a load balancer's log) sees which check is down, not a bare 503.
      const readiness = (await notReady.json()) as {
        detail: string;
        checks?: Record<string, { status: string }>;
      };
      assert.match(readiness.detail, /auditLog/);
      assert.equal(readiness.checks?.auditLog?.status, 'down');
      assert.equal(readiness.checks?.database?.status, 'down');

      await admin((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
      await eventually(async () => (await me(server.url, bearer, 'outage-after')).status === 200);
      await server.app.get(AuditLog).flush();

      const rows = await queryRows<{ correlation_id: string; status: number; reason: string | null }>(
        server.testDatabase.url,
        `SELECT correlation_id, status, reason FROM audit_events WHERE correlation_id LIKE 'outage-%'`,
      );
      const byId = new Map(rows.map((r) => [r.correlation_id, r]));
      // Every request made during the outage has its entry: served ones and refused ones alike.
      for (let i = 1; i <= n; i += 1) assert.ok(byId.has(`outage-${i}`), `outage-${i} is in the log`);
      const refusedEntry = byId.get(`outage-${n}`);
      assert.deepEqual([refusedEntry?.status, refusedEntry?.reason], [503, 'audit log unavailable']);
      for (const tenant of ['demo', '_system']) {
        assert.equal((await verifyAuditChain(server.dataSource, tenant)).firstBreak, null);
      }
    });
  });

  describe("while one tenant's chain cannot be appended", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await server?.close();
    });

    test('only that tenant is refused; the others are served and audited; its entries arrive in order once it can', async () => {
      const demo = await token(server.url);
      const demoB = await token(server.url, 'demo-b-carrier');
      const log = server.app.get(AuditLog);
      assert.equal((await me(server.url, demoB, 'chain-b-before')).status, 200);
      await log.flush();
      // Someone with INSERT rights puts a row at demo-b's next sequence number.
      await queryRows(
        server.testDatabase.url,
        `CREATE TEMP TABLE forged AS SELECT e.* FROM audit_events e JOIN audit_chain_heads h
            ON h.tenant_id = e.tenant_id AND h.seq = e.seq WHERE e.tenant_id = 'demo-b';
         UPDATE forged SET id = gen_random_uuid(), seq = seq + 1;
         INSERT INTO audit_events SELECT * FROM forged;`,
      );
      assert.equal((await me(server.url, demoB, 'chain-b-held')).status, 200);
      await log.flush();
      await eventually(async () => (await me(server.url, demoB, 'chain-b-refused')).status === 503);
      const served = await me(server.url, demo, 'chain-a-served');
      assert.equal(served.status, 200);
      await log.flush();
      assert.equal((await entries(server, 'chain-a-served')).length, 1);
      assert.equal((await entries(server, 'chain-b-held')).length, 0);
      const ready = await fetch(`${server.url}/health/ready`);
      assert.equal(ready.status, 200);
      const body = (await ready.json()) as {
        details: { auditLog: { blockedChains?: { tenantId: string }[] } };
      };
      assert.deepEqual(
        body.details.auditLog.blockedChains?.map((c) => c.tenantId),
        ['demo-b'],
      );

      await queryRows(
        server.testDatabase.url,
        `DO $$ BEGIN
           ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
           DELETE FROM audit_events a USING audit_chain_heads h
            WHERE a.tenant_id = 'demo-b' AND h.tenant_id = 'demo-b' AND a.seq > h.seq;
           ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;
         END $$`,
      );
      await eventually(async () => (await me(server.url, demoB, 'chain-b-after')).status === 200);
      await log.flush();
      const rows = await queryRows<{ correlation_id: string }>(
        server.testDatabase.url,
        `SELECT correlation_id FROM audit_events WHERE tenant_id = 'demo-b' AND correlation_id LIKE 'chain-b-%' ORDER BY seq`,
      );
      const ids = rows.map((r) => r.correlation_id);
      assert.deepEqual([ids[0], ids[1], ids.at(-1)], ['chain-b-before', 'chain-b-held', 'chain-b-after']);
      assert.ok(ids.includes('chain-b-refused'));
      assert.equal((await verifyAuditChain(server.dataSource, 'demo-b')).firstBreak, null);
    });
  });
});
