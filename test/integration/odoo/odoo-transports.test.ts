/** Both transports against the simulator over real HTTP: envelopes, headers, errors, re-auth, limits. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import type { OdooClient, OdooProtocol } from '../../../src/odoo/odoo-client.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import type { OdooErrorKind } from '../../../src/odoo/odoo-errors.js';
import { OdooJsonRpcClient } from '../../../src/odoo/odoo-json-rpc-client.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import type { OdooConnection } from '../../../src/tenancy/tenant-definition.js';

let sim: RunningOdooSimulator;
const clients: OdooClient[] = [];

function connect(
  protocol: OdooProtocol,
  overrides: Partial<OdooConnection> = {},
  maxConcurrency?: number,
): OdooClient {
  const client = createOdooClient(
    {
      url: sim.url,
      database: 'demo',
      login: 'crossdock-bot',
      apiKeyRef: '${DEMO_ODOO_API_KEY}',
      apiKey: 'demo-odoo-key',
      protocol,
      timeoutMs: 2000,
      ...overrides,
    },
    maxConcurrency === undefined ? {} : { maxConcurrency },
  );
  clients.push(client);
  return client;
}

before(async () => {
  sim = await startOdooSimulator({ port: 0 });
});
beforeEach(() => sim.reset());
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.stop();
});

describe('JSON-RPC transport', () => {
  test('authenticates once with the API key, then sends execute_kw exactly as ODOO.md shows', async () => {
    const client = connect('jsonrpc');
    const rows = await client.call<Array<{ id: number; name: string }>>('res.partner', 'search_read', {
      domain: [['ref', '=', 'ABCD']],
      fields: ['name'],
    });
    await client.call('res.partner', 'search_count', { domain: [] });
    assert.deepEqual(rows, [{ id: rows[0]!.id, name: 'ABCD Freight' }]);
    assert.equal(sim.state.counters.authentications, 1);

    const [auth, call, count] = sim.state.requestLog.map(
      (e) => JSON.parse(e.body) as Record<string, unknown>,
    );
    // search/search_count take the domain positionally: its keyword was `args` up to 16.0, `domain` since 17.0.
    assert.deepEqual((count as { params: { args: unknown[] } }).params.args.slice(5), [[[]], {}]);
    assert.deepEqual(auth, {
      jsonrpc: '2.0',
      method: 'call',
      params: {
        service: 'common',
        method: 'authenticate',
        args: ['demo', 'crossdock-bot', 'demo-odoo-key', {}],
      },
      id: 1,
    });
    assert.deepEqual(call, {
      jsonrpc: '2.0',
      method: 'call',
      params: {
        service: 'object',
        method: 'execute_kw',
        args: [
          'demo',
          2,
          'demo-odoo-key',
          'res.partner',
          'search_read',
          [],
          { domain: [['ref', '=', 'ABCD']], fields: ['name'] },
        ],
      },
      id: 2,
    });
  });

  test('record methods get ids positionally; create gets vals_list positionally', async () => {
    const client = connect('jsonrpc');
    const ids = await client.call<number[]>('res.partner', 'create', {
      vals_list: [{ name: 'New carrier', ref: 'NEWC' }],
    });
    await client.call('res.partner', 'write', { ids, vals: { email: 'ops@newc.example' } });
    const [createCall, writeCall] = sim.state.requestLog
      .slice(1)
      .map((e) => (JSON.parse(e.body) as { params: { args: unknown[] } }).params.args);
    assert.deepEqual(createCall!.slice(5), [[[{ name: 'New carrier', ref: 'NEWC' }]], {}]);
    assert.deepEqual(writeCall!.slice(5), [[ids], { vals: { email: 'ops@newc.example' } }]);
    const [row] = sim.state
      .db('demo')
      .records('res.partner')
      .filter((r) => r['ref'] === 'NEWC');
    assert.equal(row?.['email'], 'ops@newc.example');
  });

  test('a wrong key: authenticate answers false, the client raises an authentication error', async () => {
    const error = await odooFailure(
      connect('jsonrpc', { apiKey: 'wrong' }).call('res.partner', 'search', { domain: [] }),
    );
    assert.equal(error.kind, 'authentication');
    assert.equal(error.odooName, 'odoo.exceptions.AccessDenied');
  });

  test('version() needs no credentials', async () => {
    const client = connect('jsonrpc', { apiKey: 'wrong' }) as OdooJsonRpcClient;
    const version = await client.version();
    assert.equal(version['server_version'], '17.0');
  });

  test('session expiry: re-authenticates once and the call succeeds', async () => {
    const client = connect('jsonrpc');
    await client.call('res.partner', 'search_count', { domain: [] });
    sim.setFault({ mode: 'sessionExpired', count: 1, model: 'res.partner' });
    const count = await client.call<number>('res.partner', 'search_count', {
      domain: [['ref', '=', 'ABCD']],
    });
    assert.equal(count, 1);
    assert.equal(sim.state.counters.authentications, 2);
    const expired = sim.state.requestLog.find((e) => e.body.includes('search_count') && e.status === 200);
    assert.ok(expired);
  });

  test('session expiry twice in a row is a retryable error, not a loop', async () => {
    const client = connect('jsonrpc');
    sim.setFault({ mode: 'sessionExpired', count: 2, model: 'res.partner' });
    const error = await odooFailure(client.call('res.partner', 'search_count', { domain: [] }));
    assert.equal(error.kind, 'retryable');
    assert.equal(error.jsonRpcCode, 100);
    assert.equal(sim.state.counters.authentications, 2);
  });

  test('legacy servers that send error.code 200 classify the same, by data.name', async () => {
    const legacy = await startOdooSimulator({ port: 0, jsonRpcErrorCode: 200 });
    const client = createOdooClient({
      url: legacy.url,
      database: 'demo',
      login: 'crossdock-bot',
      apiKeyRef: '',
      apiKey: 'demo-odoo-key',
      protocol: 'jsonrpc',
    });
    try {
      legacy.setFault({ mode: 'validationError', model: 'sale.order', message: 'Customer is blocked' });
      const error = await odooFailure(client.call('sale.order', 'search', { domain: [] }));
      assert.equal(error.kind, 'business');
      assert.equal(error.jsonRpcCode, 200);
      assert.match(error.message, /Customer is blocked/);
    } finally {
      await client.close();
      await legacy.stop();
    }
  });
});

describe('JSON-2 transport', () => {
  test('POST /json/2/<model>/<method> with bearer key, database header and named parameters', async () => {
    const client = connect('json2');
    const rows = await client.call<Array<{ id: number; default_code: string }>>(
      'product.product',
      'search_read',
      {
        domain: [['default_code', '=', 'SKU-001']],
        fields: ['default_code'],
      },
    );
    assert.equal(rows[0]?.default_code, 'SKU-001');
    const entry = sim.state.requestLog.at(-1)!;
    assert.equal(entry.path, '/json/2/product.product/search_read');
    assert.equal(entry.headers['authorization'], 'bearer demo-odoo-key');
    assert.equal(entry.headers['x-odoo-database'], 'demo');
    assert.equal(entry.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(entry.body), {
      domain: [['default_code', '=', 'SKU-001']],
      fields: ['default_code'],
    });
  });

  test('record methods send ids in the body; create returns the ids list', async () => {
    const client = connect('json2');
    const ids = await client.call<number[]>('res.partner', 'create', { vals_list: [{ name: 'J2 partner' }] });
    assert.equal(ids.length, 1);
    assert.equal(await client.call('res.partner', 'write', { ids, vals: { ref: 'J2' } }), true);
    assert.deepEqual(JSON.parse(sim.state.requestLog.at(-1)!.body), { ids, vals: { ref: 'J2' } });
    assert.equal(
      sim.state
        .db('demo')
        .records('res.partner')
        .find((r) => r.id === ids[0])?.['ref'],
      'J2',
    );
  });

  test('a wrong key is 401 werkzeug.exceptions.Unauthorized "Invalid apikey" → authentication', async () => {
    const error = await odooFailure(
      connect('json2', { apiKey: 'wrong' }).call('res.partner', 'search', { domain: [] }),
    );
    assert.equal(error.kind, 'authentication');
    assert.equal(error.httpStatus, 401);
    assert.equal(error.odooName, 'werkzeug.exceptions.Unauthorized');
    assert.match(error.message, /Invalid apikey/);
  });

  test('bad keyword arguments are 422 → business', async () => {
    const error = await odooFailure(
      connect('json2').call('res.partner', 'search', { domain: [], colour: 'red' }),
    );
    assert.equal(error.httpStatus, 422);
    assert.equal(error.kind, 'business');
    assert.match(error.message, /unexpected keyword argument 'colour'/);
  });
});

describe('error classes over HTTP, both transports', () => {
  const cases: Array<{
    fault: Parameters<RunningOdooSimulator['setFault']>[0];
    kind: OdooErrorKind;
    name?: RegExp;
  }> = [
    { fault: { mode: 'down' }, kind: 'retryable' },
    { fault: { mode: 'http500' }, kind: 'retryable' },
    { fault: { mode: 'accessDenied', model: 'res.partner' }, kind: 'authentication', name: /AccessDenied/ },
    {
      fault: { mode: 'validationError', model: 'res.partner', message: 'Ref must be unique' },
      kind: 'business',
      name: /ValidationError/,
    },
  ];
  for (const protocol of ['jsonrpc', 'json2'] as const) {
    for (const { fault, kind, name } of cases) {
      test(`${protocol}: ${fault.mode} → ${kind}`, async () => {
        const client = connect(protocol);
        // JSON-RPC authenticates first; let that through so the fault hits the model call.
        if (protocol === 'jsonrpc') await client.call('res.partner', 'search_count', { domain: [] });
        sim.setFault(fault);
        const error = await odooFailure(client.call('res.partner', 'search', { domain: [] }));
        assert.equal(error.kind, kind, error.message);
        if (name) assert.match(error.odooName ?? '', name);
        if (fault.mode === 'validationError') assert.match(error.message, /Ref must be unique/);
        sim.clearFaults();
        // The connection recovers once the fault is gone.
        assert.equal(typeof (await client.call('res.partner', 'search_count', { domain: [] })), 'number');
      });
    }

    test(`${protocol}: a slow Odoo hits the per-call timeout → retryable`, async () => {
      const client = connect(protocol, { timeoutMs: 150 });
      sim.setFault({ mode: 'slow', delayMs: 2000, count: 1 });
      const started = Date.now();
      const error = await odooFailure(client.call('res.partner', 'search_count', { domain: [] }));
      assert.equal(error.kind, 'retryable');
      assert.match(error.message, /within 150 ms/);
      assert.ok(Date.now() - started < 1500, 'the client gave up at its timeout, not when Odoo answered');
    });

    test(`${protocol}: nobody listening → retryable`, async () => {
      const client = connect(protocol, { url: 'http://127.0.0.1:9' });
      const error = await odooFailure(client.call('res.partner', 'search_count', { domain: [] }));
      assert.equal(error.kind, 'retryable');
      assert.match(error.message, /unreachable/);
    });
  }

  test('json2: session expiry is retried once', async () => {
    const client = connect('json2');
    sim.setFault({ mode: 'sessionExpired', count: 1, model: 'res.partner' });
    assert.equal(
      await client.call<number>('res.partner', 'search_count', { domain: [['ref', '=', 'UPSN']] }),
      1,
    );
  });
});

describe('connection management', () => {
  for (const protocol of ['jsonrpc', 'json2'] as const) {
    test(`${protocol}: never more calls in flight than the cap, and sockets are reused`, async () => {
      const client = connect(protocol, {}, 2);
      if (protocol === 'jsonrpc') await client.call('res.partner', 'search_count', { domain: [] });
      sim.reset();
      sim.setFault({ mode: 'slow', delayMs: 40 });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => client.call<number>('res.partner', 'search_count', { domain: [] })),
      );
      assert.equal(results.length, 10);
      assert.equal(sim.state.counters.requests, 10);
      assert.equal(sim.state.counters.maxInFlight, 2);
      assert.ok(
        sim.state.counters.connections <= 2,
        `opened ${sim.state.counters.connections} connections for 10 calls`,
      );
    });
  }

  test('two clients (two tenants) each get their own cap', async () => {
    const a = connect('json2', {}, 1);
    const b = connect('json2', {}, 1);
    sim.setFault({ mode: 'slow', delayMs: 40 });
    await Promise.all(
      [0, 1, 2].flatMap(() => [
        a.call('res.partner', 'search_count', { domain: [] }),
        b.call('res.partner', 'search_count', { domain: [] }),
      ]),
    );
    assert.equal(sim.state.counters.maxInFlight, 2);
  });
});
