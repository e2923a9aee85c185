import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Job } from 'pg-boss';
import { SERVER_FILLED_FIELDS } from '../../src/api/canonical-envelope.js';
import { ApiClient } from '../support/api-client.js';
import { sampleFreightInvoice, sampleOrder } from '../support/odoo/canonical-samples.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.js';

const PROBLEM = /^application\/problem\+json/;

function bodyOf(document: object, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { ...document, ...overrides };
  for (const field of SERVER_FILLED_FIELDS) delete body[field];
  return body;
}

const trackingEvent = (city: string): Record<string, unknown> => ({
  shipmentRef: { purchaseOrderNumbers: [], billOfLading: 'BOL-HOSTILE' },
  carrier: { scac: 'FDEG' },
  statusCode: 'X6',
  milestone: 'IN_TRANSIT',
  occurredAt: '2026-11-27T10:00:00-06:00',
  location: { city, region: 'TN', country: 'US' },
});

const notice = (shipmentId: string, shipTo: { qualifier: string; value: string }, po: string) => ({
  shipmentId,
  purpose: 'original',
  shippedAt: '2026-11-26T15:00:00Z',
  carrier: { scac: 'FDEG' },
  billOfLading: `BOL-${shipmentId}`,
  trackingNumbers: [`TRK-${shipmentId}`],
  parties: [{ role: 'shipTo', name: 'Store', ids: [shipTo] }],
  orders: [
    {
      purchaseOrderNumber: po,
      packages: [],
      lines: [{ lineNumber: '1', sku: 'SKU-001', ids: [], quantityShipped: { value: 5, unit: 'EA' } }],
    },
  ],
});

