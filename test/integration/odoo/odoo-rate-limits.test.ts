/**
 * Odoo (or the proxy in front of it) answering 429 Too Many Requests with Retry-After: the request
 * never reached Odoo, so it is safe to send again, writes included. A short wait is honoured inside
 * the call; a long one comes back as a retryable error that says how long Odoo asked to wait.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { OdooClient, OdooProtocol } from '../../../src/odoo/odoo-client.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';

let sim: RunningOdooSimulator;
const clients: OdooClient[] = [];

before(async () => {
  sim = await startOdooSimulator({ port: 0 });
});
beforeEach(() => sim.reset());
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sim.stop();
});

function connect(protocol: OdooProtocol): OdooClient {
  const client = createOdooClient({
    url: sim.url,
    database: 'demo',
    login: 'crossdock-bot',
    apiKeyRef: '',
    apiKey: 'demo-odoo-key',
    protocol,
  });
  clients.push(client);
  return client;
}

const partnersNamed = (name: string): number =>
  sim.state
    .db('demo')
    .records('res.partner')
    .filter((p) => p['name'] === name).length;

for (const protocol of ['jsonrpc', 'json2'] as const) {
  test(`${protocol}: a 429 with a short Retry-After is waited out and the write lands once`, async () => {
    const client = connect(protocol);
    await client.call('res.partner', 'search_count', { domain: [] });
    sim.setFault({ mode: 'http429', retryAfterSeconds: 1, count: 2, model: 'res.partner', method: 'create' });
    const started = Date.now();
    const ids = await client.call<number[] | number>('res.partner', 'create', {
      vals_list: [{ name: 'Rate Limited Carrier' }],
    });
    const waited = Date.now() - started;
    assert.ok(ids, 'the create answered');
    assert.equal(partnersNamed('Rate Limited Carrier'), 1);
    assert.ok(waited >= 1900, `the client waited as Odoo asked (${waited} ms for two 1 s waits)`);
  });

  test(`${protocol}: a 429 asking for a long wait is a retryable error that says how long`, async () => {
    const client = connect(protocol);
    await client.call('res.partner', 'search_count', { domain: [] });
    sim.setFault({ mode: 'http429', retryAfterSeconds: 120, model: 'res.partner' });
    const started = Date.now();
    const error = await odooFailure(client.call('res.partner', 'search_count', { domain: [] }));
    assert.ok(Date.now() - started < 1000, 'the client did not sit out two minutes');
    assert.equal(error.kind, 'retryable');
    assert.equal(error.httpStatus, 429);
    assert.equal(error.retryAfterSeconds, 120);
    assert.match(error.message, /429/);
    assert.match(error.message, /retry after 120 s/);
  });
}
