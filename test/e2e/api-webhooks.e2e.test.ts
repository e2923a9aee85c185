import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { verifyWebhook } from '../../src/webhooks/webhook-signature.js';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('webhooks: subscriptions, signed deliveries retried through the outbox', () => {
  let server: TestServer;
  let receiver: Server;
  let hookUrl: string;
  const received: Received[] = [];
  let failuresLeft = 1;
  const api = new ApiClient(() => server.url);

  before(async () => {
    server = await startTestServer();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        // The first delivery fails: the retry must bring it again.
        response.statusCode = failuresLeft-- > 0 ? 500 : 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/crossdock`;
  });
  after(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await server?.close();
  });

  test('a 3PL hears of the carrier’s milestone on its shipment, signed, after a retry; the delivery is a sent message', async () => {
    const created = await api.post('demo-3pl', '/v1/webhooks', {
      url: hookUrl,
      events: ['tracking.updated'],
    });
    assert.equal(created.status, 201, await created.clone().text());
    const subscription = (await created.json()) as { id: string; secret: string; events: string[] };
    assert.match(subscription.secret, /^whsec_/);
    const listed = (await (await api.get('demo-3pl', '/v1/webhooks')).json()) as {
      items: Record<string, unknown>[];
    };
    assert.deepEqual(
      listed.items.map((i) => [i['id'], i['url'], 'secret' in i]),
      [[subscription.id, hookUrl, false]],
    );

    const asn = await api.post('demo-3pl', '/v1/shipment-notices', {
      shipmentId: 'SHIP-HOOK',
      purpose: 'original',
      billOfLading: 'BOL-HOOK',
      trackingNumbers: [],
      parties: [],
      orders: [],
    });
    const asnId = ((await asn.json()) as { id: string }).id;
    await api.eventually('demo-3pl', `/v1/shipment-notices/${asnId}`);
    const event = await api.post('demo-carrier', '/v1/tracking-events', {
      shipmentRef: { billOfLading: 'BOL-HOOK', purchaseOrderNumbers: [] },
      statusCode: 'AF',
      milestone: 'PICKED_UP',
      occurredAt: '2026-11-27T09:00:00Z',
    });
    assert.equal(event.status, 202);

    const deadline = Date.now() + 90_000;
    while (received.length < 2) {
      if (Date.now() > deadline) throw new Error(`${received.length} deliveries`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const [first, second] = received as [Received, Received];
    assert.equal(
      first.headers['crossdock-delivery'],
      second.headers['crossdock-delivery'],
      'the same delivery, retried',
    );
    assert.equal(second.headers['crossdock-event'], 'tracking.updated');
    assert.ok(verifyWebhook(subscription.secret, second.body, String(second.headers['crossdock-signature'])));
    assert.ok(!verifyWebhook('whsec_wrong', second.body, String(second.headers['crossdock-signature'])));
    const body = JSON.parse(second.body) as { type: string; data: { id: string; status: string } };
    assert.equal(body.type, 'tracking.updated');
    assert.equal(body.data.id, 'SHIP-HOOK');
    assert.equal(body.data.status, 'PICKED_UP');

    const messageId = String(second.headers['crossdock-delivery']);
    let state = '';
    while (state !== 'sent') {
      if (Date.now() > deadline) throw new Error(`delivery message still ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      state = ((await (await api.get('demo-3pl', `/v1/messages/${messageId}`)).json()) as { state: string })
        .state;
    }

    assert.equal((await api.delete('demo-b-3pl', `/v1/webhooks/${subscription.id}`)).status, 404);
    assert.equal((await api.delete('demo-3pl', `/v1/webhooks/${subscription.id}`)).status, 204);
    assert.equal((await api.delete('demo-3pl', `/v1/webhooks/${subscription.id}`)).status, 404);
  });

  test('subscriptions are validated field by field and belong to partners', async () => {
    const bad = await api.post('demo-3pl', '/v1/webhooks', {
      url: 'http://evil.example/hook',
      events: ['nope'],
    });
    assert.equal(bad.status, 422);
    const pointers = ((await bad.json()) as { errors: { pointer: string }[] }).errors
      .map((e) => e.pointer)
      .sort();
    assert.deepEqual(pointers, ['/events/0', '/url']);
    assert.equal(
      (await api.post('demo-ops', '/v1/webhooks', { url: hookUrl, events: ['message.rejected'] })).status,
      403,
    );
  });
});