/** Input no partner should send, answered with a precise 4xx: never a 500, never stored half-way. */
describe('hostile input on the REST API', () => {
  let server: TestServer;
  let failingReceiver: Server;
  let failingUrl: string;
  const api = new ApiClient(() => server.url);

  before(async () => {
    server = await startTestServer();
    failingReceiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.statusCode = 503;
        response.end();
      });
    });
    await new Promise<void>((resolve) => failingReceiver.listen(0, '127.0.0.1', resolve));
    failingUrl = `http://127.0.0.1:${(failingReceiver.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await new Promise((resolve) => failingReceiver?.close(resolve));
    await server?.close();
  });

  /** The webhook message of a subscription, once `ready` says it is where the test wants it. */
  const webhookMessage = async (
    subscriptionId: string,
    ready: (message: { id: string; state: string; attempts: number; last_error: string | null }) => boolean,
  ): Promise<{ id: string; state: string; attempts: number; last_error: string | null }> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = (await server.dataSource.query(
        `SELECT id, state, attempts, last_error FROM messages
          WHERE tenant_id = 'demo' AND channel = 'webhook' AND correlation_id LIKE $1`,
        [`webhook:${subscriptionId}:%`],
      )) as { id: string; state: string; attempts: number; last_error: string | null }[];
      if (row && ready(row)) return row;
      if (Date.now() > deadline) throw new Error(`webhook message not ready: ${JSON.stringify(row)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const subscribe = async (url: string): Promise<string> => {
    const created = await api.post('demo-customer', '/v1/webhooks', {
      url,
      events: ['order.status_changed'],
    });
    assert.equal(created.status, 201, await created.clone().text());
    return ((await created.json()) as { id: string }).id;
  };
  const deliverAgain = (subscriptionId: string, messageId: string, retryCount: number) =>
    server.app.get(WebhookDispatcher)['deliver']({
      id: 'test',
      name: 'crossdock.webhook',
      data: { tenantId: 'demo', messageId, subscriptionId },
      retryCount,
    } as unknown as Job<{ tenantId: string; messageId: string; subscriptionId: string }>);

  const problem = async (
    response: Response,
    status: number,
  ): Promise<{ code: string; detail: string; errors?: { pointer: string }[] }> => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    assert.match(response.headers.get('content-type') ?? '', PROBLEM);
    return JSON.parse(text) as { code: string; detail: string; errors?: { pointer: string }[] };
  };

  test('a NUL (U+0000) in a path id or a query filter, a repeated or unknown filter: a 400/422 naming it, not a 500 or an empty page', async () => {
    for (const [client, path] of [
      ['demo-customer', '/v1/orders/a%00b'],
      ['demo-customer', '/v1/returns/%00'],
      ['demo-customer', '/v1/portal/shipments/%00'],
      ['demo-carrier', '/v1/freight-invoices/%00'],
      ['demo-carrier', '/v1/shipments/%00/tracking'],
    ] as const) {
      const answer = await problem(await api.get(client, path), 400);
      assert.equal(answer.code, 'bad-request', path);
      assert.match(answer.detail, /NUL/, path);
    }
    for (const [client, path, pointer] of [
      ['demo-customer', '/v1/orders?state=%00', '/state'],
      ['demo-carrier', '/v1/shipment-notices?state=x%00', '/state'],
      ['demo-ops', '/v1/messages?correlationId=%00', '/correlationId'],
      ['demo-ops', '/v1/messages?documentType=%00', '/documentType'],
      ['demo-auditor', '/v1/audit-events?clientId=%00', '/clientId'],
      ['demo-auditor', '/v1/audit-events?partnerId=%00', '/partnerId'],
      // A parameter given twice, or a state no document has, matched nothing: an empty page.
      ['demo-customer', '/v1/orders?state=delivered&state=rejected', '/state'],
      ['demo-ops', '/v1/messages?state=received&state=delivered', '/state'],
      ['demo-customer', '/v1/portal/shipments?reference=A&reference=B', '/reference'],
      ['demo-customer', '/v1/orders?state=shipped', '/state'],
    ] as const) {
      const answer = await problem(await api.get(client, path), 422);
      assert.deepEqual(
        answer.errors?.map((e) => e.pointer),
        [pointer],
        path,
      );
    }
    // The router's own refusals are problem+json too; an id it passes on but no document has is a 404.
    for (const [path, status, code] of [
      [`/v1/orders/${'a'.repeat(150)}`, 404, 'not-found'],
      [`/v1/orders/${'a'.repeat(1500)}`, 414, 'uri-too-long'],
      ['/v1/orders/%E0%A4%A', 400, 'bad-request'],
    ] as const) {
      assert.equal((await problem(await api.get('demo-customer', path), status)).code, code, path);
    }
    // The token checks and the scopes still come first: no token is a 401, a missing scope a 403.
    assert.equal((await fetch(`${server.url}/v1/orders/%00`)).status, 401);
    assert.equal((await api.get('demo-carrier', '/v1/orders/%00')).status, 403);
  });

  test('a document with a NUL or a lone surrogate in a field is refused by pointer, in a batch item by item; never accepted and stuck', async () => {
    const invoice = await api.post(
      'demo-carrier',
      '/v1/freight-invoices',
      bodyOf(sampleFreightInvoice(), { invoiceNumber: 'INV\u0000-1' }),
    );
    assert.deepEqual(
      (await problem(invoice, 422)).errors?.map((e) => e.pointer),
      ['/invoiceNumber'],
    );
    const order = await api.post(
      'demo-customer',
      '/v1/orders',
      bodyOf(sampleOrder(), { shipTo: { role: 'shipTo', name: 'Big Store', 'ids\u0000': [] } }),
    );
    assert.ok(
      (await problem(order, 422)).errors?.some((e) => e.pointer === '/shipTo/ids\u0000'),
      'the bad key is named',
    );
    const batch = await api.post('demo-carrier', '/v1/tracking-events', {
      events: [trackingEvent('Memphis'), trackingEvent('Mem\u0000phis'), trackingEvent('Mem\ud800phis')],
    });
    assert.equal(batch.status, 202, await batch.clone().text());
    const items = ((await batch.json()) as { items: { status: string; errors?: { pointer: string }[] }[] })
      .items;
    assert.deepEqual(
      items.map((i) => [i.status, i.errors?.map((e) => e.pointer)]),
      [
        ['accepted', undefined],
        ['rejected', ['/events/1/location/city']],
        ['rejected', ['/events/2/location/city']],
      ],
    );
  });

  test('a customer cannot claim another customer’s shipment by posting an order with its PO number', async () => {
    const secret = await api.post(
      'demo-3pl',
      '/v1/shipment-notices',
      notice('SHIP-SECRET', { qualifier: 'customerAccount', value: 'someone-else' }, 'PO-SECRET-9'),
    );
    assert.equal(secret.status, 202, await secret.clone().text());
    await api.eventually('demo-3pl', `/v1/shipment-notices/${((await secret.json()) as { id: string }).id}`);
    const claim = await api.post(
      'demo-customer',
      '/v1/orders',
      bodyOf(sampleOrder(), { orderNumber: 'PO-SECRET-9' }),
    );
    assert.equal(claim.status, 202, await claim.clone().text());
    await api.eventually('demo-customer', `/v1/orders/${((await claim.json()) as { id: string }).id}`);
    // A later tracking event naming the PO number does not open the door either.
    const event = await api.post('demo-carrier', '/v1/tracking-events', {
      ...trackingEvent('Memphis'),
      shipmentRef: { billOfLading: 'BOL-SHIP-SECRET', purchaseOrderNumbers: ['PO-SECRET-9'] },
    });
    assert.equal(event.status, 202, await event.clone().text());
    const deadline = Date.now() + 30_000;
    for (;;) {
      const timeline = await api.get('demo-carrier', '/v1/shipments/SHIP-SECRET/tracking');
      if (
        timeline.status === 200 &&
        ((await timeline.json()) as { milestones: unknown[] }).milestones.length > 0
      )
        break;
      if (Date.now() > deadline) throw new Error('the carrier event never joined the shipment');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    assert.equal((await api.get('demo-customer', '/v1/portal/shipments/SHIP-SECRET')).status, 404);
    const listed = (await (await api.get('demo-customer', '/v1/portal/shipments')).json()) as {
      items: { id: string }[];
    };
    assert.ok(!listed.items.some((i) => i.id === 'SHIP-SECRET'), JSON.stringify(listed.items));

    // The customer's own order, placed before the 3PL ships it, still links the shipment.
    const mine = await api.post(
      'demo-customer',
      '/v1/orders',
      bodyOf(sampleOrder(), { orderNumber: 'WEB-FIRST-1' }),
    );
    await api.eventually('demo-customer', `/v1/orders/${((await mine.json()) as { id: string }).id}`);
    const shipped = await api.post(
      'demo-3pl',
      '/v1/shipment-notices',
      notice('SHIP-MINE', { qualifier: '92', value: 'ST042' }, 'WEB-FIRST-1'),
    );
    assert.equal(shipped.status, 202, await shipped.clone().text());
    const view = await api.eventually('demo-customer', '/v1/portal/shipments/SHIP-MINE');
    assert.deepEqual(view['purchaseOrderNumbers'], ['WEB-FIRST-1']);
  });

  test('a PO number shipped once before the customer’s order still links the shipments after it; an order placed first does not claim a shipment to someone else', async () => {
    const accepted = async (client: string, route: string, body: object): Promise<void> => {
      const posted = await api.post(client, route, body);
      assert.equal(posted.status, 202, await posted.clone().text());
      await api.eventually(client, `${route}/${((await posted.json()) as { id: string }).id}`);
    };
    const store = { qualifier: '92', value: 'ST042' };
    await accepted('demo-3pl', '/v1/shipment-notices', notice('SHIP-OLD-R', store, 'PO-REUSE-7'));
    await accepted('demo-customer', '/v1/orders', bodyOf(sampleOrder(), { orderNumber: 'PO-REUSE-7' }));
    await accepted('demo-3pl', '/v1/shipment-notices', notice('SHIP-NEW-R', store, 'PO-REUSE-7'));
    const view = await api.eventually('demo-customer', '/v1/portal/shipments/SHIP-NEW-R');
    assert.deepEqual(view['purchaseOrderNumbers'], ['PO-REUSE-7']);
    assert.equal((await api.get('demo-customer', '/v1/portal/shipments/SHIP-OLD-R')).status, 404);

    await accepted('demo-customer', '/v1/orders', bodyOf(sampleOrder(), { orderNumber: 'PO-PRE-1' }));
    await accepted(
      'demo-3pl',
      '/v1/shipment-notices',
      notice('SHIP-OTHERS', { qualifier: 'customerAccount', value: 'someone-else' }, 'PO-PRE-1'),
    );
    assert.equal((await api.get('demo-customer', '/v1/portal/shipments/SHIP-OTHERS')).status, 404);
    const listed = (await (await api.get('demo-customer', '/v1/portal/shipments?limit=200')).json()) as {
      items: { id: string }[];
    };
    const ids = listed.items.map((i) => i.id);
    assert.ok(ids.includes('SHIP-NEW-R'), JSON.stringify(ids));
    assert.ok(!ids.includes('SHIP-OTHERS') && !ids.includes('SHIP-OLD-R'), JSON.stringify(ids));
  });

  test('a client id or a token key id with a NUL is refused as unknown, not a 500', async () => {
    const form = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'demo\u0000carrier',
        client_secret: 'x',
      }).toString(),
    });
    assert.equal(form.status, 401, await form.clone().text());
    assert.equal(((await form.json()) as { error: string }).error, 'invalid_client');
    const basic = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('demo%00carrier:x').toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(basic.status, 401, await basic.clone().text());

    const [header, payload, signature] = (await api.token('demo-carrier')).split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...(JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as object),
        kid: 'a\u0000b',
      }),
    ).toString('base64url');
    const me = await fetch(`${server.url}/v1/me`, {
      headers: { authorization: `Bearer ${forged}.${payload}.${signature}` },
    });
    assert.equal((await problem(me, 401)).code, 'invalid-token');
  });

  test('webhooks: private, metadata and credential-carrying targets are refused at subscription', async () => {
    for (const url of [
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/hook',
      'https://192.168.1.10/hook',
      'https://[fd00::1]/hook',
      'https://[::ffff:10.0.0.1]/hook',
      'https://0xa000001/hook',
      'https://user:secret@example.com/hook',
      'https://example.com/ho\u0000ok',
    ]) {
      const answer = await problem(
        await api.post('demo-3pl', '/v1/webhooks', { url, events: ['message.rejected'] }),
        422,
      );
      assert.deepEqual(
        answer.errors?.map((e) => e.pointer),
        ['/url'],
        url,
      );
    }
    const listed = (await (await api.get('demo-3pl', '/v1/webhooks')).json()) as { items: unknown[] };
    assert.deepEqual(listed.items, []);
    // 36 characters that are no UUID: a 404 like any other unknown id.
    assert.equal((await api.delete('demo-3pl', `/v1/webhooks/${'-'.repeat(36)}`)).status, 404);
  });

  test('a subscription retried with its Idempotency-Key gets its secret again, which the key store never holds in clear', async () => {
    const create = () =>
      api.post(
        'demo-3pl',
        '/v1/webhooks',
        { url: 'https://hooks.example.com/retried', events: ['message.rejected'] },
        { 'idempotency-key': 'subscribe-once' },
      );
    const first = await create();
    assert.equal(first.status, 201, await first.clone().text());
    const created = (await first.json()) as { id: string; secret: string };
    assert.match(created.secret, /^whsec_/);
    const again = await create();
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    assert.deepEqual(await again.json(), created);
    const [stored] = (await server.dataSource.query(
      `SELECT position($1::bytea in response_body) AS at FROM idempotency_keys WHERE key = 'subscribe-once'`,
      [Buffer.from(created.secret)],
    )) as { at: number }[];
    assert.equal(stored?.at, 0, 'the secret is not in the stored answer');
    await api.delete('demo-3pl', `/v1/webhooks/${created.id}`);
  });

  test('a delivery to a subscription that points at a private address is never sent and says so', async () => {
    const id = await subscribe('https://hooks.example.com/crossdock');
    // As a subscription made before targets were checked would be.
    await server.dataSource.query(`UPDATE webhook_subscriptions SET url = $2 WHERE id = $1`, [
      id,
      'https://169.254.169.254/latest/meta-data',
    ]);
    const order = await api.post(
      'demo-customer',
      '/v1/orders',
      bodyOf(sampleOrder(), { orderNumber: 'WEB-SSRF' }),
    );
    assert.equal(order.status, 202, await order.clone().text());
    const message = await webhookMessage(id, (m) => m.state !== 'queued');
    assert.equal(message.state, 'rejected');
    const detail = (await (await api.get('demo-ops', `/v1/messages/${message.id}`)).json()) as {
      history: { cause: string }[];
    };
    assert.match(
      detail.history.at(-1)?.cause ?? '',
      /169\.254\.169\.254.*private, loopback, link-local or reserved/,
    );
    await api.delete('demo-customer', `/v1/webhooks/${id}`);
  });

  test('a failing webhook shows each failed attempt, then is rejected when the retries run out or its subscription is gone', async () => {
    const id = await subscribe(failingUrl);
    const order = await api.post(
      'demo-customer',
      '/v1/orders',
      bodyOf(sampleOrder(), { orderNumber: 'WEB-HOOK-503' }),
    );
    assert.equal(order.status, 202, await order.clone().text());
    const waiting = await webhookMessage(id, (m) => m.attempts >= 1);
    assert.equal(waiting.state, 'queued');
    const shown = (await (await api.get('demo-ops', `/v1/messages/${waiting.id}`)).json()) as {
      state: string;
      lastError: string | null;
    };
    assert.equal(shown.state, 'queued');
    assert.match(
      shown.lastError ?? '',
      /^attempt \d+ failed: http:\/\/127\.0\.0\.1:\d+\/hook answered HTTP 503$/,
    );

    // The last retry (pg-boss counts 8 before it) fails as well.
    await deliverAgain(id, waiting.id, 8);
    const given = (await (await api.get('demo-ops', `/v1/messages/${waiting.id}`)).json()) as {
      state: string;
      history: { cause: string }[];
    };
    assert.equal(given.state, 'rejected');
    assert.match(
      given.history.at(-1)?.cause ?? '',
      /^not delivered: gave up after 9 attempts; the last: .*HTTP 503$/,
    );

    const gone = await subscribe(failingUrl);
    await api.post('demo-customer', '/v1/orders', bodyOf(sampleOrder(), { orderNumber: 'WEB-HOOK-GONE' }));
    const queued = await webhookMessage(gone, (m) => m.attempts >= 1);
    assert.equal((await api.delete('demo-customer', `/v1/webhooks/${gone}`)).status, 204);
    await deliverAgain(gone, queued.id, 1);
    const dropped = (await (await api.get('demo-ops', `/v1/messages/${queued.id}`)).json()) as {
      state: string;
      history: { cause: string }[];
    };
    assert.equal(dropped.state, 'rejected');
    assert.equal(dropped.history.at(-1)?.cause, 'not delivered: the subscription was deleted');
    await api.delete('demo-customer', `/v1/webhooks/${id}`);
  });
});

