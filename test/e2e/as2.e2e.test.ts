import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog } from '../../src/audit/audit-log.js';
import { As2ThrottleAudit } from '../../src/channels/as2/as2-throttle-audit.js';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * AS2 against an independent peer: OpenSSL builds every message (`openssl cms`), curl-equivalent
 * fetch posts the exact bytes, and OpenSSL verifies the MDN and computes the expected MIC.
 */
const CERTS = path.resolve('tenants/demo/as2');
const CROSSDOCK_CERT = path.join(CERTS, 'crossdock.cert.pem');
const PARTNER_CERT = path.join(CERTS, 'demo-edi.cert.pem');
const PARTNER_KEY = path.join(CERTS, 'demo-edi.key.pem');
const OTHER_CERT = path.join(CERTS, 'demo-b-edi.cert.pem');
const OTHER_KEY = path.join(CERTS, 'demo-b-edi.key.pem');
const SIGNED_RECEIPT =
  'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256, sha1';

const work = mkdtempSync(path.join(tmpdir(), 'as2-e2e-'));
let counter = 0;
const file = (name: string): string => path.join(work, `${(counter += 1)}-${name}`);

function openssl(args: string[], input?: Buffer): Buffer {
  return execFileSync('openssl', args, {
    input,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The business entity the partner sends: MIME headers (CRLF) and an X12 body. */
function ediEntity(
  tag: string,
  sample = 'samples/x12/856-asn-PO778899.edi',
): { path: string; bytes: Buffer } {
  const x12 = readFileSync(sample);
  const bytes = Buffer.concat([
    Buffer.from(
      `Content-Type: application/edi-x12\r\nContent-Disposition: attachment; filename="${tag}.edi"\r\n\r\n`,
    ),
    x12,
  ]);
  const p = file(`${tag}.entity`);
  writeFileSync(p, bytes);
  return { path: p, bytes };
}

/** `openssl cms -sign` output split into its top Content-Type (an HTTP header in AS2) and the body. */
function sign(
  entityPath: string,
  cert = PARTNER_CERT,
  key = PARTNER_KEY,
  md = 'sha256',
): { contentType: string; body: Buffer; file: string } {
  const out = file('signed.eml');
  openssl([
    'cms',
    '-sign',
    '-binary',
    '-in',
    entityPath,
    '-signer',
    cert,
    '-inkey',
    key,
    '-md',
    md,
    '-out',
    out,
  ]);
  const raw = readFileSync(out);
  const split = raw.indexOf('\n\n');
  const headers = raw.subarray(0, split).toString('latin1');
  const contentType = /Content-Type:\s*(.+)/i.exec(headers)![1]!.trim();
  return { contentType, body: raw.subarray(split + 2), file: out };
}

function encrypt(inputPath: string, cipher: string, extra: string[] = []): Buffer {
  const out = file('enc.der');
  openssl([
    'cms',
    '-encrypt',
    '-binary',
    '-in',
    inputPath,
    '-outform',
    'DER',
    `-${cipher}`,
    '-recip',
    CROSSDOCK_CERT,
    ...extra,
    '-out',
    out,
  ]);
  return readFileSync(out);
}

function expectedMic(bytes: Buffer, md = 'sha256'): string {
  return openssl(['dgst', `-${md}`, '-binary'], bytes).toString('base64');
}

interface Posted {
  status: number;
  headers: Headers;
  body: Buffer;
}

async function post(base: string, headers: Record<string, string>, body: Buffer): Promise<Posted> {
  const response = await fetch(`${base}/as2`, {
    method: 'POST',
    headers: {
      'as2-version': '1.2',
      'as2-from': 'DEMOEDI',
      'as2-to': 'CROSSDOCK-DEMO',
      'message-id': `<${Date.now()}-${Math.random().toString(16).slice(2)}@partner.example>`,
      'disposition-notification-to': 'edi@partner.example',
      'disposition-notification-options': SIGNED_RECEIPT,
      'content-length': String(body.length),
      ...headers,
    },
    body: new Uint8Array(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** Verifies the signed MDN with `openssl cms -verify` (trusting only Crossdock's demo certificate) and reads its fields. */
function verifiedMdn(answer: Posted): Record<string, string> {
  assert.equal(answer.status, 200, answer.body.toString());
  const contentType = answer.headers.get('content-type')!;
  assert.match(contentType, /^multipart\/signed/);
  const mdnFile = file('mdn.eml');
  writeFileSync(mdnFile, Buffer.concat([Buffer.from(`Content-Type: ${contentType}\r\n\r\n`), answer.body]));
  const report = openssl([
    'cms',
    '-verify',
    '-in',
    mdnFile,
    '-CAfile',
    CROSSDOCK_CERT,
    '-purpose',
    'any',
  ]).toString('latin1');
  const fields: Record<string, string> = {};
  for (const line of report.split(/\r?\n/)) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m) fields[m[1]!.toLowerCase()] = m[2]!;
  }
  return fields;
}

describe('AS2 inbound against openssl cms', { timeout: 600_000 }, () => {
  let server: TestServer;
  let base: string;
  const api = new ApiClient(() => base);

  before(async () => {
    server = await startTestServer({ env: { AS2_TICK_MS: '500' } });
    base = server.url;
  });
  after(async () => {
    await server?.close();
  });

  /** Payloads taken in (a refused transfer is listed too, but marked refused by its channel). */
  const storedPayloads = async (): Promise<number> =>
    Number(
      (
        (await server.dataSource.query(
          `SELECT count(*)::int AS n FROM messages WHERE channel = 'as2' AND direction = 'inbound'
              AND NOT diagnostics @> '[{"rule": "CHANNEL_REFUSED"}]'`,
        )) as {
          n: number;
        }[]
      )[0]!.n,
    );

  const transfer = async (
    messageId: string,
  ): Promise<{ state: string; failure: string | null; size: number; attempts: number }> =>
    (
      (await server.dataSource.query(
        `SELECT state, failure, octet_length(body) AS size, attempts FROM as2_transfers WHERE as2_message_id = $1`,
        [messageId],
      )) as { state: string; failure: string | null; size: number; attempts: number }[]
    )[0]!;

  const acceptedCases: {
    name: string;
    build: () => { headers: Record<string, string>; body: Buffer; mic: string; micAlg?: string };
  }[] = [
    {
      name: 'signed SHA-256 + encrypted AES-256-CBC (RSA PKCS#1 v1.5 key transport)',
      build: () => {
        const entity = ediEntity('signed-aes256');
        const signed = sign(entity.path);
        const envelopeInput = file('signed-entity.eml');
        writeFileSync(
          envelopeInput,
          Buffer.concat([Buffer.from(`Content-Type: ${signed.contentType}\r\n\r\n`), signed.body]),
        );
        const body = encrypt(envelopeInput, 'aes256');
        return {
          headers: { 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m' },
          body,
          mic: expectedMic(entity.bytes),
        };
      },
    },
    {
      name: 'unsigned and unencrypted (MIC over the body only)',
      build: () => {
        const x12 = readFileSync('samples/x12/856-asn-PO778899.edi');
        return { headers: { 'content-type': 'application/edi-x12' }, body: x12, mic: expectedMic(x12) };
      },
    },
    {
      name: 'signed only (SHA-256, LF line endings in the MIME wrapper)',
      build: () => {
        const entity = ediEntity('signed-only');
        const signed = sign(entity.path);
        return {
          headers: { 'content-type': signed.contentType },
          body: signed.body,
          mic: expectedMic(entity.bytes),
        };
      },
    },
    {
      name: 'signed SHA-1 with an MDN asked in sha1',
      build: () => {
        const entity = ediEntity('signed-sha1');
        const signed = sign(entity.path, PARTNER_CERT, PARTNER_KEY, 'sha1');
        return {
          headers: {
            'content-type': signed.contentType,
            'disposition-notification-options':
              'signed-receipt-protocol=required,pkcs7-signature; signed-receipt-micalg=required,SHA1',
          },
          body: signed.body,
          mic: expectedMic(entity.bytes, 'sha1'),
          micAlg: 'sha-1',
        };
      },
    },
    {
      name: 'encrypted 3DES, unsigned (MIC over the decrypted entity)',
      build: () => {
        const entity = ediEntity('des3');
        return {
          headers: { 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' },
          body: encrypt(entity.path, 'des3'),
          mic: expectedMic(entity.bytes),
        };
      },
    },
    {
      name: 'encrypted AES-128-CBC with RSA-OAEP key transport, signed',
      build: () => {
        const entity = ediEntity('oaep');
        const signed = sign(entity.path);
        const envelopeInput = file('signed-entity.eml');
        writeFileSync(
          envelopeInput,
          Buffer.concat([Buffer.from(`Content-Type: ${signed.contentType}\n\n`), signed.body]),
        );
        const body = encrypt(envelopeInput, 'aes128', ['-keyopt', 'rsa_padding_mode:oaep']);
        return {
          headers: { 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' },
          body,
          mic: expectedMic(entity.bytes),
        };
      },
    },
    {
      name: 'encrypted AES-256-GCM (AuthEnvelopedData), base64 transfer encoding',
      build: () => {
        const entity = ediEntity('gcm');
        const der = encrypt(entity.path, 'aes-256-gcm');
        return {
          headers: {
            'content-type': 'application/pkcs7-mime; smime-type=authEnveloped-data',
            'content-transfer-encoding': 'base64',
          },
          body: Buffer.from(der.toString('base64').replace(/.{76}/g, '$&\r\n')),
          mic: expectedMic(entity.bytes),
        };
      },
    },
  ];

  for (const c of acceptedCases) {
    test(`accepted: ${c.name}; the MDN verifies with openssl and carries openssl's MIC`, async () => {
      const before = await storedPayloads();
      const message = c.build();
      const answer = await post(base, message.headers, message.body);
      const mdn = verifiedMdn(answer);
      assert.equal(mdn['disposition'], 'automatic-action/MDN-sent-automatically; processed');
      assert.equal(mdn['received-content-mic'], `${message.mic}, ${message.micAlg ?? 'sha-256'}`);
      assert.equal(await storedPayloads(), before + 1);
      const [stored] = (await server.dataSource.query(
        `SELECT payload FROM messages WHERE channel = 'as2' AND direction = 'inbound' ORDER BY received_at DESC LIMIT 1`,
      )) as { payload: Buffer }[];
      assert.deepEqual(stored!.payload, readFileSync('samples/x12/856-asn-PO778899.edi'));
    });
  }

  test('a duplicate Message-ID gets the original MDN again and is stored once', async () => {
    const entity = ediEntity('dup');
    const signed = sign(entity.path);
    const id = `<dup-${Date.now()}@partner.example>`;
    const before = await storedPayloads();
    const first = await post(base, { 'content-type': signed.contentType, 'message-id': id }, signed.body);
    const second = await post(base, { 'content-type': signed.contentType, 'message-id': id }, signed.body);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, first.body);
    assert.equal(await storedPayloads(), before + 1);
    assert.equal(verifiedMdn(second)['original-message-id'], id);
  });

  const badCases: {
    name: string;
    failure: string;
    build: () => { headers: Record<string, string>; body: Buffer };
  }[] = [
    {
      name: 'a tampered signed content',
      failure: 'authentication-failed',
      build: () => {
        const signed = sign(ediEntity('tampered').path);
        const body = Buffer.from(signed.body);
        const at = body.indexOf('BSN');
        body[at + 4] = body[at + 4] === 0x30 ? 0x31 : 0x30;
        return { headers: { 'content-type': signed.contentType }, body };
      },
    },
    {
      name: "a signature by another partner's certificate",
      failure: 'authentication-failed',
      build: () => {
        const signed = sign(ediEntity('wrong-cert').path, OTHER_CERT, OTHER_KEY);
        return { headers: { 'content-type': signed.contentType }, body: signed.body };
      },
    },
    {
      name: 'garbage bytes declared as an encrypted message',
      failure: 'decryption-failed',
      build: () => ({
        headers: { 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' },
        body: Buffer.from('\u0000\u00ffnot a CMS object at all\r\n'.repeat(20), 'latin1'),
      }),
    },
    {
      name: 'a truncated encrypted body',
      failure: 'decryption-failed',
      build: () => {
        const der = encrypt(ediEntity('truncated').path, 'aes256');
        return {
          headers: { 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' },
          body: der.subarray(0, der.length - 40),
        };
      },
    },
    {
      name: 'an unknown AS2-From',
      failure: 'authentication-failed',
      build: () => {
        const signed = sign(ediEntity('stranger').path, OTHER_CERT, OTHER_KEY);
        return { headers: { 'content-type': signed.contentType, 'as2-from': 'STRANGER' }, body: signed.body };
      },
    },
  ];

  for (const c of badCases) {
    test(`rejected: ${c.name} → signed negative MDN (${c.failure}), kept and audit-logged`, async () => {
      const before = await storedPayloads();
      const message = c.build();
      const id = `<bad-${Date.now()}-${Math.random().toString(16).slice(2)}@partner.example>`;
      const answer = await post(base, { ...message.headers, 'message-id': id }, message.body);
      const mdn = verifiedMdn(answer);
      assert.equal(
        mdn['disposition'],
        `automatic-action/MDN-sent-automatically; processed/error: ${c.failure}`,
      );
      assert.equal(mdn['original-message-id'], id);
      assert.equal(await storedPayloads(), before);
      const kept = await transfer(id);
      assert.equal(kept.state, 'rejected');
      assert.equal(kept.failure, c.failure);
      assert.equal(kept.size, message.body.length);
      // The tenant's operators see it where they look for messages: state, reason, channel, bytes.
      const [transferRow] = (await server.dataSource.query(
        `SELECT id::text AS id FROM as2_transfers WHERE as2_message_id = $1`,
        [id],
      )) as { id: string }[];
      const listed = await api.get(
        'demo-ops',
        `/v1/messages?state=rejected&correlationId=${encodeURIComponent(transferRow!.id)}`,
      );
      assert.equal(listed.status, 200);
      const { items } = (await listed.json()) as {
        items: { id: string; channel: string; partnerId: string | null; lastError: string }[];
      };
      assert.equal(items.length, 1, 'the refused transfer is in GET /v1/messages');
      assert.equal(items[0]!.channel, 'as2');
      // Refused before any signature verified: AS2-From is a claim, so it is the tenant's, no partner's.
      assert.equal(items[0]!.partnerId, null);
      assert.equal(
        (await api.get('demo-edi', `/v1/messages/${items[0]!.id}`)).status,
        404,
        'a forged sender cannot put bytes in the partner’s own view',
      );
      assert.match(items[0]!.lastError, new RegExp(`^AS2 ${c.failure}: `));
      const payload = await api.get('demo-ops', `/v1/messages/${items[0]!.id}/payload`);
      assert.equal(payload.status, 200);
      assert.deepEqual(Buffer.from(await payload.arrayBuffer()), message.body, 'the bytes as received');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const audited = (await server.dataSource.query(
          `SELECT reason FROM audit_events WHERE action = 'as2.reject' AND resource_id = (SELECT id::text FROM as2_transfers WHERE as2_message_id = $1)`,
          [id],
        )) as { reason: string }[];
        if (audited.length > 0) {
          assert.match(audited[0]!.reason, new RegExp(c.failure));
          break;
        }
        assert.ok(Date.now() < deadline, 'the rejection reached the audit log');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
  }

  test('a rejected Message-ID sent again, fixed, is processed (a failed try does not block the retry)', async () => {
    const entity = ediEntity('retry');
    const id = `<retry-${Date.now()}@partner.example>`;
    const wrong = sign(entity.path, OTHER_CERT, OTHER_KEY);
    const first = await post(base, { 'content-type': wrong.contentType, 'message-id': id }, wrong.body);
    assert.match(verifiedMdn(first)['disposition']!, /authentication-failed/);
    const right = sign(entity.path);
    const second = await post(base, { 'content-type': right.contentType, 'message-id': id }, right.body);
    assert.equal(verifiedMdn(second)['disposition'], 'automatic-action/MDN-sent-automatically; processed');
    assert.equal((await transfer(id)).attempts, 2);
  });

  test('a large refused request: its payload comes whole from the transfer, then only its start once a retry replaced it', async () => {
    const id = `<big-${Date.now()}@partner.example>`;
    const headers = { 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data', 'message-id': id };
    const body = Buffer.alloc(100_000, 0x5a);
    assert.equal((await post(base, headers, body)).status, 200);
    const [row] = (await server.dataSource.query(
      `SELECT m.id::text AS id FROM messages m JOIN as2_transfers t ON t.id::text = m.correlation_id WHERE t.as2_message_id = $1`,
      [id],
    )) as { id: string }[];
    const whole = await api.get('demo-ops', `/v1/messages/${row!.id}/payload`);
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), body);
    assert.ok(whole.headers.get('digest'));
    assert.equal(whole.headers.get('x-payload-truncated'), null);

    assert.equal((await post(base, headers, Buffer.alloc(100, 0x59))).status, 200);
    const start = await api.get('demo-ops', `/v1/messages/${row!.id}/payload`);
    assert.deepEqual(Buffer.from(await start.arrayBuffer()), body.subarray(0, 64 * 1024));
    assert.equal(start.headers.get('digest'), null, 'no digest of bytes not served');
    assert.equal(start.headers.get('x-payload-truncated'), `first ${64 * 1024} of 100000 bytes`);
  });

  test('a bulk replay of rejected messages is not crowded out by refused transfers, which it cannot replay', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const edi = readFileSync('samples/x12/210-freight-invoice-INV-2026-001.edi', 'utf8')
      .replace('IEA*1*000000005', 'IEA*1*000000099')
      .replaceAll('000000005', '000000031');
    const submitted = await fetch(`${base}/v1/edi`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await api.token('demo-edi')}`,
        'content-type': 'application/edi-x12',
      },
      body: edi,
    });
    assert.equal(submitted.status, 202, await submitted.clone().text());
    const { messageId: broken } = (await submitted.json()) as { messageId: string };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const view = (await (await api.get('demo-ops', `/v1/messages/${broken}`)).json()) as { state: string };
      if (view.state === 'rejected') break;
      assert.ok(Date.now() < deadline, `still ${view.state}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    // Two refused transfers, newer than the rejected file: a list of 1 would hold only them.
    for (let i = 0; i < 2; i += 1) {
      const answer = await post(
        base,
        {
          'content-type': 'application/pkcs7-mime; smime-type=enveloped-data',
          'message-id': `<crowd-${i}-${Date.now()}@partner.example>`,
        },
        Buffer.from('not a CMS object\r\n'),
      );
      assert.equal(answer.status, 200);
    }
    const replay = await api.post('demo-ops', '/v1/messages/replay', {
      state: 'rejected',
      from: since,
      limit: 1,
      mode: 'retranslate',
    });
    assert.equal(replay.status, 202, await replay.clone().text());
    const { replayed } = (await replay.json()) as { replayed: { messageId: string; mode: string }[] };
    assert.deepEqual(
      replayed.map((r) => [r.messageId, r.mode]),
      [[broken, 'retranslate']],
    );
  });

  test('HTTP errors: missing AS2 headers → 400, unknown AS2-To → 404 (kept); the server keeps serving', async () => {
    const x12 = readFileSync('samples/x12/856-asn-PO778899.edi');
    const missing = await fetch(`${base}/as2`, {
      method: 'POST',
      headers: { 'content-type': 'application/edi-x12' },
      body: new Uint8Array(x12),
    });
    assert.equal(missing.status, 400);
    const id = `<unknown-to-${Date.now()}@partner.example>`;
    const unknown = await post(
      base,
      { 'content-type': 'application/edi-x12', 'as2-to': 'NOBODY', 'message-id': id },
      x12,
    );
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match((JSON.parse(unknown.body.toString()) as { detail: string }).detail, /NOBODY/);
    assert.equal((await transfer(id)).size, x12.length);
    const listed = (await (await api.get('demo-ops', '/v1/messages?state=rejected&limit=200')).json()) as {
      items: { lastError: string | null }[];
    };
    assert.ok(
      !listed.items.some((m) => m.lastError?.includes('NOBODY')),
      'an AS2-To no tenant answers to is listed for no tenant',
    );
    const health = await fetch(`${base}/health/live`);
    assert.equal(health.status, 200);
  });
});

describe('AS2 requests over the rate limit', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  test("a 429 is in the addressed tenant's audit chain with the sender and Message-ID, a flood summed up and counted", async () => {
    const x12 = readFileSync('samples/x12/856-asn-PO778899.edi');
    const ids = Array.from({ length: 120 }, (_, i) => `<burst-${i}-${Date.now()}@partner.example>`);
    // At once: more than the anonymous burst (50) of one source IP.
    const statuses = await Promise.all(
      ids.map((id) =>
        post(server.url, { 'content-type': 'application/edi-x12', 'message-id': id }, x12).then(
          (answer) => answer.status,
        ),
      ),
    );
    const refused = statuses.filter((s) => s === 429).length;
    assert.ok(refused > 0, `some were throttled: ${statuses.join(',')}`);
    type Row = {
      partner_id: string | null;
      status: number;
      reason: string;
      details: { messageId?: string; as2From?: string | null; refusedSinceLastEntry?: number };
    };
    const entries = async (): Promise<Row[]> =>
      (await server.dataSource.query(
        `SELECT partner_id, status, reason, details FROM audit_events WHERE tenant_id = 'demo' AND action = 'as2.throttled'
          ORDER BY id`,
      )) as Row[];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await entries();
      if (rows.length > 0) {
        assert.equal(rows.length, 1, 'one entry per source IP and window, not one per refused request');
        assert.equal(rows[0]!.partner_id, 'demo-edi');
        assert.equal(rows[0]!.status, 429);
        assert.equal(rows[0]!.details.as2From, 'DEMOEDI');
        assert.ok(ids.includes(rows[0]!.details.messageId!));
        assert.match(rows[0]!.reason, /rate limit exceeded.*not received, the partner must send it again/);
        break;
      }
      assert.ok(Date.now() < deadline, 'no as2.throttled entry in the tenant chain');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // A flood whose every request claims another AS2-From opens no entry of its own.
    const flood = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        post(
          server.url,
          { 'content-type': 'application/edi-x12', 'as2-from': `FLOOD-${i}`, 'message-id': `<flood-${i}@x>` },
          x12,
        ).then((answer) => answer.status),
      ),
    );
    const floodRefused = flood.filter((s) => s === 429).length;
    assert.ok(floodRefused > 0);
    // The window (60 s) is still open: shutting down writes what it counted. Every 429 is then
    // accounted for, itemised or counted (a response's hook may run a moment after the client
    // has its answer: the count is written again until all are in).
    const total = refused + floodRefused;
    let rows: Row[] = [];
    const accounted = (): number => rows.reduce((n, r) => n + (r.details.refusedSinceLastEntry ?? 1), 0);
    const until = Date.now() + 20_000;
    for (;;) {
      server.app.get(As2ThrottleAudit, { strict: false }).beforeApplicationShutdown();
      await server.app.get(AuditLog, { strict: false }).flush();
      rows = await entries();
      if (accounted() >= total) break;
      assert.ok(
        Date.now() < until,
        `${accounted()} of ${total} refusals in the audit: ${JSON.stringify(rows)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(accounted(), total, JSON.stringify(rows));
    assert.ok(rows.length <= 4, `bounded, whatever AS2-From said: ${JSON.stringify(rows)}`);
    assert.doesNotMatch(JSON.stringify(rows), /FLOOD-/);
    assert.ok(rows.some((r) => (r.details.refusedSinceLastEntry ?? 0) > 1));
  });
});

/**
 * The partner side played by OpenSSL: a tiny HTTP receiver decrypts Crossdock's request with
 * `openssl cms -decrypt`, verifies it with `openssl cms -verify`, and answers an MDN it signs with
 * `openssl cms -sign`, carrying the MIC `openssl dgst` computed over the signed entity.
 */
describe('AS2 outbound to a partner played by openssl cms', { timeout: 600_000 }, () => {
  let server: TestServer;
  let receiver: Server;
  const received: { headers: IncomingHttpHeaders; body: Buffer; content: Buffer; mic: string }[] = [];
  let answer: 'processed' | 'wrong-mic' = 'processed';
  let failNext = 0;
  const failedMessageIds: string[] = [];
  const asyncMdns: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  let port = 0;

  const reportEntity = (originalMessageId: string, mic: string): Buffer =>
    Buffer.from(
      [
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="rep"',
        '',
        '--rep',
        'Content-Type: text/plain',
        '',
        'received',
        '--rep',
        'Content-Type: message/disposition-notification',
        '',
        'Reporting-UA: openssl test partner',
        'Final-Recipient: rfc822; DEMOEDI',
        `Original-Message-ID: ${originalMessageId}`,
        `Received-Content-MIC: ${mic}, sha-256`,
        'Disposition: automatic-action/MDN-sent-automatically; processed',
        '',
        '--rep--',
        '',
      ].join('\r\n'),
    );

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/mdn') {
          asyncMdns.push({ headers: request.headers, body: Buffer.concat(chunks) });
          response.end('thanks');
          return;
        }
        if (failNext > 0) {
          failNext -= 1;
          failedMessageIds.push(String(request.headers['message-id']));
          response.writeHead(503);
          response.end('busy');
          return;
        }
        try {
          const body = Buffer.concat(chunks);
          const encrypted = file('out.der');
          writeFileSync(encrypted, body);
          const decrypted = file('out.eml');
          openssl([
            'cms',
            '-decrypt',
            '-binary',
            '-inform',
            'DER',
            '-in',
            encrypted,
            '-recip',
            PARTNER_CERT,
            '-inkey',
            PARTNER_KEY,
            '-out',
            decrypted,
          ]);
          const content = file('out.content');
          // No -binary: OpenSSL's multipart reader then keeps the entity's CRLFs as they are.
          openssl([
            'cms',
            '-verify',
            '-in',
            decrypted,
            '-CAfile',
            CROSSDOCK_CERT,
            '-purpose',
            'any',
            '-out',
            content,
          ]);
          const signedEntity = readFileSync(content);
          const mic = expectedMic(signedEntity);
          received.push({ headers: request.headers, body, content: signedEntity, mic });
          const report = file('report.eml');
          writeFileSync(
            report,
            reportEntity(String(request.headers['message-id']), answer === 'processed' ? mic : 'AAAA'),
          );
          const signed = sign(report);
          response.writeHead(200, {
            'content-type': signed.contentType,
            'as2-from': 'DEMOEDI',
            'as2-to': 'CROSSDOCK-DEMO',
          });
          response.end(signed.body);
        } catch (error) {
          process.stderr.write(`receiver: ${String(error)}\n`);
          response.writeHead(500);
          response.end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
    server = await startTestServer({ env: { DEMO_EDI_AS2_URL: `http://127.0.0.1:${port}/as2` } });
  });
  after(async () => {
    await server?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const outboundState = async (id: string): Promise<string> =>
    (
      (await server.dataSource.query(`SELECT state FROM messages WHERE id = $1`, [id])) as { state: string }[]
    )[0]!.state;

  async function settledOutbound(): Promise<{ id: string; state: string }> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const rows = (await server.dataSource.query(
        `SELECT id, state FROM messages WHERE direction = 'outbound' AND channel = 'as2' AND partner_id = 'demo-edi'
          ORDER BY received_at DESC LIMIT 1`,
      )) as { id: string; state: string }[];
      if (rows[0] && ['acknowledged', 'rejected'].includes(rows[0].state)) return rows[0];
      assert.ok(Date.now() < deadline, `outbound AS2 message not settled: ${JSON.stringify(rows)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  test('the 997 for an AS2 interchange goes back over AS2: openssl decrypts and verifies it, its MDN acknowledges it', async () => {
    const signed = sign(ediEntity('outbound-trigger').path);
    const inbound = await post(server.url, { 'content-type': signed.contentType }, signed.body);
    assert.equal(verifiedMdn(inbound)['disposition'], 'automatic-action/MDN-sent-automatically; processed');
    const settled = await settledOutbound();
    assert.equal(settled.state, 'acknowledged');
    const request = received.at(-1)!;
    assert.match(
      String(request.headers['content-type']),
      /^application\/pkcs7-mime; smime-type=enveloped-data/,
    );
    assert.equal(request.headers['content-length'], String(request.body.length));
    assert.equal(request.headers['as2-from'], 'CROSSDOCK-DEMO');
    assert.equal(request.headers['as2-to'], 'DEMOEDI');
    assert.match(request.content.toString('latin1'), /ST\*997\*/);
    const [transfer] = (await server.dataSource.query(
      `SELECT mic, state FROM as2_transfers WHERE direction = 'outbound' AND message_id = $1`,
      [settled.id],
    )) as { mic: string; state: string }[];
    assert.equal(transfer!.mic, request.mic);
    assert.equal(transfer!.state, 'acknowledged');
  });

  test('an MDN whose MIC is not ours rejects the message', async () => {
    answer = 'wrong-mic';
    // Another interchange (a repeated one would be a duplicate, answered by no new 997).
    const signed = sign(ediEntity('outbound-wrong-mic', 'samples/x12/214-status-BOL998877.edi').path);
    const before = received.length;
    await post(server.url, { 'content-type': signed.contentType }, signed.body);
    const deadline = Date.now() + 180_000;
    while (received.length === before) {
      assert.ok(Date.now() < deadline, 'nothing sent');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const settled = await settledOutbound();
    assert.equal(settled.state, 'rejected');
    assert.equal(await outboundState(settled.id), 'rejected');
  });

  test('no MDN (HTTP 503) → sent again with the same Message-ID, then acknowledged', async () => {
    answer = 'processed';
    failNext = 1;
    const signed = sign(ediEntity('outbound-retry', 'samples/x12/210-freight-invoice-INV-2026-001.edi').path);
    const before = received.length;
    await post(server.url, { 'content-type': signed.contentType }, signed.body);
    const deadline = Date.now() + 300_000;
    while (received.length === before) {
      assert.ok(Date.now() < deadline, 'never sent again');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.equal(failedMessageIds.length, 1);
    assert.equal(received.at(-1)!.headers['message-id'], failedMessageIds[0]);
    assert.equal((await settledOutbound()).state, 'acknowledged');
  });

  test('an asynchronous MDN is POSTed to Receipt-Delivery-Option and verifies with openssl', async () => {
    const entity = ediEntity('async-mdn');
    const signed = sign(entity.path);
    const id = `<async-${Date.now()}@partner.example>`;
    const answered = await post(
      server.url,
      {
        'content-type': signed.contentType,
        'message-id': id,
        'receipt-delivery-option': `http://127.0.0.1:${port}/mdn`,
      },
      signed.body,
    );
    assert.equal(answered.status, 200);
    assert.doesNotMatch(answered.headers.get('content-type') ?? '', /multipart/);
    const deadline = Date.now() + 120_000;
    while (asyncMdns.length === 0) {
      assert.ok(Date.now() < deadline, 'no asynchronous MDN');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const mdn = asyncMdns[0]!;
    assert.equal(mdn.headers['as2-from'], 'CROSSDOCK-DEMO');
    assert.equal(mdn.headers['as2-to'], 'DEMOEDI');
    const fields = verifiedMdn({
      status: 200,
      headers: new Headers({ 'content-type': String(mdn.headers['content-type']) }),
      body: mdn.body,
    });
    assert.equal(fields['original-message-id'], id);
    assert.equal(fields['received-content-mic'], `${expectedMic(entity.bytes)}, sha-256`);
  });
});
