import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { verifyAuditChain } from '../../src/audit/audit-verifier.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { Background } from '../support/child-process.js';
import { createTestDatabase, queryRows } from '../support/test-database.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROBLEM = /^application\/problem\+json/;

interface AuditItem {
  tenantId: string;
  seq: number;
  clientId: string | null;
  partnerId: string | null;
  status: number;
  route: string | null;
  method: string;
  action: string;
  correlationId: string;
  sourceIp: string;
  scopes: string[];
  hash: string;
}

async function token(url: string, clientId: string, secret = `${clientId}-secret`): Promise<string> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  assert.equal(response.status, 200, `token for ${clientId}: ${await response.clone().text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

function get(url: string, bearer: string, correlationId?: string): Promise<Response> {
  return fetch(url, {
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
    },
  });
}

/**
 * The demo tenants plus `quota`, whose carrier may make 25 requests a minute: a window no test run
 * straddles, so counts are exact however slow the machine.
 */
function quotaTenantsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'crossdock-quota-'));
  // The whole folder: the tenant files name certificates and keys by relative path.
  cpSync('tenants/demo', path.join(dir, 'demo'), { recursive: true });
  writeFileSync(
    path.join(dir, 'demo', 'quota.yaml'),
    [
      'id: quota',
      'name: Quota Test Logistics',
      'environment: test',
      'partners:',
      '  - id: quota-carrier',
      '    name: Quota Carrier',
      '    kind: carrier',
      '    scopes: [tracking:read]',
      '    rateLimit: { perMinute: 25 }',
      'apiClients:',
      '  - id: quota-carrier',
      '    partner: quota-carrier',
      "    secrets: ['${QUOTA_CARRIER_SECRET:-quota-carrier-secret}']",
      '',
    ].join('\n'),
  );
  return dir;
}

async function auditEvents(server: { url: string }, bearer: string, query: string): Promise<AuditItem[]> {
  const response = await get(`${server.url}/v1/audit-events?${query}`, bearer);
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { items: AuditItem[] }).items;
}

describe('rate limits and the audit log, end to end', () => {
  let server: TestServer;
  let auditor: string;
  let carrier: string;

  before(async () => {
    server = await startTestServer();
    auditor = await token(server.url, 'demo-auditor');
    carrier = await token(server.url, 'demo-carrier');
  });
  after(async () => {
    await server?.close();
  });

  test('a burst over the partner policy gets 429 problems with RateLimit headers and Retry-After', async () => {
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => get(`${server.url}/v1/me`, carrier, `burst-${i}`)),
    );
    const elapsed = Date.now() - started;
    // demo-carrier: perSecond 20, burst 40, perDay 200000; the window opens at the first request.
    if (elapsed < 900) assert.equal(responses.filter((r) => r.status === 200).length, 40);
    // A machine too slow to send 60 requests within one second gets more batches until refused.
    for (let batch = 1; batch < 5 && !responses.some((r) => r.status === 429); batch += 1) {
      responses.push(
        ...(await Promise.all(
          Array.from({ length: 60 }, (_, i) => get(`${server.url}/v1/me`, carrier, `burst-${batch}-${i}`)),
        )),
      );
    }
    const ok = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    assert.equal(ok.length + limited.length, responses.length);
    assert.ok(limited.length > 0);
    const policy = '"burst";q=40;w=1, "sustained";q=200;w=10, "daily";q=200000;w=86400';
    assert.equal(ok[0]!.headers.get('ratelimit-policy'), policy);
    assert.match(ok[0]!.headers.get('ratelimit') ?? '', /^"burst";r=\d+;t=1$/);
    const refused = limited[0]!;
    assert.equal(refused.headers.get('ratelimit-policy'), policy);
    assert.equal(refused.headers.get('ratelimit'), '"burst";r=0;t=1');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(refused.headers.get('content-type') ?? '', PROBLEM);
    const body = (await refused.json()) as { status: number; code: string; correlationId: string };
    assert.equal(body.status, 429);
    assert.equal(body.code, 'too-many-requests');

    // The refused request's entry was committed before its 429 left.
    const [entry] = await auditEvents(server, auditor, `correlationId=${body.correlationId}`);
    assert.equal(entry?.status, 429);
    assert.equal(entry?.clientId, 'demo-carrier');
    assert.equal(entry?.partnerId, 'demo-carrier');
    assert.equal(entry?.route, '/v1/me');
    assert.equal(entry?.tenantId, 'demo');
    assert.ok(entry?.scopes.includes('tracking:write'));
    await new Promise((r) => setTimeout(r, 1100));
  });

  test('a 401 (bad token) and a 404 go to the system chain; a failed token request to its tenant', async () => {
    const forged = await get(`${server.url}/v1/me`, 'not.a.jwt', 'sec-401');
    assert.equal(forged.status, 401);
    const missing = await fetch(`${server.url}/v1/no-such-route`, {
      headers: { 'x-correlation-id': 'sec-404' },
    });
    assert.equal(missing.status, 404);
    const [unauth] = await queryRows<{
      tenant_id: string;
      status: number;
      route: string | null;
      path: string;
    }>(
      server.testDatabase.url,
      `SELECT tenant_id, status, route, path FROM audit_events WHERE correlation_id = 'sec-401'`,
    );
    assert.deepEqual(unauth, { tenant_id: '_system', status: 401, route: '/v1/me', path: '/v1/me' });
    const [notFound] = await queryRows<{ tenant_id: string; status: number; path: string }>(
      server.testDatabase.url,
      `SELECT tenant_id, status, path FROM audit_events WHERE correlation_id = 'sec-404'`,
    );
    assert.deepEqual(notFound, { tenant_id: '_system', status: 404, path: '/v1/no-such-route' });

    const badLogin = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('demo-3pl:wrong').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'x-correlation-id': 'sec-bad-login',
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(badLogin.status, 401);
    // The claimed client belongs to demo: its auditor sees the attempt on demo's chain.
    const [attempt] = await auditEvents(server, auditor, 'correlationId=sec-bad-login');
    assert.equal(attempt?.tenantId, 'demo');
    assert.equal(attempt?.clientId, 'demo-3pl');
    assert.equal(attempt?.status, 401);
    assert.equal(attempt?.route, '/oauth/token');
    assert.equal(attempt?.action, 'token.issue');
    const rows = await queryRows<{ reason: string; details: unknown }>(
      server.testDatabase.url,
      `SELECT reason, details FROM audit_events WHERE correlation_id = 'sec-bad-login'`,
    );
    assert.equal(rows[0]?.reason, 'wrong client secret');
    const serialized = JSON.stringify(await queryRows(server.testDatabase.url, 'SELECT * FROM audit_events'));
    assert.ok(
      !serialized.includes('demo-carrier-secret') && !serialized.includes(carrier),
      'no secret or token',
    );
  });

  test('a request claiming a Content-Length beyond bigint is audited with its size unknown, and the node serves on', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1', () =>
        socket.write(
          'GET /v1/me HTTP/1.1\r\nHost: crossdock\r\nX-Correlation-ID: sec-huge-length\r\n' +
            'Content-Length: 15000000000000000000\r\nConnection: close\r\n\r\n',
        ),
      );
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk.toString('latin1').split('\r\n')[0]!);
        socket.destroy();
      });
      socket.once('error', reject);
    });
    assert.equal(status, 'HTTP/1.1 401 Unauthorized');
    const [entry] = await queryRows<{ status: number; bytes_in: string | null }>(
      server.testDatabase.url,
      `SELECT status, bytes_in FROM audit_events WHERE correlation_id = 'sec-huge-length'`,
    );
    assert.deepEqual(entry, { status: 401, bytes_in: null });
    assert.equal((await get(`${server.url}/v1/me`, carrier, 'sec-after-huge-length')).status, 200);
  });

  test('a 403 (missing scope) is recorded; the auditor of demo sees only demo', async () => {
    const refused = await get(`${server.url}/v1/audit-events`, carrier, 'sec-403');
    assert.equal(refused.status, 403);
    const [entry] = await auditEvents(server, auditor, 'correlationId=sec-403');
    assert.equal(entry?.status, 403);
    assert.equal(entry?.clientId, 'demo-carrier');

    const otherCarrier = await token(server.url, 'demo-b-carrier');
    assert.equal((await get(`${server.url}/v1/me`, otherCarrier, 'demo-b-only')).status, 200);
    await new Promise((r) => setTimeout(r, 1100)); // a read's entry is buffered up to a second
    assert.deepEqual(await auditEvents(server, auditor, 'correlationId=demo-b-only'), []);
    const otherAuditor = await token(server.url, 'demo-b-auditor');
    const seen = await auditEvents(server, otherAuditor, 'correlationId=demo-b-only');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.tenantId, 'demo-b');
    const all = await auditEvents(server, auditor, 'limit=500');
    assert.ok(all.length > 40);
    assert.ok(all.every((e) => e.tenantId === 'demo'));
    const classes = await auditEvents(server, auditor, 'outcome=4xx&limit=500');
    assert.ok(classes.length > 0 && classes.every((e) => e.status >= 400 && e.status < 500));
  });

  test('cursor pagination walks the log newest first without overlap', async () => {
    const pages: AuditItem[][] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 3; i += 1) {
      const response = await get(
        `${server.url}/v1/audit-events?limit=5&clientId=demo-carrier${cursor ? `&cursor=${cursor}` : ''}`,
        auditor,
      );
      const page = (await response.json()) as { items: AuditItem[]; nextCursor?: string };
      pages.push(page.items);
      cursor = page.nextCursor;
      assert.ok(cursor);
    }
    const seqs = pages.flat().map((e) => e.seq);
    assert.equal(seqs.length, 15);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    );
    assert.equal(new Set(seqs).size, 15);
    const bad = await get(`${server.url}/v1/audit-events?limit=501&cursor=nope`, auditor);
    assert.equal(bad.status, 422);
    const { errors } = (await bad.json()) as { errors: { pointer: string }[] };
    assert.deepEqual(
      errors.map((e) => e.pointer),
      ['/limit'],
    );
  });

  test('export streams NDJSON and CSV for a time range', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const listed = await auditEvents(server, auditor, `limit=500&from=${from}&to=${to}`);
    const ndjson = await get(
      `${server.url}/v1/audit-events/export?format=ndjson&from=${from}&to=${to}`,
      auditor,
    );
    assert.equal(ndjson.status, 200);
    assert.match(ndjson.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const lines = (await ndjson.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditItem);
    assert.ok(lines.length >= listed.length);
    assert.ok(lines.every((e) => e.tenantId === 'demo'));
    assert.deepEqual(
      lines.map((e) => e.seq),
      [...lines.map((e) => e.seq)].sort((a, b) => a - b),
    );
    const listedSeqs = new Set(lines.map((e) => e.seq));
    assert.ok(listed.every((e) => listedSeqs.has(e.seq)));

    const csv = await get(`${server.url}/v1/audit-events/export?format=csv&from=${from}&to=${to}`, auditor);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const rows = (await csv.text()).trimEnd().split('\r\n');
    assert.match(rows[0]!, /^tenantId,seq,id,occurredAt,kind,action,clientId/);
    assert.ok(rows.length - 1 >= lines.length);
    assert.ok(rows.slice(1).every((r) => r.startsWith('demo,')));
  });

  test('the token endpoint is limited per claimed client id', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const attempts = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`demo-edi:guess-${i}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        }),
      ),
    );
    const statuses = attempts.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 429).length, 6, statuses.join(' '));
    const limited = attempts.find((r) => r.status === 429)!;
    assert.equal(limited.headers.get('ratelimit'), '"client-burst";r=0;t=1');
    assert.match(
      limited.headers.get('ratelimit-policy') ?? '',
      /"ip-burst";q=20;w=1, "ip-minute";q=300;w=60, "client-burst";q=10;w=1, "client-minute";q=120;w=60/,
    );
    assert.ok(statuses.every((s) => s === 401 || s === 429));
  });

  test('brute force on the token endpoint locks the client id + IP pair out, and is on record', async () => {
    // The test before spent most of this IP's one-second burst on the token endpoint; a fresh window
    // keeps the sixth attempt the first refusal, so what is seen is the lockout and not the IP burst.
    await new Promise((r) => setTimeout(r, 1100));
    const attempt = (secret: string, correlationId: string) =>
      fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`demo-b-3pl:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          'x-correlation-id': correlationId,
        },
        body: 'grant_type=client_credentials',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await attempt(`guess-${i}`, `brute-${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    // Locked out: even the right secret is refused for now.
    const locked = await attempt('demo-b-3pl-secret', 'brute-right');
    assert.equal(locked.status, 429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter > 850 && retryAfter <= 900, String(retryAfter));
    const otherAuditor = await token(server.url, 'demo-b-auditor');
    const trail = await auditEvents(server, otherAuditor, 'clientId=demo-b-3pl&route=/oauth/token&limit=20');
    assert.deepEqual(trail.map((e) => [e.correlationId, e.status]).reverse(), [
      ...statuses.map((s, i) => [`brute-${i}`, s]),
      ['brute-right', 429],
    ]);
  });

  test('every chain still verifies after all of the above', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    for (const tenant of ['demo', 'demo-b', '_system']) {
      const report = await verifyAuditChain(server.dataSource, tenant);
      assert.equal(report.firstBreak, null, tenant);
      assert.ok(report.entries > 0);
    }
  });
});

