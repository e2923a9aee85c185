import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { SERVER_FILLED_FIELDS } from '../../src/api/canonical-envelope.js';
import { ApiClient } from '../support/api-client.js';
import {
  sampleFreightInvoice,
  sampleFulfillmentConfirmation,
  sampleOrder,
  sampleReturnAuthorization,
} from '../support/odoo/canonical-samples.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PROBLEM = /^application\/problem\+json/;

/** A canonical sample as a partner posts it: without the envelope the server fills. */
function bodyOf(document: object, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { ...document, ...overrides };
  for (const field of SERVER_FILLED_FIELDS) delete body[field];
  return body;
}

describe('REST resources: freight invoices, orders, fulfillment confirmations, returns', () => {
  let server: TestServer;
  const api = new ApiClient(() => server.url);

  const accepted = async (
    client: string,
    path: string,
    body: unknown,
  ): Promise<{ id: string; messageId: string }> => {
    const response = await api.post(client, path, body);
    assert.equal(response.status, 202, await response.clone().text());
    const answer = (await response.json()) as { id: string; messageId: string };
    assert.equal(response.headers.get('location'), `/v1/messages/${answer.messageId}`);
    return answer;
  };
  const settled = async (client: string, path: string): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const resource = await api.eventually(client, path);
      if (!['translated', 'delivering', 'failed'].includes(String(resource['state']))) return resource;
      if (Date.now() > deadline) throw new Error(`${path} still ${String(resource['state'])}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  test('a freight invoice for a known shipment is matched in Odoo; one for an unknown BOL is unmatched', async () => {
    // The shipment the invoice bills: the 856 sample's receipt carries BOL998877 once delivered.
    const asn = await fetch(`${server.url}/v1/edi`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await api.token('demo-edi')}`,
        'content-type': 'application/edi-x12',
      },
      body: await readFile('samples/x12/856-asn-PO778899.edi', 'utf8'),
    });
    const asnMessage = ((await asn.json()) as { messageId: string }).messageId;
    const deadline = Date.now() + 60_000;
    while ((await api.eventually('demo-edi', `/v1/messages/${asnMessage}`))['state'] !== 'delivered') {
      if (Date.now() > deadline) throw new Error('the 856 sample was not delivered');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const matched = await accepted('demo-carrier', '/v1/freight-invoices', bodyOf(sampleFreightInvoice()));
    const unmatched = await accepted(
      'demo-carrier',
      '/v1/freight-invoices',
      bodyOf(sampleFreightInvoice(), {
        invoiceNumber: 'INV-2026-404',
        billOfLading: 'BOL-NOWHERE',
        proNumber: 'PRO-NOWHERE',
        shipmentId: 'SHP-NOWHERE',
      }),
    );
    const good = await settled('demo-carrier', `/v1/freight-invoices/${matched.id}`);
    assert.equal(good['state'], 'delivered');
    assert.equal(good['match'], 'matched');
    assert.equal((good['odoo'] as { model: string }).model, 'account.move');
    const bad = await settled('demo-carrier', `/v1/freight-invoices/${unmatched.id}`);
    assert.equal(bad['match'], 'unmatched');
    assert.ok((bad['odoo'] as { flags: string[] }).flags.includes('unmatched_shipment'));

    assert.equal((await api.get('demo-b-carrier', `/v1/freight-invoices/${matched.id}`)).status, 404);
    assert.equal((await api.get('demo-3pl', `/v1/freight-invoices/${matched.id}`)).status, 403);
    const invalid = await api.post(
      'demo-carrier',
      '/v1/freight-invoices',
      bodyOf(sampleFreightInvoice(), {
        netAmountDue: { amount: 1250.75, currency: 'usd' },
      }),
    );
    assert.equal(invalid.status, 422);
    assert.match(invalid.headers.get('content-type') ?? '', PROBLEM);
    const pointers = ((await invalid.json()) as { errors: { pointer: string }[] }).errors.map(
      (e) => e.pointer,
    );
    assert.deepEqual(pointers.sort(), ['/netAmountDue/amount', '/netAmountDue/currency']);
  });

  test('orders: the customer posts and reads its own, in the canonical status vocabulary, page by page', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push(
        (await accepted('demo-customer', '/v1/orders', bodyOf(sampleOrder(), { orderNumber: `WEB-90${n}` })))
          .id,
      );
    }
    const order = await api.eventually('demo-customer', `/v1/orders/${ids[0]}`);
    assert.equal((order['document'] as { status: string }).status, 'RECEIVED');
    assert.equal((order['document'] as { partnerId: string }).partnerId, 'demo-customer');
    for (const id of ids) await api.eventually('demo-customer', `/v1/orders/${id}`);
    const first = (await (await api.get('demo-customer', '/v1/orders?limit=2')).json()) as {
      items: { id: string }[];
      nextCursor: string;
    };
    assert.equal(first.items.length, 2);
    const second = (await (
      await api.get('demo-customer', `/v1/orders?limit=2&cursor=${first.nextCursor}`)
    ).json()) as {
      items: { id: string }[];
      nextCursor: string | null;
    };
    assert.deepEqual([...first.items, ...second.items].map((i) => i.id).sort(), [...ids].sort());
    assert.equal(second.nextCursor, null);
    assert.equal((await api.get('demo-customer', '/v1/orders?cursor=bm9wZQ')).status, 400);

    const refused = await api.post('demo-carrier', '/v1/orders', bodyOf(sampleOrder()));
    assert.equal(refused.status, 403);
    const forged = await api.post('demo-customer', '/v1/orders', {
      ...bodyOf(sampleOrder()),
      partnerId: 'demo-3pl',
    });
    assert.equal(forged.status, 422);
    assert.deepEqual(
      ((await forged.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer),
      ['/partnerId'],
    );
    const badStatus = await api.post(
      'demo-customer',
      '/v1/orders',
      bodyOf(sampleOrder(), { status: 'LOST' }),
    );
    assert.equal(badStatus.status, 422);
    assert.equal((await api.get('demo-b-customer', `/v1/orders/${ids[0]}`)).status, 404);
    const etag = (await api.get('demo-customer', `/v1/orders/${ids[0]}`)).headers.get('etag') ?? '';
    assert.equal(
      (await api.get('demo-customer', `/v1/orders/${ids[0]}`, { 'if-none-match': etag })).status,
      304,
    );
  });

  test('fulfillment confirmations from the 3PL and returns from the customer', async () => {
    const confirmation = await accepted(
      'demo-3pl',
      '/v1/fulfillment-confirmations',
      bodyOf(sampleFulfillmentConfirmation()),
    );
    const shown = await api.eventually('demo-3pl', `/v1/fulfillment-confirmations/${confirmation.id}`);
    assert.equal((shown['document'] as { orderNumber: string }).orderNumber, 'ORD-1001');
    assert.equal((await api.post('demo-carrier', '/v1/fulfillment-confirmations', {})).status, 403);
    const missing = await api.post('demo-3pl', '/v1/fulfillment-confirmations', { orderNumber: 'ORD-1001' });
    assert.equal(missing.status, 422);
    assert.ok(
      ((await missing.json()) as { errors: { pointer: string }[] }).errors.some(
        (e) => e.pointer === '/shipmentId',
      ),
    );

    const rma = await accepted('demo-customer', '/v1/returns', bodyOf(sampleReturnAuthorization()));
    const returned = await api.eventually('demo-customer', `/v1/returns/${rma.id}`);
    assert.equal((returned['document'] as { returnNumber: string }).returnNumber, 'RMA-7001');
    assert.equal((await api.get('demo-b-customer', `/v1/returns/${rma.id}`)).status, 404);
    const notJson = await api.post('demo-customer', '/v1/returns', [1, 2]);
    assert.equal(notJson.status, 422);
  });
});
