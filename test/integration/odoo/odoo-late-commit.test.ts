/**
 * A create that Odoo commits after we gave up on it (our timeout, a proxy's 504): the retry must not
 * create the record a second time beside it. Odoo here is the simulator, which finishes a slow call
 * after the client has hung up, as a real worker does until its own limit_time_real.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { CanonicalDocument } from '../../../src/canonical/canonical-validator.js';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import type { OdooClient } from '../../../src/odoo/odoo-client.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';
import type { SimRecord } from '../../../src/odoo/simulator/sim-database.js';
import { odooFailure } from '../../support/odoo/odoo-assertions.js';
import {
  sampleFreightInvoice,
  sampleOrder,
  sampleReturnAuthorization,
} from '../../support/odoo/canonical-samples.js';

let sim: RunningOdooSimulator;
let client: OdooClient;

before(async () => {
  sim = await startOdooSimulator({ port: 0 });
  client = createOdooClient(
    {
      url: sim.url,
      database: 'demo',
      login: 'crossdock-bot',
      apiKeyRef: '',
      apiKey: 'demo-odoo-key',
      protocol: 'json2',
    },
    { timeoutMs: 300 },
  );
});
beforeEach(() => sim.reset());
after(async () => {
  await client.close();
  await sim.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const options = { createLeaseSeconds: 2 };

const cases: Array<{ model: string; document: CanonicalDocument; same: (r: SimRecord) => boolean }> = [
  { model: 'sale.order', document: sampleOrder(), same: (r) => r['client_order_ref'] === 'WEB-5001' },
  {
    model: 'account.move',
    document: sampleFreightInvoice(),
    same: (r) => r['ref'] === 'INV-2026-001',
  },
  {
    model: 'stock.picking',
    document: sampleReturnAuthorization(),
    same: (r) => r['origin'] === 'RMA-7001',
  },
];

for (const { model, document, same } of cases) {
  test(`${model}: a create that commits after our timeout is adopted by the retry, not created twice`, async () => {
    sim.setFault({ mode: 'slow', delayMs: 900, model, method: 'create', count: 1 });
    const timedOut = await odooFailure(deliverToOdoo(client, 'demo', document, options));
    assert.equal(timedOut.kind, 'retryable');
    assert.match(timedOut.message, /did not answer within 300 ms/);

    // The retry comes while Odoo is still working on the first create.
    const early = await deliverToOdoo(client, 'demo', document, options).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(early, 'the retry must not create while the first create may still commit');
    assert.match(String(early), /may still commit/);

    await sleep(2300);
    const result = await deliverToOdoo(client, 'demo', document, options);
    assert.equal(result.action, 'skipped', 'the late record was adopted');
    const records = sim.state.db('demo').records(model).filter(same);
    assert.equal(records.length, 1, `one ${model}, not ${records.length}`);
    assert.equal(records[0]!.id, result.id);
    assert.equal(
      sim.state
        .db('demo')
        .records('ir.model.data')
        .filter((x) => String(x['name']).startsWith('pending_')).length,
      0,
      'no lease left behind',
    );
  });
}