describe('a forged X-Forwarded-For from a peer that is no trusted proxy', () => {
  let server: TestServer;
  const api = new ApiClient(() => server.url);

  before(async () => {
    // The test client connects from the loopback; here only 10.0.0.0/8 is a trusted proxy.
    server = await startTestServer({ env: { TRUST_PROXY: '10.0.0.0/8' } });
  });
  after(async () => {
    await server?.close();
  });

  const wrongSecret = (forwardedFor?: string) =>
    fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
      },
      body: 'grant_type=client_credentials&client_id=demo-3pl&client_secret=wrong',
    });

  test('neither escapes the login lockout nor writes its address into the audit log', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1)
      assert.equal((await wrongSecret(`203.0.113.${attempt}`)).status, 401);
    // Five failures from the one real peer lock it out, whatever address each claimed.
    const locked = await wrongSecret('198.51.100.77');
    assert.equal(locked.status, 429, await locked.clone().text());

    const audit = (await (await api.get('demo-auditor', '/v1/audit-events?action=token.issue')).json()) as {
      items: { sourceIp: string; status: number }[];
    };
    const failures = audit.items.filter((i) => i.status === 401);
    assert.equal(failures.length, 5);
    assert.deepEqual([...new Set(failures.map((i) => i.sourceIp))], ['127.0.0.1']);
  });
});
