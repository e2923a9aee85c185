/**
 * A document's fate in Crossdock's own records (what GET /v1/messages/{id} shows), against the real
 * PostgreSQL and the Odoo simulator: a delivery Odoo took but that needs an operator's look
 * (an unmatched or short-paid freight invoice, a credit note) says so in the message's history.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CanonicalDocument } from '../../../src/canonical/canonical-validator.js';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { deliverToOdoo } from '../../../src/odoo/deliver-to-odoo.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import {
  eventually,
  freightInvoice,
  startPipelineHarness,
  type PipelineHarness,
} from '../../support/pipeline-harness.js';

let harness: PipelineHarness;
let pipeline: Pipeline;

before(async () => {
  harness = await startPipelineHarness('odoo_status');
  pipeline = await harness.startPipeline();
});
after(async () => {
  await harness?.close();
});

test('an invoice delivered but matching no shipment says so in its history, not just "created"', async () => {
  const invoice = { ...freightInvoice('demo', 'UNMATCHED-1', '80.00'), billOfLading: 'BOL-NOWHERE' };
  const message = await pipeline.store.receive({
    tenantId: 'demo',
    partnerId: 'demo-carrier',
    channel: 'rest',
    payload: Buffer.from(JSON.stringify(invoice)),
    contentType: 'application/json',
    environment: 'production',
  });
  const detail = await eventually(
    () => pipeline.store.detail('demo', message.id),
    (d) => d?.state === 'delivered',
    30_000,
    'the invoice delivered',
  );
  const delivered = detail!.history.find((e) => e.documentId !== null && e.to === 'delivered');
  assert.ok(delivered, 'the document has a delivered event');
  assert.match(delivered.cause, /^created account\.move \d+ in Odoo/);
  assert.match(delivered.cause, /unmatched_shipment/, `the cause names the flag: ${delivered.cause}`);
  assert.match(delivered.cause, /review/i);
});

test('a document Odoo already holds (our bookkeeping was lost after the write) reads "already in Odoo", not "skipped"', async () => {
  const invoice = freightInvoice('demo', 'ALREADY-1', '42.00');
  // An earlier attempt wrote the bill, and the process died before recording it.
  const client = createOdooClient(harness.registry.tenant('demo')!.odoo.production!);
  try {
    await deliverToOdoo(client, 'demo', invoice as unknown as CanonicalDocument);
  } finally {
    await client.close();
  }
  const message = await pipeline.store.receive({
    tenantId: 'demo',
    partnerId: 'demo-carrier',
    channel: 'rest',
    payload: Buffer.from(JSON.stringify(invoice)),
    contentType: 'application/json',
    environment: 'production',
  });
  const detail = await eventually(
    () => pipeline.store.detail('demo', message.id),
    (d) => d?.state === 'delivered',
    30_000,
    'the invoice delivered',
  );
  const delivered = detail!.history.find((e) => e.documentId !== null && e.to === 'delivered')!;
  assert.match(delivered.cause, /^account\.move \d+ already in Odoo, nothing to change/);
});

test('a bot user without rights on vendor bills: the dead letter says access was refused, naming the model', async () => {
  harness.simulator.setFault({ mode: 'accessDenied', model: 'account.move' });
  try {
    const message = await pipeline.store.receive({
      tenantId: 'demo',
      partnerId: 'demo-carrier',
      channel: 'rest',
      payload: Buffer.from(JSON.stringify(freightInvoice('demo', 'NO-RIGHTS-1', '10.00'))),
      contentType: 'application/json',
      environment: 'production',
    });
    const detail = await eventually(
      () => pipeline.store.detail('demo', message.id),
      (d) => d?.state === 'dead_lettered',
      30_000,
      'the invoice dead-lettered',
    );
    const lastError = detail!.documents[0]!.lastError ?? '';
    assert.match(lastError, /^Odoo refused access: /);
    assert.doesNotMatch(lastError, /credentials/);
    assert.match(lastError, /account\.move/);
  } finally {
    harness.simulator.clearFaults();
  }
});
