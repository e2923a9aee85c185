import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run, type CommandResult } from '../support/child-process.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ASN = 'samples/x12/856-asn-PO778899.edi';

interface Row {
  id: string;
  state: string;
  file_name: string | null;
  payload: Buffer;
  channel: string;
  document_type: string | null;
}

/**
 * The real OpenSSH `sftp` client against Crossdock's listener, logged in as the demo partner
 * `demo-edi` with the demo key (tenants/demo/sftp/demo-edi.key) or its demo password.
 */
describe('SFTP mailbox: OpenSSH sftp uploads to inbox/, downloads from outbox/', () => {
  let server: TestServer;
  let dir: string;
  let key: string;

  const sftp = async (
    commands: string[],
    auth: 'key' | { password: string } = 'key',
  ): Promise<CommandResult> => {
    const batch = path.join(dir, `batch-${randomBytes(4).toString('hex')}`);
    await writeFile(batch, `${commands.join('\n')}\n`);
    const common = [
      '-b',
      batch,
      '-P',
      String(server.sftpPort),
      // Out-of-order WRITEs: 64 requests in flight, as the issue asks.
      '-R',
      '64',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'ConnectTimeout=60',
    ];
    if (auth === 'key') {
      return run('sftp', [
        ...common,
        '-i',
        key,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'PreferredAuthentications=publickey',
        'demo-edi@127.0.0.1',
      ]);
    }
    // No sshpass here: OpenSSH asks an askpass program for the password when forced to.
    const askpass = path.join(dir, `askpass-${randomBytes(4).toString('hex')}`);
    await writeFile(askpass, `#!/bin/sh\necho '${auth.password}'\n`, { mode: 0o700 });
    return run(
      'sftp',
      [
        // `-b` turns BatchMode on, which forbids password prompts; ssh keeps an option's first value.
        '-o',
        'BatchMode=no',
        ...common,
        '-o',
        'PreferredAuthentications=password',
        '-o',
        'PubkeyAuthentication=no',
        '-o',
        'NumberOfPasswordPrompts=1',
        'demo-edi@127.0.0.1',
      ],
      { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
    );
  };

  const rows = async (sql: string, params: unknown[]): Promise<Row[]> =>
    (await server.dataSource.query(sql, params)) as Row[];

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(path.join(tmpdir(), 'crossdock-sftp-e2e-'));
    // ssh refuses a private key readable by others; git does not keep file modes.
    key = path.join(dir, 'demo-edi.key');
    await copyFile('tenants/demo/sftp/demo-edi.key', key);
    await chmod(key, 0o600);
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('an 856 uploaded with -R 64 flows to Odoo; its 997 is downloaded from outbox/ and removed → sent', async () => {
    const put = await sftp(['cd inbox', `put ${ASN} po778899.856.edi`]);
    assert.equal(put.code, 0, put.stderr);
    const message = await waitFor('the 856 delivered', async () => {
      const [row] = await rows(
        `SELECT id, state, file_name, channel FROM messages WHERE direction = 'inbound' AND file_name = $1`,
        ['po778899.856.edi'],
      );
      return row && !['received', 'parsed', 'translated', 'delivering', 'failed'].includes(row.state)
        ? row
        : undefined;
    });
    assert.equal(message.state, 'delivered');
    assert.equal(message.channel, 'sftp');
    const [stored] = await rows(`SELECT payload FROM messages WHERE id = $1`, [message.id]);
    assert.deepEqual(stored!.payload, await readFile(ASN));

    const [ack] = await rows(
      `SELECT id, state, payload, document_type FROM messages WHERE related_message_id = $1 AND direction = 'outbound'`,
      [message.id],
    );
    assert.equal(ack?.document_type, '997');
    assert.equal(ack.state, 'queued');

    const listing = await sftp(['ls -l outbox']);
    assert.equal(listing.code, 0, listing.stderr);
    const name = `${ack.id}.997.edi`;
    assert.match(listing.stdout, new RegExp(name.replaceAll('.', '\\.')));

    const local = path.join(dir, 'ack.edi');
    const get = await sftp([`get outbox/${name} ${local}`]);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(await readFile(local), ack.payload);
    assert.match((await readFile(local, 'utf8')).slice(0, 3), /^ISA/);
    const [stillQueued] = await rows(`SELECT state FROM messages WHERE id = $1`, [ack.id]);
    assert.equal(stillQueued!.state, 'queued', 'a download alone does not mark it picked up');

    const remove = await sftp([`rm outbox/${name}`]);
    assert.equal(remove.code, 0, remove.stderr);
    const [sent] = await rows(`SELECT state FROM messages WHERE id = $1`, [ack.id]);
    assert.equal(sent!.state, 'sent');
    const after = await sftp(['ls outbox']);
    assert.doesNotMatch(after.stdout, new RegExp(ack.id));
  });

  test('a 5 MB upload with 64 writes in flight is stored byte for byte; `.part` then rename makes one message', async () => {
    const big = path.join(dir, 'big.bin');
    const bytes = randomBytes(5 * 1024 * 1024);
    await writeFile(big, bytes);
    const put = await sftp(['cd inbox', `put ${big} big.dat.part`, 'rename big.dat.part big.dat']);
    assert.equal(put.code, 0, put.stderr);
    const stored = await rows(
      `SELECT id, file_name, payload FROM messages WHERE direction = 'inbound' AND file_name LIKE 'big.dat%'`,
      [],
    );
    assert.equal(stored.length, 1, 'the .part file itself never became a message');
    assert.equal(stored[0]!.file_name, 'big.dat');
    assert.equal(
      createHash('sha256').update(stored[0]!.payload).digest('hex'),
      createHash('sha256').update(bytes).digest('hex'),
    );
  });

  test("traversal is refused: put ../../etc/y, cd /, and another partner's home", async () => {
    const before = await rows(`SELECT id FROM messages WHERE direction = 'inbound'`, []);
    const escape = await sftp(['cd inbox', `put ${ASN} ../../etc/y`]);
    assert.notEqual(escape.code, 0);
    assert.match(escape.stderr, /denied/i);
    const root = await sftp(['cd /']);
    assert.notEqual(root.code, 0);
    assert.match(root.stderr, /denied/i);
    const neighbour = await sftp(['cd /demo-b-edi/inbox']);
    assert.notEqual(neighbour.code, 0);
    const prefix = await sftp([`put ${ASN} /demo-edix/inbox/y`]);
    assert.notEqual(prefix.code, 0, 'a string-prefix of the home is not the home');
    const afterwards = await rows(`SELECT id FROM messages WHERE direction = 'inbound'`, []);
    assert.equal(afterwards.length, before.length, 'nothing was stored');
  });

  test('three sessions uploading at once each make exactly their own message', async () => {
    const names = ['c1.edi', 'c2.edi', 'c3.edi'];
    const contents = names.map((name) => Buffer.from(`${name}:${randomBytes(200_000).toString('hex')}`));
    await Promise.all(names.map((name, i) => writeFile(path.join(dir, name), contents[i]!)));
    const results = await Promise.all(
      names.map((name) => sftp(['cd inbox', `put ${path.join(dir, name)} ${name}`])),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    for (const [i, name] of names.entries()) {
      const stored = await rows(
        `SELECT payload FROM messages WHERE direction = 'inbound' AND file_name = $1`,
        [name],
      );
      assert.equal(stored.length, 1, name);
      assert.deepEqual(stored[0]!.payload, contents[i]);
    }
  });

  test('password login works; a wrong password is refused and audit-logged', async () => {
    const good = await sftp(['ls'], { password: 'demo-edi-secret' });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /inbox/);
    const bad = await sftp(['ls'], { password: 'wrong-secret' });
    assert.notEqual(bad.code, 0);
    const audited = await waitFor('the failed login in the audit log', async () => {
      const found = (await server.dataSource.query(
        `SELECT status, reason, partner_id FROM audit_events WHERE tenant_id = 'demo' AND action = 'sftp.login' AND status = 401`,
      )) as { status: number; reason: string; partner_id: string }[];
      return found[0];
    });
    assert.equal(audited.partner_id, 'demo-edi');
    assert.equal(audited.reason, 'bad credentials');
  });
});