describe('a flood of wrong secrets for one client id from one address', () => {
  let server: TestServer;
  const ATTACKER = '198.51.100.66';
  const PARTNER = '203.0.113.20';

  before(async () => {
    // The test client connects from the loopback, a trusted proxy by default (TRUST_PROXY), so
    // X-Forwarded-For names the source address of each request.
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  const attempt = (from: string, secret: string, correlationId: string) =>
    fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`demo-carrier:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': from,
        'x-correlation-id': correlationId,
      },
      body: 'grant_type=client_credentials',
    });

  test('locks out the attacking address, never the client from its own address', async () => {
    // Ten a second (the per-client burst) for thirteen seconds: more than a client may ask in a minute.
    const statuses: number[] = [];
    for (let batch = 0; batch < 13; batch += 1) {
      const started = Date.now();
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => attempt(ATTACKER, `guess-${batch}-${i}`, `flood-${batch}-${i}`)),
      );
      statuses.push(...responses.map((r) => r.status));
      await new Promise((r) => setTimeout(r, Math.max(0, 1050 - (Date.now() - started))));
    }
    // Only the first batch is judged (the ten arrive together, before any failure is counted);
    // from then on the address is locked out for this client id.
    const failures = statuses.filter((s) => s === 401).length;
    assert.ok(failures >= 5 && failures <= 10, statuses.join(' '));
    assert.ok(
      statuses.slice(10).every((s) => s === 429),
      statuses.join(' '),
    );

    // The partner, with its secret, from its own address: a token.
    const partner = await attempt(PARTNER, 'demo-carrier-secret', 'partner-right');
    assert.equal(partner.status, 200, await partner.clone().text());
    assert.equal(((await partner.json()) as { token_type: string }).token_type, 'Bearer');

    // The attacking address stays locked out, even with the right secret.
    const attacker = await attempt(ATTACKER, 'demo-carrier-secret', 'attacker-right');
    assert.equal(attacker.status, 429);
    assert.match(attacker.headers.get('content-type') ?? '', PROBLEM);
    // Refused by its spent quota (this minute) and, behind that, by the lockout (fifteen minutes).
    assert.ok(Number(attacker.headers.get('retry-after')) >= 1);

    // Every failure is on record, with the address it came from.
    await new Promise((r) => setTimeout(r, 1100));
    const rows = await queryRows<{ source_ip: string; status: number; reason: string | null }>(
      server.testDatabase.url,
      `SELECT source_ip, status, reason FROM audit_events
        WHERE correlation_id LIKE 'flood-%' ORDER BY occurred_at`,
    );
    assert.equal(rows.length, 130);
    assert.ok(rows.every((r) => r.source_ip === ATTACKER));
    assert.deepEqual(
      rows.filter((r) => r.status === 401).map((r) => r.reason),
      Array.from({ length: failures }, () => 'wrong client secret'),
    );
    assert.equal(rows.filter((r) => r.status === 429).length, 130 - failures);
  });

  test('addresses of one IPv6 /64 are one source: a new address there brings no new guesses', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 7; i += 1) {
      const response = await attempt(`2001:db8:66:1::${i.toString(16)}`, `v6-guess-${i}`, `v6-${i}`);
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);

    // The partner from another /64: a token.
    const partner = await attempt('2001:db8:20:1::1', 'demo-carrier-secret', 'v6-partner-right');
    assert.equal(partner.status, 200, await partner.clone().text());
  });
});

describe('two Crossdock nodes sharing PostgreSQL and Redis', () => {
  let first: TestServer;
  let second: RunningServer;
  const prefix = `crossdock-test:${randomBytes(6).toString('hex')}`;
  const tenantsDir = quotaTenantsDir();

  before(async () => {
    const shared = { REDIS_URL, REDIS_KEY_PREFIX: prefix, CROSSDOCK_TENANTS_DIR: tenantsDir };
    first = await startTestServer({ env: shared });
    second = await startServer({
      env: {
        DATABASE_URL: first.testDatabase.url,
        CROSSDOCK_DEMO: '1',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        ...shared,
      },
    });
  });
  after(async () => {
    await second?.stop();
    await first?.close();
    rmSync(tenantsDir, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  test('enforce one limit between them, and append to one chain', async () => {
    // quota-carrier: 25 a minute. A token from one node is good on the other.
    const carrier = await token(first.url, 'quota-carrier');
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        get(`${(i % 2 === 0 ? first : second).url}/v1/me`, carrier, `two-${i}`),
      ),
    );
    const okByNode = [0, 1].map((n) => responses.filter((r, i) => i % 2 === n && r.status === 200).length);
    assert.equal(okByNode[0]! + okByNode[1]!, 25, `accepted per node: ${okByNode.join(' + ')}`);
    assert.ok(okByNode[0]! > 0 && okByNode[1]! > 0);
    const refused = responses.filter((r) => r.status === 429);
    assert.equal(refused.length, 15);
    assert.equal(refused[0]!.headers.get('ratelimit-policy'), '"minute";q=25;w=60');
    assert.match(refused[0]!.headers.get('ratelimit') ?? '', /^"minute";r=0;t=\d+$/);
    const redis = new Redis(REDIS_URL);
    assert.ok((await redis.keys(`${prefix}:req:60:*`)).length > 0);
    await redis.quit();

    await new Promise((r) => setTimeout(r, 1100));
    const rows = await queryRows<{ n: string }>(
      first.testDatabase.url,
      `SELECT count(*) AS n FROM audit_events WHERE tenant_id = 'quota' AND correlation_id LIKE 'two-%'`,
    );
    assert.equal(rows[0]?.n, '40');
    assert.equal((await verifyAuditChain(first.dataSource, 'quota')).firstBreak, null);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('when Redis goes away', () => {
  let server: TestServer;
  let redisProcess: ChildProcess | undefined;
  let port: number;
  const tenantsDir = quotaTenantsDir();
  const startRedis = async (): Promise<void> => {
    redisProcess = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50; i += 1) {
      const redis = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
      redis.on('error', () => undefined);
      const up = await redis.connect().then(
        () => true,
        () => false,
      );
      redis.disconnect();
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('redis-server did not start');
  };
  const stopRedis = async (): Promise<void> => {
    const child = redisProcess;
    redisProcess = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };

  before(async () => {
    port = await freePort();
    await startRedis();
    server = await startTestServer({
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, CROSSDOCK_TENANTS_DIR: tenantsDir },
    });
  });
  after(async () => {
    await stopRedis();
    await server?.close();
    rmSync(tenantsDir, { recursive: true, force: true });
  });

  test('each node keeps limiting on its own (insurance) and returns to Redis when it is back', async () => {
    const carrier = await token(server.url, 'quota-carrier');
    await stopRedis();
    await new Promise((r) => setTimeout(r, 200));
    const whileDown = await Promise.all(
      Array.from({ length: 30 }, () => get(`${server.url}/v1/me`, carrier)),
    );
    // Counted by this node alone (the insurance limiter), but still counted: 25 a minute.
    assert.deepEqual(
      [whileDown.filter((r) => r.status === 200).length, whileDown.filter((r) => r.status === 429).length],
      [25, 5],
    );
    await startRedis();
    const probe = new Redis(`redis://127.0.0.1:${port}`);
    probe.on('error', () => undefined);
    for (let i = 0; i < 50; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      await get(`${server.url}/v1/me`, carrier);
      if ((await probe.keys('crossdock:rl:req:*')).length > 0) break;
    }
    assert.ok((await probe.keys('crossdock:rl:req:*')).length > 0, 'counters are back in Redis');
    await probe.quit();
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM flushes buffered read entries before the process exits', async () => {
    const database = await createTestDatabase('audit_shutdown');
    const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));
    const server = new Background(process.execPath, [main], {
      DATABASE_URL: database.url,
      CROSSDOCK_DEMO: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDIS_URL: undefined,
    });
    try {
      const [, url] = await server.waitFor(/Crossdock listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const bearer = await token(url!, 'demo-carrier');
      const reads = await Promise.all(
        Array.from({ length: 5 }, (_, i) => get(`${url}/v1/me`, bearer, `last-words-${i}`)),
      );
      assert.ok(reads.every((r) => r.status === 200));
      assert.equal(await server.stop('SIGTERM'), 0, server.output);
      const rows = await queryRows<{ n: string }>(
        database.url,
        `SELECT count(*) AS n FROM audit_events WHERE correlation_id LIKE 'last-words-%'`,
      );
      assert.equal(rows[0]?.n, '5');
    } finally {
      await server.stop('SIGKILL');
      await database.drop();
    }
  });
});
