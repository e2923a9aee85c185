import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../support/api-client.js';
import { OpenApiResponseValidator } from '../support/openapi-response-validator.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PROBLEM = /^application\/problem\+json/;

function shipmentNotice(shipmentId: string, account: string): Record<string, unknown> {
  return {
    shipmentId,
    purpose: 'original',
    shippedAt: '2026-11-26T15:00:00Z',
    estimatedDeliveryAt: '2026-11-29T17:00:00Z',
    carrier: { scac: 'FDEG', name: 'FedEx Ground' },
    billOfLading: `BOL-${shipmentId}`,
    trackingNumbers: [`TRK-${shipmentId}`],
    parties: [
      { role: 'shipTo', name: 'Retail store 12', ids: [{ qualifier: 'customerAccount', value: account }] },
    ],
    orders: [
      {
        purchaseOrderNumber: 'PO778899',
        // As a label's barcode reads it: the application identifier 00, then the SSCC-18.
        packages: [{ sscc: '00012345678901234560', lines: [] }],
        lines: [{ lineNumber: '1', sku: 'SKU-001', ids: [], quantityShipped: { value: 5, unit: 'EA' } }],
      },
    ],
  };
}

function trackingEvent(
  reference: Record<string, unknown>,
  milestone: string,
  occurredAt: string,
): Record<string, unknown> {
  return {
    shipmentRef: { purchaseOrderNumbers: [], ...reference },
    carrier: { scac: 'FDEG' },
    statusCode: milestone === 'DELIVERED' ? 'D1' : 'X6',
    milestone,
    occurredAt,
    location: { city: 'Memphis', region: 'TN', country: 'US' },
    ...(milestone === 'DELIVERED' ? { proofOfDelivery: { signedBy: 'J. SMITH', at: occurredAt } } : {}),
  };
}

