import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { signOdooEvent } from '../../src/odoo/odoo-event-signature.js';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PROBLEM = /^application\/problem\+json/;

describe('messages API: fate, history, isolation, pagination, replay', () => {
  let server: TestServer;
  let edi: string;
  const api = new ApiClient(() => server.url);
  const submit = async (client: string, body: string): Promise<string> => {
    const response = await fetch(`${server.url}/v1/edi`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await api.token(client)}`, 'content-type': 'application/edi-x12' },
      body,
    });
    assert.equal(response.status, 202, await response.clone().text());
    return ((await response.json()) as { messageId: string }).messageId;
  };
  const settle = async (id: string): Promise<{ state: string; history: { to: string }[] }> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const view = (await (await api.get('demo-ops', `/v1/messages/${id}`)).json()) as {
        state: string;
        history: { to: string }[];
      };
      if (!['received', 'parsed', 'translated', 'delivering', 'failed'].includes(view.state)) return view;
      if (Date.now() > deadline) throw new Error(`still ${view.state}: ${JSON.stringify(view.history)}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };

  before(async () => {
    server = await startTestServer();
    edi = await readFile('samples/x12/210-freight-invoice-INV-2026-001.edi', 'utf8');
  });
  after(async () => {
    await server?.close();
  });

  test('a partner follows its own message to delivered; others get 404 exactly as for a missing one', async () => {
    const id = await submit('demo-edi', edi);
    const view = await settle(id);
    assert.equal(view.state, 'delivered');
    assert.equal((await api.get('demo-edi', `/v1/messages/${id}`)).status, 200);
    assert.equal(
      (await api.get('demo-auditor', `/v1/messages/${id}`)).status,
      200,
      'tenant staff see every partner',
    );
    const otherPartner = await api.get('demo-carrier', `/v1/messages/${id}`);
    const otherTenant = await api.get('demo-b-edi', `/v1/messages/${id}`);
    const missing = await api.get('demo-b-edi', `/v1/messages/00000000-0000-4000-8000-000000000000`);
    for (const response of [otherPartner, otherTenant, missing]) {
      assert.equal(response.status, 404);
      assert.match(response.headers.get('content-type') ?? '', PROBLEM);
    }
    const bodies = [await otherTenant.json(), await missing.json()] as { title: string; code: string }[];
    assert.deepEqual(
      bodies.map((b) => [b.title, b.code]),
      [
        ['Not Found', 'not-found'],
        ['Not Found', 'not-found'],
      ],
    );
    const list = (await (await api.get('demo-carrier', '/v1/messages')).json()) as {
      items: { id: string }[];
    };
    assert.ok(!list.items.some((m) => m.id === id), "a partner's list holds only its own messages");
  });

  test('lists page with an opaque cursor and validate their parameters', async () => {
    await submit('demo-edi', edi.replaceAll('000000005', '000000006'));
    await submit('demo-edi', edi.replaceAll('000000005', '000000007'));
    const first = (await (await api.get('demo-edi', '/v1/messages?direction=inbound&limit=1')).json()) as {
      items: { id: string }[];
      nextCursor: string;
    };
    assert.equal(first.items.length, 1);
    assert.ok(first.nextCursor);
    const second = (await (
      await api.get('demo-edi', `/v1/messages?direction=inbound&limit=1&cursor=${first.nextCursor}`)
    ).json()) as {
      items: { id: string }[];
    };
    assert.equal(second.items.length, 1);
    assert.notEqual(second.items[0]!.id, first.items[0]!.id);
    const bad = await api.get('demo-edi', '/v1/messages?limit=0&from=yesterday');
    assert.equal(bad.status, 422);
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    assert.deepEqual(problem.errors.map((e) => e.pointer).sort(), ['/from', '/limit']);
    assert.equal((await api.get('demo-edi', '/v1/messages?cursor=bm90LWEtY3Vyc29y')).status, 400);
  });

  test('a rejected file keeps its payload and diagnostics; replay needs messages:replay', async () => {
    const broken = edi.replace('IEA*1*000000005', 'IEA*1*000000099');
    const id = await submit('demo-edi', broken.replaceAll('000000005', '000000008'));
    const view = await settle(id);
    assert.notEqual(view.state, 'delivered');
    const payload = await api.get('demo-edi', `/v1/messages/${id}/payload`);
    assert.equal(payload.status, 200);
    assert.equal(await payload.text(), broken.replaceAll('000000005', '000000008'), 'kept byte for byte');
    const refused = await fetch(`${server.url}/v1/messages/${id}/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await api.token('demo-edi')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(refused.status, 403);
    const replayed = await fetch(`${server.url}/v1/messages/${id}/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await api.token('demo-ops')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'retranslate' }),
    });
    assert.equal(replayed.status, 202);
    assert.equal(((await replayed.json()) as { mode: string }).mode, 'retranslate');
    const after = await settle(id);
    assert.ok(after.history.filter((e) => e.to === 'received').length >= 2, 'the replay is in the history');
  });

  test('a signed Odoo event for a shipped delivery puts an 856 in the partner outbox; a bad signature is refused', async () => {
    const db = server.simulator!.state.db('demo');
    const customer = db.create('res.partner', {
      name: 'Demo EDI Supplier',
      ref: 'demo-edi',
      is_company: true,
    });
    const [delivery] = db.search('stock.picking', [['picking_type_code', '=', 'outgoing']]);
    db.write('stock.picking', [delivery!], { partner_id: customer });
    db.buttonValidate([delivery!]);
    const body = JSON.stringify({ model: 'stock.picking', ids: [delivery], event: 'done' });
    const post = (signature: string): Promise<Response> =>
      fetch(`${server.url}/v1/odoo/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-crossdock-tenant': 'demo',
          'x-crossdock-signature': signature,
        },
        body,
      });
    const forged = await post(signOdooEvent(body, 'not-the-secret'));
    assert.equal(forged.status, 401);
    assert.match(forged.headers.get('content-type') ?? '', PROBLEM);
    const stale = await post(
      signOdooEvent(body, 'demo-odoo-webhook-secret', new Date(Date.now() - 3_600_000)),
    );
    assert.equal(stale.status, 401, 'an old signature is a replay');
    const accepted = await post(signOdooEvent(body, 'demo-odoo-webhook-secret'));
    assert.equal(accepted.status, 202);
    assert.deepEqual(await accepted.json(), { results: [{ id: delivery, outcome: 'published' }] });
    const again = await post(signOdooEvent(body, 'demo-odoo-webhook-secret'));
    assert.deepEqual(await again.json(), { results: [{ id: delivery, outcome: 'skipped' }] });
    const outbox = (await (await api.get('demo-edi', '/v1/messages?direction=outbound')).json()) as {
      items: { documentType: string; state: string }[];
    };
    assert.equal(outbox.items.filter((m) => m.documentType === 'x12-856').length, 1);
  });
});
