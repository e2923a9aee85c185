import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { ApiClient } from '../support/api-client.js';
import { Background, CLI, run } from '../support/child-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SAMPLES = {
  asn: 'samples/x12/856-asn-PO778899.edi',
  status: 'samples/x12/214-status-BOL998877.edi',
  invoice: 'samples/x12/210-freight-invoice-INV-2026-001.edi',
};

interface MessageView {
  state: string;
  documents: { documentType: string; state: string; odoo: { model: string; id: number } | null }[];
  history: { to: string; cause: string }[];
  acknowledgements: { documentType: string; state: string }[];
}

async function settled(base: string, bearer: string, id: string): Promise<MessageView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${base}/v1/messages/${id}`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    assert.equal(response.status, 200);
    const view = (await response.json()) as MessageView;
    if (!['received', 'parsed', 'translated', 'delivering', 'failed'].includes(view.state)) return view;
    if (Date.now() > deadline) throw new Error(`message ${id} still ${view.state}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('demo mode end to end: ingest → translate → deliver to the in-process Odoo simulator', () => {
  let database: TestDatabase;
  let server: Background;
  let base: string;
  const api = new ApiClient(() => base);
  let simulator: string;
  const env = (): Record<string, string | undefined> => ({
    DATABASE_URL: database.url,
    CROSSDOCK_DEMO: '1',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });

  before(async () => {
    database = await createTestDatabase('demo_e2e');
    server = new Background('node', ['dist/src/main.js'], env());
    [, base] = (await server.waitFor(/Crossdock listening on (http:\/\/127\.0\.0\.1:\d+)/)) as unknown as [
      string,
      string,
    ];
    [, simulator] = (await server.waitFor(
      /demo Odoo simulator listening on (http:\/\/127\.0\.0\.1:\d+)/,
    )) as unknown as [string, string];
  });
  after(async () => {
    const code = await server?.stop('SIGTERM');
    await database?.drop();
    assert.equal(code, 0, server?.output);
  });

  test('`crossdock ingest` of an 856, a 214 and a 210: each delivered with its full history, records in Odoo', async () => {
    const ids: Record<string, string> = {};
    for (const [name, file] of Object.entries(SAMPLES)) {
      const result = await run(
        'node',
        [CLI, 'ingest', file, '--tenant', 'demo', '--partner', 'demo-edi'],
        env(),
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^[0-9a-f-]{36}\n$/);
      ids[name] = result.stdout.trim();
    }
    const bearer = await api.token('demo-edi');
    for (const [name, id] of Object.entries(ids)) {
      const view = await settled(base, bearer, id);
      assert.equal(view.state, 'delivered', `${name}: ${JSON.stringify(view.history, null, 1)}`);
      const path = view.history.filter((e) => !e.cause.includes('acknowledgement queued')).map((e) => e.to);
      for (const state of ['received', 'parsed', 'translated', 'delivering', 'delivered']) {
        assert.ok(path.includes(state), `${name} history has ${state}: ${path.join(' → ')}`);
      }
      assert.ok(
        view.documents.every((d) => d.state === 'delivered' && d.odoo),
        `${name} documents delivered`,
      );
      assert.equal(view.acknowledgements[0]?.documentType, '997');
    }
    const bills = (await (await fetch(`${simulator}/__sim/records?db=demo&model=account.move`)).json()) as {
      ref: string;
      move_type: string;
    }[];
    assert.equal(bills.filter((b) => b.ref === 'INV-2026-001' && b.move_type === 'in_invoice').length, 1);
    const pickings = (await (
      await fetch(`${simulator}/__sim/records?db=demo&model=stock.picking`)
    ).json()) as {
      origin: string;
      carrier_tracking_ref: string | false;
    }[];
    const receipt = pickings.find((p) => p.origin === 'PO778899');
    assert.ok(receipt?.carrier_tracking_ref, 'the ASN put its tracking reference on the receipt');
    const notes = (await (
      await fetch(`${simulator}/__sim/records?db=demo&model=mail.message`)
    ).json()) as unknown[];
    assert.ok(notes.length >= 2, 'the ASN and the status events left chatter notes');
  });

  test('`crossdock ingest` of an EDIFACT DESADV, IFTSTA and INVOIC: each delivered to Odoo and acked by CONTRL', async () => {
    const files = {
      ShipmentNotice: 'samples/edifact/desadv-d96a-PO778899.edi',
      TrackingEvent: 'samples/edifact/iftsta-d96a-BOL998877.edi',
      FreightInvoice: 'samples/edifact/invoic-d96a-INV-2026-002.edi',
    };
    const bearer = await api.token('demo-edi');
    for (const [type, file] of Object.entries(files)) {
      const result = await run(
        'node',
        [CLI, 'ingest', file, '--tenant', 'demo', '--partner', 'demo-edi'],
        env(),
      );
      assert.equal(result.code, 0, result.stderr);
      const view = await settled(base, bearer, result.stdout.trim());
      assert.equal(view.state, 'delivered', `${file}: ${JSON.stringify(view.history, null, 1)}`);
      assert.ok(view.documents.length > 0);
      assert.ok(
        view.documents.every((d) => d.documentType === type && d.state === 'delivered' && d.odoo),
        `${file}: every ${type} delivered`,
      );
      assert.equal(view.acknowledgements[0]?.documentType, 'CONTRL', file);
    }
    const bills = (await (await fetch(`${simulator}/__sim/records?db=demo&model=account.move`)).json()) as {
      ref: string;
      move_type: string;
    }[];
    assert.equal(bills.filter((b) => b.ref === 'INV-2026-002' && b.move_type === 'in_invoice').length, 1);
  });

  test('POST /v1/edi with an Idempotency-Key replays the first answer; another body with the key is refused', async () => {
    const bearer = await api.token('demo-edi', 'edi:write messages:read');
    const body = (await readFile(SAMPLES.invoice, 'utf8')).replaceAll('000000005', '000000777');
    const post = (payload: string, key: string): Promise<Response> =>
      fetch(`${base}/v1/edi`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          'content-type': 'application/edi-x12',
          'idempotency-key': key,
        },
        body: payload,
      });
    const first = await post(body, 'retry-key-1');
    assert.equal(first.status, 202);
    const accepted = (await first.json()) as { messageId: string; location: string };
    assert.equal(first.headers.get('location'), `/v1/messages/${accepted.messageId}`);
    const again = await post(body, 'retry-key-1');
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotency-replayed'), 'true');
    assert.deepEqual(await again.json(), accepted, 'the same answer, not a second message');
    const other = await post(body.replaceAll('000000777', '000000778'), 'retry-key-1');
    assert.equal(other.status, 422);
    assert.equal(((await other.json()) as { code: string }).code, 'idempotency-key-reused');
    const list = await fetch(`${base}/v1/messages?limit=200`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    const items = ((await list.json()) as { items: { id: string; direction: string }[] }).items;
    assert.equal(items.filter((m) => m.id === accepted.messageId).length, 1);
  });

  test('POST /v1/edi?ack=sync answers with the 997 itself', async () => {
    const bearer = await api.token('demo-edi', 'edi:write');
    const body = (await readFile(SAMPLES.invoice, 'utf8')).replaceAll('000000005', '000000901');
    const response = await fetch(`${base}/v1/edi?ack=sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/edi-x12' },
      body,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/edi-x12/);
    const text = await response.text();
    assert.match(text, /^ISA/);
    assert.match(text, /ST\*997\*/);
    assert.match(text, /AK1\*IM\*5/);
  });
});