describe('tracking: shipment notices, tracking events, timelines and the customer portal', () => {
  let server: TestServer;
  const api = new ApiClient(() => server.url);

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  test('outcome 2: the carrier sees its event on the timeline, the customer in the portal, demo-b does not', async () => {
    const asn = await api.post(
      'demo-3pl',
      '/v1/shipment-notices',
      shipmentNotice('SHIP-OUT2', 'demo-retail'),
    );
    assert.equal(asn.status, 202, await asn.clone().text());
    const accepted = (await asn.json()) as { id: string; messageId: string; location: string };
    assert.equal(asn.headers.get('location'), `/v1/messages/${accepted.messageId}`);
    assert.equal(accepted.location, asn.headers.get('location'));
    const notice = await api.eventually('demo-3pl', `/v1/shipment-notices/${accepted.id}`);
    const document = notice['document'] as Record<string, unknown>;
    assert.equal(document['partnerId'], 'demo-3pl', 'the partner comes from the token');
    assert.equal(document['tenantId'], 'demo');
    assert.equal(
      (document['orders'] as { packages: { sscc: string }[] }[])[0]?.packages[0]?.sscc,
      '012345678901234560',
      'stored as the SSCC-18',
    );
    assert.deepEqual(document['source'], {
      channel: 'rest',
      format: 'json',
      environment: 'production',
      messageId: accepted.messageId,
    });

    // The carrier only knows the BOL; the timeline joins it to the ASN.
    const posted = await api.post(
      'demo-carrier',
      '/v1/tracking-events',
      trackingEvent({ billOfLading: 'BOL-SHIP-OUT2' }, 'IN_TRANSIT', '2026-11-27T08:00:00-06:00'),
    );
    assert.equal(posted.status, 202, await posted.clone().text());
    const event = (await posted.json()) as { id: string };

    let timeline: Record<string, unknown> = {};
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await api.get('demo-carrier', '/v1/shipments/SHIP-OUT2/tracking');
      if (response.status === 200) {
        timeline = (await response.json()) as Record<string, unknown>;
        if ((timeline['milestones'] as unknown[]).length === 1) break;
      }
      if (Date.now() > deadline) throw new Error(`no timeline: ${response.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(timeline['id'], 'SHIP-OUT2');
    assert.equal(timeline['status'], 'IN_TRANSIT');
    assert.equal(timeline['estimatedDeliveryAt'], '2026-11-29T17:00:00Z');
    assert.deepEqual(timeline['trackingNumbers'], ['TRK-SHIP-OUT2']);
    assert.equal(timeline['trackingUrl'], 'https://www.fedex.com/fedextrack/?trknbr=TRK-SHIP-OUT2');
    const [milestone] = timeline['milestones'] as Record<string, unknown>[];
    assert.equal(milestone?.['eventId'], event.id);
    assert.equal(milestone?.['milestone'], 'IN_TRANSIT');

    // Any identifier finds it: the BOL and the tracking number as well as the shipment id.
    for (const key of ['BOL-SHIP-OUT2', 'TRK-SHIP-OUT2']) {
      const byKey = (await (await api.get('demo-carrier', `/v1/shipments/${key}/tracking`)).json()) as {
        id: string;
      };
      assert.equal(byKey.id, 'SHIP-OUT2');
    }

    const portal = await api.get('demo-customer', '/v1/portal/shipments/SHIP-OUT2');
    assert.equal(portal.status, 200, await portal.clone().text());
    const view = (await portal.json()) as Record<string, unknown>;
    assert.equal(view['status'], 'IN_TRANSIT');
    assert.equal((view['carrier'] as { scac: string }).scac, 'FDEG');
    const list = (await (
      await api.get('demo-customer', '/v1/portal/shipments?purchaseOrder=PO778899')
    ).json()) as {
      items: { id: string }[];
    };
    assert.deepEqual(
      list.items.map((i) => i.id),
      ['SHIP-OUT2'],
    );

    for (const [client, path] of [
      ['demo-b-customer', '/v1/portal/shipments/SHIP-OUT2'],
      ['demo-b-carrier', '/v1/shipments/SHIP-OUT2/tracking'],
      ['demo-b-carrier', `/v1/shipment-notices/${accepted.id}`],
    ] as const) {
      const refused = await api.get(client, path);
      assert.equal(refused.status, 404, `${client} ${path}`);
      assert.match(refused.headers.get('content-type') ?? '', PROBLEM);
    }
    const otherList = (await (await api.get('demo-b-customer', '/v1/portal/shipments')).json()) as {
      items: unknown[];
    };
    assert.deepEqual(otherList.items, []);
  });

  test('delivery with proof; ETag and If-None-Match; a shipment of another customer stays hidden', async () => {
    await api.post('demo-3pl', '/v1/shipment-notices', shipmentNotice('SHIP-POD', 'demo-retail'));
    const other = await api.post(
      'demo-3pl',
      '/v1/shipment-notices',
      shipmentNotice('SHIP-OTHER', 'someone-else'),
    );
    const otherId = ((await other.json()) as { id: string }).id;
    const delivered = await api.post(
      'demo-carrier',
      '/v1/tracking-events',
      trackingEvent({ shipmentId: 'SHIP-POD' }, 'DELIVERED', '2026-11-28T10:00:00Z'),
    );
    assert.equal(delivered.status, 202);
    let view: Record<string, unknown> = {};
    const deadline = Date.now() + 60_000;
    while (view['deliveredAt'] !== '2026-11-28T10:00:00Z') {
      if (Date.now() > deadline) throw new Error(`not delivered: ${JSON.stringify(view)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const response = await api.get('demo-customer', '/v1/portal/shipments/SHIP-POD');
      if (response.status === 200) view = (await response.json()) as Record<string, unknown>;
    }
    assert.deepEqual(view['proofOfDelivery'], { signedBy: 'J. SMITH', at: '2026-11-28T10:00:00Z' });
    assert.equal(view['status'], 'DELIVERED');

    const first = await api.get('demo-customer', '/v1/portal/shipments/SHIP-POD');
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await api.get('demo-customer', '/v1/portal/shipments/SHIP-POD', { 'if-none-match': etag });
    assert.equal(again.status, 304);

    await api.eventually('demo-3pl', `/v1/shipment-notices/${otherId}`);
    assert.equal((await api.get('demo-customer', '/v1/portal/shipments/SHIP-OTHER')).status, 404);
    const mine = (await (await api.get('demo-customer', '/v1/portal/shipments?limit=1')).json()) as {
      items: { id: string }[];
      nextCursor: string | null;
    };
    assert.equal(mine.items.length, 1);
    assert.ok(mine.nextCursor);
    const next = (await (
      await api.get('demo-customer', `/v1/portal/shipments?limit=1&cursor=${mine.nextCursor}`)
    ).json()) as { items: { id: string }[] };
    const seen = [...mine.items, ...next.items].map((i) => i.id).sort();
    assert.deepEqual(seen, ['SHIP-OUT2', 'SHIP-POD'].sort());
    for (const cursor of ['bm9wZQ', Buffer.from('99999999999999999999.SHIP-POD').toString('base64url')]) {
      const bad = await api.get('demo-customer', `/v1/portal/shipments?cursor=${cursor}`);
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { code: string }).code, 'invalid-cursor');
    }
  });

  test('a batch answers per item; a bad single event is one 422 with pointers; scopes refuse', async () => {
    const batch = await api.post('demo-carrier', '/v1/tracking-events', {
      events: [
        trackingEvent({ shipmentId: 'SHIP-BATCH' }, 'PICKED_UP', '2026-11-27T01:00:00Z'),
        {
          ...trackingEvent({ shipmentId: 'SHIP-BATCH' }, 'NOT_A_MILESTONE', 'yesterday'),
          tenantId: 'demo-b',
        },
      ],
    });
    assert.equal(batch.status, 202, await batch.clone().text());
    const { items } = (await batch.json()) as {
      items: { index: number; status: string; errors?: { pointer: string }[] }[];
    };
    assert.deepEqual(
      items.map((i) => i.status),
      ['accepted', 'rejected'],
    );
    assert.deepEqual(items[1]?.errors?.map((e) => e.pointer).sort(), [
      '/events/1/milestone',
      '/events/1/occurredAt',
      '/events/1/tenantId',
    ]);

    const single = await api.post('demo-carrier', '/v1/tracking-events', { statusCode: 'X6' });
    assert.equal(single.status, 422);
    assert.match(single.headers.get('content-type') ?? '', PROBLEM);
    const problem = (await single.json()) as { errors: { pointer: string }[] };
    assert.deepEqual(problem.errors.map((e) => e.pointer).sort(), [
      '/milestone',
      '/occurredAt',
      '/shipmentRef',
    ]);

    const tooMany = await api.post('demo-carrier', '/v1/tracking-events', { events: [] });
    assert.equal(tooMany.status, 422);

    const forbidden = await api.post(
      'demo-customer',
      '/v1/tracking-events',
      trackingEvent({}, 'IN_TRANSIT', '2026-11-27T01:00:00Z'),
    );
    assert.equal(forbidden.status, 403);
    assert.equal((await api.get('demo-carrier', '/v1/portal/shipments')).status, 403);
    assert.equal(
      (await api.post('demo-carrier', '/v1/shipment-notices', shipmentNotice('X', 'y'))).status,
      403,
    );
  });

  test('Idempotency-Key replays the first answer; shipment notices list across pages', async () => {
    const key = { 'idempotency-key': 'asn-SHIP-IDEM-1' };
    const first = await api.post(
      'demo-3pl',
      '/v1/shipment-notices',
      shipmentNotice('SHIP-IDEM', 'demo-retail'),
      key,
    );
    const replay = await api.post(
      'demo-3pl',
      '/v1/shipment-notices',
      shipmentNotice('SHIP-IDEM', 'demo-retail'),
      key,
    );
    assert.equal(first.status, 202);
    assert.equal(replay.status, 202);
    assert.equal(replay.headers.get('idempotency-replayed'), 'true');
    assert.equal(replay.headers.get('location'), first.headers.get('location'));
    assert.deepEqual(await replay.json(), await first.json());
    const reused = await api.post(
      'demo-3pl',
      '/v1/shipment-notices',
      shipmentNotice('SHIP-IDEM-2', 'demo-retail'),
      key,
    );
    assert.equal(reused.status, 422);

    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const r = await api.post(
        'demo-3pl',
        '/v1/shipment-notices',
        shipmentNotice(`SHIP-PAGE-${n}`, 'demo-retail'),
      );
      ids.push(((await r.json()) as { id: string }).id);
    }
    for (const id of ids) await api.eventually('demo-3pl', `/v1/shipment-notices/${id}`);
    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await api.get(
        'demo-3pl',
        `/v1/shipment-notices?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(response.status, 200);
      const page = (await response.json()) as { items: { id: string }[]; nextCursor: string | null };
      assert.ok(page.items.length <= 2);
      listed.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of ids) assert.ok(listed.includes(id));
    assert.equal(new Set(listed).size, listed.length, 'no item twice across pages');
    const bad = await api.get('demo-3pl', '/v1/shipment-notices?limit=999&from=yesterday');
    assert.equal(bad.status, 422);
    const pointers = ((await bad.json()) as { errors: { pointer: string }[] }).errors
      .map((e) => e.pointer)
      .sort();
    assert.deepEqual(pointers, ['/from', '/limit']);
    assert.equal(
      (await api.get('demo-carrier', '/v1/shipment-notices')).status,
      200,
      'carriers read their own (none)',
    );
    assert.equal((await api.get('demo-customer', '/v1/shipment-notices')).status, 403);
  });

  test('CORS on the portal only for the origins the tenant file lists', async () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(`${server.url}/v1/portal/shipments`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const listed = await preflight('http://localhost:5173');
    assert.equal(listed.status, 204);
    assert.equal(listed.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(listed.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const unlisted = await preflight('https://evil.example');
    assert.equal(unlisted.status, 204);
    assert.equal(unlisted.headers.get('access-control-allow-origin'), null);

    const read = await api.get('demo-customer', '/v1/portal/shipments', { origin: 'http://localhost:5173' });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(read.headers.get('access-control-expose-headers') ?? '', /etag/);
    const foreign = await api.get('demo-customer', '/v1/portal/shipments', {
      origin: 'https://evil.example',
    });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  test('the response validator refuses an answer the contract does not describe', async () => {
    const contract = await OpenApiResponseValidator.load();
    const url = `${server.url}/v1/shipments/SHIP-X/tracking`;
    assert.throws(() => contract.check('GET', url, 200, 'application/json', { id: 1 }), /does not match/);
    assert.throws(
      () => contract.check('GET', `${server.url}/v1/nowhere`, 200, 'application/json', {}),
      /not in/,
    );
  });
});
