import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2, { type SFTPWrapper } from 'ssh2';
import { certificateFromPem } from '../../src/channels/as2/cms-asn1.js';
import { compress } from '../../src/channels/as2/cms-compress.js';
import { signedMultipart } from '../../src/channels/as2/signed-multipart.js';
import { ApiClient } from '../support/api-client.js';
import { run, type CommandResult } from '../support/child-process.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Bad and unusual input over the partner channels, sent by real clients: fetch posting raw AS2
 * bytes (built with the project's CMS helpers), the ssh2 SFTP client and OpenSSH `sftp`. Every
 * case must end in a clear answer, a live server, and the bytes received kept.
 */
const LIMIT = 1024 * 1024;
/** Debian's python3 (where python3-paramiko installs), not a pyenv one on PATH. */
const PYTHON = '/usr/bin/python3';

function paramiko(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import paramiko'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const X12 = 'samples/x12/856-asn-PO778899.edi';

describe(
  'partner channels: bad input is answered clearly and nothing received is lost',
  { timeout: 600_000 },
  () => {
    let server: TestServer;
    let dataDir: string;
    let dir: string;
    let key: string;
    const api = new ApiClient(() => server.url);

    before(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'crossdock-channels-data-'));
      dir = await mkdtemp(path.join(tmpdir(), 'crossdock-channels-e2e-'));
      server = await startTestServer({
        env: { AS2_TICK_MS: '500', EDI_BODY_LIMIT: String(LIMIT), CROSSDOCK_DATA_DIR: dataDir },
      });
      key = path.join(dir, 'demo-edi.key');
      await copyFile('tenants/demo/sftp/demo-edi.key', key);
      await chmod(key, 0o600);
    });
    after(async () => {
      await server?.close();
      await rm(dir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    });

    const as2Post = async (
      headers: Record<string, string>,
      body: Buffer,
    ): Promise<{ status: number; messageId: string; text: string }> => {
      const messageId = `<${randomBytes(8).toString('hex')}@partner.example>`;
      const response = await fetch(`${server.url}/as2`, {
        method: 'POST',
        headers: {
          'as2-version': '1.2',
          'as2-from': 'DEMOEDI',
          'as2-to': 'CROSSDOCK-DEMO',
          'message-id': messageId,
          'disposition-notification-to': 'edi@partner.example',
          ...headers,
        },
        body: new Uint8Array(body),
      });
      return {
        status: response.status,
        messageId,
        text: Buffer.from(await response.arrayBuffer()).toString('latin1'),
      };
    };

    const transfer = async (
      messageId: string,
    ): Promise<{ state: string; failure: string | null; body: Buffer | null; message_id: string | null }> =>
      (
        (await server.dataSource.query(
          `SELECT state, failure, body, message_id FROM as2_transfers WHERE as2_message_id = $1`,
          [messageId],
        )) as { state: string; failure: string | null; body: Buffer | null; message_id: string | null }[]
      )[0]!;

    const storedPayload = async (id: string): Promise<Buffer> =>
      (
        (await server.dataSource.query(`SELECT payload FROM messages WHERE id = $1`, [id])) as {
          payload: Buffer;
        }[]
      )[0]!.payload;

    const disposition = (mdn: string): string => /^Disposition:\s*(.*)$/im.exec(mdn)?.[1]?.trim() ?? '';

    for (const contentType of ['text/plain', 'application/xml', undefined]) {
      test(`AS2: an unprotected body declared as ${contentType ?? '(no Content-Type)'} is stored byte for byte`, async () => {
        // Latin-1 bytes (not UTF-8): what a text parser would mangle.
        const payload = Buffer.concat([await readFile(X12), Buffer.from([0xe9, 0x0d, 0x0a])]);
        const answer = await as2Post(contentType ? { 'content-type': contentType } : {}, payload);
        assert.equal(answer.status, 200, answer.text);
        assert.equal(
          disposition(answer.text),
          'automatic-action/MDN-sent-automatically; processed',
          answer.text,
        );
        const row = await transfer(answer.messageId);
        assert.ok(row.body?.equals(payload), 'the transfer keeps the bytes received');
        assert.ok(row.message_id);
        assert.ok((await storedPayload(row.message_id)).equals(payload), 'the message holds the bytes sent');
      });
    }

    test('AS2: an unprotected body sent with Content-Transfer-Encoding: base64 is stored decoded', async () => {
      const x12 = await readFile(X12);
      const answer = await as2Post(
        { 'content-type': 'application/edi-x12', 'content-transfer-encoding': 'base64' },
        Buffer.from(x12.toString('base64').replace(/.{76}/g, '$&\r\n')),
      );
      assert.equal(
        disposition(answer.text),
        'automatic-action/MDN-sent-automatically; processed',
        answer.text,
      );
      const row = await transfer(answer.messageId);
      assert.ok((await storedPayload(row.message_id!)).equals(x12), 'the X12 itself, not its base64');
    });

    test('AS2: a signed message sent with Content-Transfer-Encoding: base64 verifies and is stored', async () => {
      const x12 = await readFile(X12);
      const entity = Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), x12]);
      const signed = await signedMultipart(
        entity,
        {
          certificate: certificateFromPem(await readFile('tenants/demo/as2/demo-edi.cert.pem', 'utf8')),
          privateKeyPem: await readFile('tenants/demo/as2/demo-edi.key.pem', 'utf8'),
        },
        'sha256',
      );
      const answer = await as2Post(
        { 'content-type': signed.contentType, 'content-transfer-encoding': 'base64' },
        Buffer.from(signed.body.toString('base64')),
      );
      assert.equal(
        disposition(answer.text),
        'automatic-action/MDN-sent-automatically; processed',
        answer.text,
      );
      const row = await transfer(answer.messageId);
      assert.ok((await storedPayload(row.message_id!)).equals(x12));
    });

    test('AS2: a Message-ID reused for another document is not acknowledged again; its bytes are kept', async () => {
      const identity = {
        certificate: certificateFromPem(await readFile('tenants/demo/as2/demo-edi.cert.pem', 'utf8')),
        privateKeyPem: await readFile('tenants/demo/as2/demo-edi.key.pem', 'utf8'),
      };
      const x12 = await readFile(X12);
      const entity = (payload: Buffer): Buffer =>
        Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), payload]);
      const messageId = `<reused-${randomBytes(6).toString('hex')}@partner.example>`;
      const send = async (payload: Buffer): Promise<string> => {
        // Signed afresh each time: a real retry differs in its bytes (boundary, signing time).
        const signed = await signedMultipart(entity(payload), identity, 'sha256');
        const answer = await as2Post(
          { 'content-type': signed.contentType, 'message-id': messageId },
          signed.body,
        );
        assert.equal(answer.status, 200, answer.text);
        return answer.text;
      };
      const stored = async (): Promise<number> =>
        Number(
          (
            (await server.dataSource.query(
              `SELECT count(*)::int AS n FROM messages WHERE channel = 'as2' AND direction = 'inbound' AND correlation_id IN
               (SELECT id::text FROM as2_transfers WHERE as2_message_id = $1)`,
              [messageId],
            )) as { n: number }[]
          )[0]!.n,
        );
      const first = await send(x12);
      assert.equal(disposition(first), 'automatic-action/MDN-sent-automatically; processed');
      const retry = await send(x12);
      assert.equal(
        disposition(retry),
        'automatic-action/MDN-sent-automatically; processed',
        'a re-signed retry',
      );
      assert.equal(await stored(), 1);

      const other = Buffer.from(x12.toString('latin1').replace('PO778899', 'PO111111'), 'latin1');
      const reused = await send(other);
      assert.equal(
        disposition(reused),
        'automatic-action/MDN-sent-automatically; processed/error: unexpected-processing-error',
        reused,
      );
      assert.match(reused, /already received with another document/);
      assert.equal(await stored(), 1, 'the other document is not stored under the first one');
      const kept = (await server.dataSource.query(
        `SELECT state, body FROM as2_transfers WHERE direction = 'inbound' AND as2_message_id LIKE $1 AND state = 'rejected'`,
        [`${messageId}%`],
      )) as { state: string; body: Buffer }[];
      assert.equal(kept.length, 1, 'the reused Message-ID is kept as its own rejected transfer');
      assert.ok(kept[0]!.body.includes(Buffer.from('PO111111')), 'with the bytes received');
    });

    for (const order of ['compressed then signed', 'signed then compressed'] as const) {
      test(`AS2: ${order}: stored, MIC over the signed entity (RFC 5402)`, async () => {
        const identity = {
          certificate: certificateFromPem(await readFile('tenants/demo/as2/demo-edi.cert.pem', 'utf8')),
          privateKeyPem: await readFile('tenants/demo/as2/demo-edi.key.pem', 'utf8'),
        };
        const x12 = await readFile(X12);
        const entity = Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), x12]);
        const compressedEntity = (inner: Buffer): Buffer =>
          Buffer.concat([
            Buffer.from(
              'Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\n' +
                'Content-Transfer-Encoding: base64\r\n\r\n',
            ),
            Buffer.from(compress(inner).toString('base64').replace(/.{76}/g, '$&\r\n')),
          ]);
        let headers: Record<string, string>;
        let body: Buffer;
        let signedEntity: Buffer;
        if (order === 'compressed then signed') {
          signedEntity = compressedEntity(entity);
          const signed = await signedMultipart(signedEntity, identity, 'sha256');
          headers = { 'content-type': signed.contentType };
          body = signed.body;
        } else {
          signedEntity = entity;
          const signed = await signedMultipart(entity, identity, 'sha256');
          const outer = Buffer.concat([
            Buffer.from(`Content-Type: ${signed.contentType}\r\n\r\n`),
            signed.body,
          ]);
          headers = { 'content-type': 'application/pkcs7-mime; smime-type=compressed-data' };
          body = compress(outer);
        }
        const answer = await as2Post(headers, body);
        assert.equal(
          disposition(answer.text),
          'automatic-action/MDN-sent-automatically; processed',
          answer.text,
        );
        const mic = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: signedEntity }).toString(
          'base64',
        );
        assert.match(
          answer.text,
          new RegExp(`Received-Content-MIC: ${mic.replace(/[+/]/g, '\\$&')}, sha-256`),
        );
        const row = await transfer(answer.messageId);
        assert.ok((await storedPayload(row.message_id!)).equals(x12));
      });
    }

    test('AS2: control characters (NUL) in the inner file name and type are no reason to fail: stored, processed', async () => {
      const identity = {
        certificate: certificateFromPem(await readFile('tenants/demo/as2/demo-edi.cert.pem', 'utf8')),
        privateKeyPem: await readFile('tenants/demo/as2/demo-edi.key.pem', 'utf8'),
      };
      const x12 = await readFile(X12);
      const entity = Buffer.concat([
        Buffer.from(
          'Content-Type: application/edi-x12\u0000\r\nContent-Disposition: attachment; filename="ship\u0000\u0007ment.edi"\r\n\r\n',
          'latin1',
        ),
        x12,
      ]);
      const signed = await signedMultipart(entity, identity, 'sha256');
      const answer = await as2Post({ 'content-type': signed.contentType }, signed.body);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(
        disposition(answer.text),
        'automatic-action/MDN-sent-automatically; processed',
        answer.text,
      );
      const row = await transfer(answer.messageId);
      const [message] = (await server.dataSource.query(
        `SELECT file_name, payload FROM messages WHERE id = $1`,
        [row.message_id],
      )) as { file_name: string; payload: Buffer }[];
      assert.equal(message!.file_name, 'shipment.edi');
      assert.ok(message!.payload.equals(x12));
    });

    test('AS2: a content cipher we do not support is named in the negative MDN (not the generic decryption error)', async () => {
      const entity = path.join(dir, 'camellia.entity');
      await writeFile(
        entity,
        Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), await readFile(X12)]),
      );
      const der = execFileSync('openssl', [
        'cms',
        '-encrypt',
        '-binary',
        '-in',
        entity,
        '-outform',
        'DER',
        '-camellia-128-cbc',
        '-recip',
        'tenants/demo/as2/crossdock.cert.pem',
      ]);
      const answer = await as2Post(
        { 'content-type': 'application/pkcs7-mime; smime-type=enveloped-data' },
        der,
      );
      assert.equal(
        disposition(answer.text),
        'automatic-action/MDN-sent-automatically; processed/error: decryption-failed',
        answer.text,
      );
      assert.match(
        answer.text,
        /content encryption algorithm 1\.2\.392\.200011\.61\.1\.1\.1\.2 is not supported/,
      );
      assert.ok((await transfer(answer.messageId)).body?.equals(der));
    });

    test('AS2: an async MDN the partner refuses (HTTP 500) is audited with the reason and retried', async () => {
      const refusing = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(500).end('partner MDN endpoint broken'));
      });
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
      try {
        const mdnUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/mdn`;
        const answer = await as2Post(
          { 'content-type': 'application/edi-x12', 'receipt-delivery-option': mdnUrl },
          await readFile(X12),
        );
        assert.equal(answer.status, 200, answer.text);
        const [row] = (await server.dataSource.query(
          `SELECT id FROM as2_transfers WHERE as2_message_id = $1`,
          [answer.messageId],
        )) as { id: string }[];
        const deadline = Date.now() + 60_000;
        for (;;) {
          const audited = (await server.dataSource.query(
            `SELECT status, reason FROM audit_events WHERE action = 'as2.mdn-delivery' AND resource_id = $1`,
            [row!.id],
          )) as { status: number; reason: string }[];
          if (audited.length > 0) {
            assert.equal(audited[0]!.status, 502);
            assert.match(
              audited[0]!.reason,
              new RegExp(`async MDN to ${mdnUrl} failed \\(attempt 1 of 10\\): HTTP 500; sent again`),
            );
            break;
          }
          assert.ok(Date.now() < deadline, 'the failed MDN delivery reached the audit log');
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      } finally {
        await new Promise<void>((resolve) => refusing.close(() => resolve()));
      }
    });

    test('AS2: truncated compressed data gets decompression-failed, not decryption-failed', async () => {
      const body = compress(
        Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), await readFile(X12)]),
      );
      const answer = await as2Post(
        { 'content-type': 'application/pkcs7-mime; smime-type=compressed-data' },
        body.subarray(0, body.length - 30),
      );
      assert.equal(
        disposition(answer.text),
        'automatic-action/MDN-sent-automatically; processed/error: decompression-failed',
        answer.text,
      );
      assert.match(answer.text, /not readable CMS CompressedData/);
    });

    test('AS2: compressed data inflating past the size limit gets a negative MDN, kept, server alive', async () => {
      const entity = Buffer.concat([
        Buffer.from('Content-Type: application/edi-x12\r\n\r\n'),
        Buffer.alloc(40 * LIMIT, 0x41),
      ]);
      const body = compress(entity);
      assert.ok(body.length < LIMIT);
      const answer = await as2Post(
        { 'content-type': 'application/pkcs7-mime; smime-type=compressed-data' },
        body,
      );
      assert.equal(answer.status, 200, answer.text);
      assert.equal(
        disposition(answer.text),
        'automatic-action/MDN-sent-automatically; processed/error: decompression-failed',
        answer.text,
      );
      assert.match(answer.text, new RegExp(`larger than ${LIMIT} bytes`));
      const row = await transfer(answer.messageId);
      assert.equal(row.state, 'rejected');
      assert.ok(row.body?.equals(body));
      assert.equal(row.message_id, null);
      // A small compressed message still goes through.
      const small = compress(
        Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), await readFile(X12)]),
      );
      const ok = await as2Post(
        { 'content-type': 'application/pkcs7-mime; smime-type=compressed-data' },
        small,
      );
      assert.equal(disposition(ok.text), 'automatic-action/MDN-sent-automatically; processed', ok.text);
    });

    const openssh = async (commands: string[]): Promise<CommandResult> => {
      const batch = path.join(dir, `batch-${randomBytes(4).toString('hex')}`);
      await writeFile(batch, `${commands.join('\n')}\n`);
      return run('sftp', [
        '-b',
        batch,
        '-P',
        String(server.sftpPort),
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-i',
        key,
        '-o',
        'IdentitiesOnly=yes',
        'demo-edi@127.0.0.1',
      ]);
    };

    const sftpMessages = async (fileName: string): Promise<{ id: string; payload: Buffer }[]> =>
      (await server.dataSource.query(
        `SELECT id, payload FROM messages WHERE channel = 'sftp' AND file_name = $1 ORDER BY received_at`,
        [fileName],
      )) as { id: string; payload: Buffer }[];

    test('SFTP: a resumed upload (`reput` of a .part) continues the parked bytes instead of zero-filling them', async () => {
      const full = randomBytes(200_000);
      const local = path.join(dir, 'resume.edi');
      await writeFile(local, full.subarray(0, 80_000));
      const client = await sshConnect(server.sftpPort, await readFile(key));
      try {
        // Session one parks the first part; the same session resumes it with OpenSSH semantics:
        // OPEN with WRITE|CREAT|APPEND (no TRUNC), writes at the offsets past what is there.
        await put(client.sftp, 'inbox/resume.edi.part', full.subarray(0, 80_000));
        const handle = await call<Buffer>((cb) => client.sftp.open('inbox/resume.edi.part', 'a', cb));
        const attrs = await call<ssh2.Stats>((cb) => client.sftp.fstat(handle, cb));
        assert.equal(attrs.size, 80_000, 'the resumed handle starts at the parked size');
        await call((cb) => client.sftp.write(handle, full, 80_000, full.length - 80_000, 80_000, cb));
        await call((cb) => client.sftp.close(handle, cb));
        await call((cb) => client.sftp.rename('inbox/resume.edi.part', 'inbox/resume.edi', cb));
      } finally {
        client.client.end();
      }
      const [stored] = await sftpMessages('resume.edi');
      assert.ok(stored, 'stored');
      assert.equal(stored.payload.length, full.length);
      assert.ok(stored.payload.equals(full), 'the stored file is the bytes sent, not zeros');
    });

    test('SFTP: OpenSSH `put` of a first part, then `reput` and rename, stores the whole file', async () => {
      const full = randomBytes(300_000);
      const first = path.join(dir, 'openssh-first.edi');
      const local = path.join(dir, 'openssh-resume.edi');
      await writeFile(first, full.subarray(0, 100_000));
      await writeFile(local, full);
      const result = await openssh([
        `put ${first} inbox/openssh-resume.edi.part`,
        `reput ${local} inbox/openssh-resume.edi.part`,
        'rename inbox/openssh-resume.edi.part inbox/openssh-resume.edi',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const [stored] = await sftpMessages('openssh-resume.edi');
      assert.equal(stored?.payload.length, full.length);
      assert.ok(stored.payload.equals(full), 'the stored file is the bytes sent');
    });

    test('SFTP: renaming a .part onto another parked .part leaves no orphaned upload on disk', async () => {
      const client = await sshConnect(server.sftpPort, await readFile(key));
      try {
        await put(client.sftp, 'inbox/one.part', Buffer.from('ONE'));
        await put(client.sftp, 'inbox/two.part', Buffer.from('TWO'));
        await call((cb) => client.sftp.rename('inbox/one.part', 'inbox/two.part', cb));
        await call((cb) => client.sftp.rename('inbox/two.part', 'inbox/two.edi', cb));
      } finally {
        client.client.end();
      }
      const [stored] = await sftpMessages('two.edi');
      assert.equal(stored?.payload.toString(), 'ONE');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const left = (await readdir(path.join(dataDir, 'sftp-uploads'))).filter((f) => !f.endsWith('.failed'));
      assert.deepEqual(left, []);
    });

    test('SFTP: a file just uploaded answers STAT with its size (clients check it before reporting success)', async () => {
      const client = await sshConnect(server.sftpPort, await readFile(key));
      try {
        await put(client.sftp, 'inbox/checked.edi', Buffer.alloc(4321, 0x41));
        const attrs = await call<ssh2.Stats>((cb) => client.sftp.stat('inbox/checked.edi', cb));
        assert.equal(attrs.size, 4321);
        assert.ok(attrs.isFile());
        // WinSCP removes an existing target before renaming its .filepart onto it.
        await call((cb) => client.sftp.unlink('inbox/checked.edi', cb));
        await assert.rejects(
          call((cb) => client.sftp.stat('inbox/checked.edi', cb)),
          /No such file/,
        );
      } finally {
        client.client.end();
      }
      assert.equal((await sftpMessages('checked.edi')).length, 1);
    });

    test(
      'SFTP: paramiko `put` (which stats the file after the upload) succeeds and stores the file once',
      { skip: !paramiko() && 'python3-paramiko is not installed' },
      async () => {
        const local = path.join(dir, 'paramiko.edi');
        const bytes = await readFile(X12);
        await writeFile(local, bytes);
        const script = path.join(dir, 'paramiko-put.py');
        await writeFile(
          script,
          [
            'import sys, paramiko',
            'port, key, local, remote = sys.argv[1:5]',
            "t = paramiko.Transport(('127.0.0.1', int(port)))",
            "t.connect(username='demo-edi', pkey=paramiko.Ed25519Key.from_private_key_file(key))",
            'sftp = paramiko.SFTPClient.from_transport(t)',
            "print('uploaded', sftp.put(local, remote).st_size)",
            't.close()',
            '',
          ].join('\n'),
        );
        const result = await run(PYTHON, [script, String(server.sftpPort), key, local, 'inbox/paramiko.edi']);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, new RegExp(`uploaded ${bytes.length}`));
        const stored = await sftpMessages('paramiko.edi');
        assert.equal(stored.length, 1);
        assert.ok(stored[0]!.payload.equals(bytes));
      },
    );

    /** The partner's rejected messages named `fileName`, as GET /v1/messages shows them to the partner. */
    const rejectedListed = async (
      fileName: string,
    ): Promise<{ id: string; channel: string; state: string; lastError: string; fileName: string }[]> => {
      const response = await api.get('demo-edi', '/v1/messages?state=rejected&limit=200');
      assert.equal(response.status, 200);
      const { items } = (await response.json()) as {
        items: { id: string; channel: string; state: string; lastError: string; fileName: string }[];
      };
      return items.filter((m) => m.fileName === fileName);
    };

    test('SFTP: an upload over the size limit is refused at the WRITE and its CLOSE says why', async () => {
      const client = await sshConnect(server.sftpPort, await readFile(key));
      try {
        const handle = await call<Buffer>((cb) => client.sftp.open('inbox/toobig.edi', 'w', cb));
        const chunk = Buffer.alloc(LIMIT, 0x41);
        await call((cb) => client.sftp.write(handle, chunk, 0, chunk.length, 0, cb));
        await assert.rejects(
          call((cb) => client.sftp.write(handle, chunk, 0, 10, LIMIT, cb)),
          new RegExp(`larger than ${LIMIT} bytes`),
        );
        await assert.rejects(
          call((cb) => client.sftp.close(handle, cb)),
          new RegExp(`larger than ${LIMIT} bytes: not stored`),
        );
      } finally {
        client.client.end();
      }
      // Refused, so never translated; but the partner and the tenant see it, why, and what came.
      const [listed, ...more] = await rejectedListed('toobig.edi');
      assert.equal(more.length, 0);
      assert.equal(listed?.channel, 'sftp');
      assert.match(listed.lastError, new RegExp(`larger than ${LIMIT} bytes`));
      const payload = await api.get('demo-edi', `/v1/messages/${listed.id}/payload`);
      assert.ok(Buffer.from(await payload.arrayBuffer()).equals(Buffer.alloc(LIMIT, 0x41)));
      const replay = await api.post('demo-ops', `/v1/messages/${listed.id}/replay`, {});
      assert.equal(((await replay.json()) as { mode: string }).mode, 'nothing');
    });

    test('SFTP: an upload over the size limit whose client leaves before CLOSE is listed and audited', async () => {
      const client = await sshConnect(server.sftpPort, await readFile(key));
      try {
        const handle = await call<Buffer>((cb) => client.sftp.open('inbox/toobig-gone.edi', 'w', cb));
        const chunk = Buffer.alloc(LIMIT, 0x42);
        await call((cb) => client.sftp.write(handle, chunk, 0, chunk.length, 0, cb));
        await assert.rejects(
          call((cb) => client.sftp.write(handle, chunk, 0, 10, LIMIT, cb)),
          new RegExp(`larger than ${LIMIT} bytes`),
        );
      } finally {
        client.client.end();
      }
      const deadline = Date.now() + 20_000;
      let listed = await rejectedListed('toobig-gone.edi');
      while (listed.length === 0) {
        assert.ok(Date.now() < deadline, 'the refused upload was not listed');
        await new Promise((resolve) => setTimeout(resolve, 200));
        listed = await rejectedListed('toobig-gone.edi');
      }
      assert.equal(listed.length, 1);
      let audited: { status: number; reason: string; resource_id: string | null }[] = [];
      while (audited.length === 0) {
        assert.ok(Date.now() < deadline, 'the refused upload has no sftp.upload audit entry');
        await new Promise((resolve) => setTimeout(resolve, 200));
        audited = (await server.dataSource.query(
          `SELECT status, reason, resource_id FROM audit_events WHERE action = 'sftp.upload' AND path LIKE '%/inbox/toobig-gone.edi'`,
        )) as { status: number; reason: string; resource_id: string | null }[];
      }
      assert.equal(audited.length, 1);
      assert.equal(audited[0]!.resource_id, listed[0]!.id);
      assert.match(audited[0]!.reason, new RegExp(`larger than ${LIMIT} bytes.*kept as rejected message`));
    });

    test('SFTP: a .part whose rename we refused, left when the session ends, is listed as rejected', async () => {
      const client = await sshConnect(server.sftpPort, await readFile(key));
      try {
        await put(client.sftp, 'inbox/named-badly.part', Buffer.from('ISA*PARKED'));
        await assert.rejects(
          call((cb) => client.sftp.rename('inbox/named-badly.part', 'inbox/.hidden', cb)),
          /must not start with "\."/,
        );
      } finally {
        client.client.end();
      }
      const deadline = Date.now() + 20_000;
      let listed = await rejectedListed('named-badly.part');
      while (listed.length === 0) {
        assert.ok(Date.now() < deadline, 'the refused upload was not listed');
        await new Promise((resolve) => setTimeout(resolve, 200));
        listed = await rejectedListed('named-badly.part');
      }
      assert.equal(listed.length, 1);
      assert.match(listed[0]!.lastError, /rename of named-badly\.part to "\.hidden" refused/);
      const payload = await api.get('demo-edi', `/v1/messages/${listed[0]!.id}/payload`);
      assert.equal(await payload.text(), 'ISA*PARKED');
    });

    test('SFTP: an upload under a temporary name of the client, then renamed, is stored once and the rename succeeds', async () => {
      const client = await sshConnect(server.sftpPort, await readFile(key));
      const bytes = await readFile(X12);
      try {
        await put(client.sftp, 'inbox/renamed.edi.uploading', bytes);
        await call((cb) => client.sftp.rename('inbox/renamed.edi.uploading', 'inbox/renamed.edi', cb));
        const attrs = await call<ssh2.Stats>((cb) => client.sftp.stat('inbox/renamed.edi', cb));
        assert.equal(attrs.size, bytes.length);
      } finally {
        client.client.end();
      }
      const stored = await sftpMessages('renamed.edi.uploading');
      assert.equal(stored.length, 1);
      assert.ok(stored[0]!.payload.equals(bytes));
      assert.equal((await sftpMessages('renamed.edi')).length, 0, 'not stored a second time');
    });

    test('SFTP: an outbox file deleted unread is not recorded as downloaded', async () => {
      const client = await sshConnect(server.sftpPort, await readFile(key));
      try {
        // An 856 of its own (a fresh control number) is acknowledged: its 997 queues in outbox/.
        const before = new Set(
          (await call<ssh2.FileEntry[]>((cb) => client.sftp.readdir('outbox', cb))).map((e) => e.filename),
        );
        const control = String(100_000_000 + (randomBytes(3).readUIntBE(0, 3) % 800_000_000));
        const asn = Buffer.from(
          (await readFile(X12)).toString('latin1').replaceAll('000000001', control),
          'latin1',
        );
        await put(client.sftp, 'inbox/for-ack.edi', asn);
        const deadline = Date.now() + 120_000;
        let unread: string | undefined;
        while (!unread) {
          assert.ok(Date.now() < deadline, 'no 997 in outbox/');
          await new Promise((resolve) => setTimeout(resolve, 500));
          unread = (await call<ssh2.FileEntry[]>((cb) => client.sftp.readdir('outbox', cb)))
            .map((e) => e.filename)
            .find((n) => !n.startsWith('.') && !before.has(n));
        }
        await call((cb) => client.sftp.unlink(`outbox/${unread}`, cb));
        const [event] = (await server.dataSource.query(
          `SELECT e.cause FROM message_events e JOIN messages m ON m.id = e.message_id
            WHERE m.direction = 'outbound' AND e.to_state = 'sent' AND e.detail->>'fileName' = $1`,
          [unread],
        )) as { cause: string }[];
        assert.equal(event?.cause, 'deleted over SFTP without being downloaded in this session');
      } finally {
        client.client.end();
      }
    });

    test('SFTP: refused file names say why', async () => {
      const client = await sshConnect(server.sftpPort, await readFile(key));
      try {
        const refusal = async (name: string): Promise<string> => {
          try {
            await put(client.sftp, name, Buffer.from('x'));
          } catch (error) {
            return (error as Error).message;
          }
          return 'accepted';
        };
        assert.match(await refusal(`inbox/${'a'.repeat(300)}.edi`), /longer than 255/);
        assert.match(await refusal('inbox/Müller.edi'), /printable ASCII/);
        assert.match(await refusal('inbox/.hidden'), /must not start with "\."/);
      } finally {
        client.client.end();
      }
    });
  },
);

async function sshConnect(
  port: number,
  privateKey: Buffer,
): Promise<{ client: ssh2.Client; sftp: SFTPWrapper }> {
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({ host: '127.0.0.1', port, username: 'demo-edi', privateKey });
  });
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
    client.sftp((error, s) => (error ? reject(error) : resolve(s))),
  );
  return { client, sftp };
}

function call<T = void>(
  request: (cb: (error: Error | null | undefined, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) =>
    request((error, value) => (error ? reject(error) : resolve(value as T))),
  );
}

async function put(sftp: SFTPWrapper, name: string, data: Buffer): Promise<void> {
  const handle = await call<Buffer>((cb) => sftp.open(name, 'w', cb));
  if (data.length > 0) await call((cb) => sftp.write(handle, data, 0, data.length, 0, cb));
  await call((cb) => sftp.close(handle, cb));
}
