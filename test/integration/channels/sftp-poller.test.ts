import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { SftpPoller } from '../../../src/channels/sftp/sftp-poller.js';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import type { TenantDefinition } from '../../../src/tenancy/tenant-definition.js';
import { TenantRegistry } from '../../../src/tenancy/tenant-registry.js';
import { startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

const SSHD = '/usr/sbin/sshd';

/**
 * ssh-keygen through execFile, which never writes to the child's stdin: the shared `run` helper
 * ends stdin without an 'error' listener, and a fast ssh-keygen that has already exited turns
 * that write into an uncaught EPIPE (seen on a loaded machine, blamed on the `before` hook).
 */
const sshKeygen = async (args: string[]): Promise<string> =>
  (await promisify(execFile)('ssh-keygen', args)).stdout;

/** A TCP hop between the poller and sshd that can cut the connection after so many bytes. */
class CuttingProxy {
  cutDownAfter = Infinity;
  cutUpAfter = Infinity;
  /** Connections this proxy cut on purpose (not those that ended by themselves). */
  cuts = 0;
  private readonly server: net.Server;
  private readonly live = new Set<net.Socket>();

  constructor(target: number) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(target, '127.0.0.1');
      this.live.add(client).add(upstream);
      let down = 0;
      let up = 0;
      let cutting = false;
      const close = (): void => {
        client.destroy();
        upstream.destroy();
        this.live.delete(client);
        this.live.delete(upstream);
      };
      const cut = (): void => {
        if (!cutting) this.cuts += 1;
        cutting = true;
        close();
      };
      upstream.on('data', (chunk: Buffer) => {
        down += chunk.length;
        if (down > this.cutDownAfter) return cut();
        client.write(chunk);
      });
      client.on('data', (chunk: Buffer) => {
        up += chunk.length;
        if (up > this.cutUpAfter) return cut();
        upstream.write(chunk);
      });
      // A write into a peer that just went away fails with EPIPE/ECONNRESET on that socket.
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)),
    );
  }

  /** Stops listening and drops live connections (server.close alone would wait for them). */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.live) socket.destroy();
    this.live.clear();
    return closed;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The poller against a real OpenSSH sshd (Debian openssh-server, `.ci/run` installs it) on a
 * loopback port with its own config, host key and authorized key; root logs in with the key.
 */
describe(
  'SFTP poller against a real OpenSSH sshd',
  { skip: !existsSync(SSHD) && 'openssh-server is not installed' },
  () => {
    let dir: string;
    let sshd: ChildProcess;
    let sshdExited: Promise<void> | undefined;
    let proxy: CuttingProxy;
    let harness: PipelineHarness;
    let pipeline: Pipeline;
    let poller: SftpPoller;
    let outgoing: string;
    let incoming: string;
    let tenants: TenantDefinition[];

    const inboundRows = async (fileName: string): Promise<{ id: string; payload: Buffer }[]> =>
      (await harness.dataSource.query(
        `SELECT id, payload FROM messages WHERE tenant_id = 'demo' AND partner_id = 'demo-edi'
         AND direction = 'inbound' AND channel = 'sftp-poll' AND file_name = $1`,
        [fileName],
      )) as { id: string; payload: Buffer }[];

    const queueOutbound = async (payload: Buffer, control: string): Promise<string> => {
      const id = randomUUID();
      await harness.dataSource.query(
        `INSERT INTO messages (id, tenant_id, partner_id, direction, channel, format, document_type, state, environment,
         correlation_id, content_type, payload, payload_sha256, payload_size, interchange_control_number)
       VALUES ($1, 'demo', 'demo-edi', 'outbound', 'sftp-poll', 'x12', 'x12-856', 'queued', 'production',
         $5, 'application/edi-x12', $2, encode(sha256($2), 'hex'), $3, $4)`,
        [id, payload, payload.length, control, id],
      );
      return id;
    };

    const stateOf = async (id: string): Promise<string> =>
      (
        (await harness.dataSource.query(`SELECT state FROM messages WHERE id = $1`, [id])) as {
          state: string;
        }[]
      )[0]!.state;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'crossdock-sshd-'));
      outgoing = path.join(dir, 'remote', 'outgoing');
      incoming = path.join(dir, 'remote', 'incoming');
      await mkdir(outgoing, { recursive: true });
      await mkdir(incoming, { recursive: true });
      await mkdir('/run/sshd', { recursive: true });
      for (const name of ['host_key', 'client_key'])
        await sshKeygen(['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, name)]);
      await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'client_key.pub')));
      const port = await freePort();
      await writeFile(
        path.join(dir, 'sshd_config'),
        [
          `Port ${port}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${path.join(dir, 'host_key')}`,
          `PidFile ${path.join(dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
          // The temp dir's modes are not sshd's business here; the test owns it.
          'StrictModes no',
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'PermitRootLogin prohibit-password',
          'UsePAM no',
          'Subsystem sftp internal-sftp',
          'LogLevel ERROR',
          '',
        ].join('\n'),
      );
      sshd = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: 'ignore' });
      sshdExited = new Promise((resolve) => {
        sshd.once('exit', () => resolve());
        sshd.once('error', () => resolve());
      });
      await waitForPort(port);
      const fingerprint = (await sshKeygen(['-lf', path.join(dir, 'host_key.pub')])).split(' ')[1]!;
      proxy = new CuttingProxy(port);
      const proxyPort = await proxy.listen();

      harness = await startPipelineHarness('sftp_poll');
      pipeline = await harness.startPipeline({ workers: false });
      const privateKey = await readFile(path.join(dir, 'client_key'), 'utf8');
      tenants = harness.tenants.map((tenant) => ({
        ...tenant,
        partners: tenant.partners.map((partner) =>
          partner.id !== 'demo-edi'
            ? partner
            : {
                ...partner,
                channels: [
                  {
                    type: 'sftp-poll',
                    host: '127.0.0.1',
                    port: proxyPort,
                    username: 'root',
                    privateKey,
                    hostKeyFingerprint: fingerprint,
                    inboxPath: outgoing,
                    outboxPath: incoming,
                    pattern: '*.edi',
                    intervalSeconds: 60,
                  },
                ],
              },
        ),
      }));
      poller = new SftpPoller({
        registry: new TenantRegistry(tenants),
        dataSource: harness.dataSource,
        store: pipeline.store,
        audit: () => undefined,
        maxFileBytes: 50 * 1024 * 1024,
        connectTimeoutMs: 60_000,
        log: { warn: () => undefined, error: () => undefined },
      });
    });
    // In dependency order, each step awaited, so nothing of this file is still running (and able
    // to fail) once the file's tests are over: the poller, then the sockets into sshd, then sshd.
    after(async () => {
      await poller?.stop();
      await proxy?.close();
      if (sshd?.exitCode === null && sshd.signalCode === null) sshd.kill('SIGTERM');
      await sshdExited;
      await harness?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('downloads matching files, commits, then deletes them; uploads the queued 856 through .part', async () => {
      const asn = await readFile('samples/x12/856-asn-PO778899.edi');
      const status = await readFile('samples/x12/214-status-BOL998877.edi');
      await writeFile(path.join(outgoing, 'a.edi'), asn);
      await writeFile(path.join(outgoing, 'b.edi'), status);
      await writeFile(path.join(outgoing, 'notes.txt'), 'not EDI');
      const outboundPayload = Buffer.from(asn.toString('utf8').replaceAll('000000001', '000000777'));
      const outbound = await queueOutbound(outboundPayload, '000000777');

      const outcome = await poller.pollOnce('demo', 'demo-edi');
      assert.deepEqual(outcome?.received, ['a.edi', 'b.edi']);
      assert.deepEqual(outcome?.uploaded, ['000000777.856.edi']);
      assert.deepEqual(
        (await inboundRows('a.edi')).map((r) => sha(r.payload)),
        [sha(asn)],
      );
      assert.deepEqual(
        (await inboundRows('b.edi')).map((r) => sha(r.payload)),
        [sha(status)],
      );
      assert.deepEqual(await readdir(outgoing), ['notes.txt'], 'fetched files are gone, others untouched');
      assert.deepEqual(await readdir(incoming), ['000000777.856.edi'], 'no .part left behind');
      assert.deepEqual(await readFile(path.join(incoming, '000000777.856.edi')), outboundPayload);
      assert.equal(await stateOf(outbound), 'sent');
    });

    test('a file seen again after its commit (the delete was lost) is removed, not stored twice', async () => {
      await writeFile(path.join(outgoing, 'a.edi'), await readFile('samples/x12/856-asn-PO778899.edi'));
      const outcome = await poller.pollOnce('demo', 'demo-edi');
      assert.deepEqual(outcome?.alreadyStored, ['a.edi']);
      assert.deepEqual(outcome?.received, []);
      assert.equal((await inboundRows('a.edi')).length, 1);
      assert.deepEqual(await readdir(outgoing), ['notes.txt']);
    });

    test('a server showing another host key is refused before login; nothing is read', async () => {
      await writeFile(
        path.join(outgoing, 'pinned.edi'),
        await readFile('samples/x12/214-status-BOL998877.edi'),
      );
      const impostor = new SftpPoller({
        registry: new TenantRegistry(
          tenants.map((tenant) => ({
            ...tenant,
            partners: tenant.partners.map((partner) => ({
              ...partner,
              channels: partner.channels.map((c) =>
                c.type === 'sftp-poll' ? { ...c, hostKeyFingerprint: `SHA256:${'A'.repeat(43)}` } : c,
              ),
            })),
          })),
        ),
        dataSource: harness.dataSource,
        store: pipeline.store,
        audit: () => undefined,
        maxFileBytes: 1024 * 1024,
        connectTimeoutMs: 60_000,
        log: { warn: () => undefined, error: () => undefined },
      });
      await assert.rejects(impostor.pollOnce('demo', 'demo-edi'), /host key SHA256:\S+ is not the pinned/);
      assert.equal((await inboundRows('pinned.edi')).length, 0);
      assert.ok((await readdir(outgoing)).includes('pinned.edi'));
    });

    test('while another node holds the partner lock, a poll does nothing', async () => {
      const holder = harness.dataSource.createQueryRunner();
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock(hashtext($1))', ['sftp-poll/demo/demo-edi']);
        assert.equal(await poller.pollOnce('demo', 'demo-edi'), undefined);
        assert.ok((await readdir(outgoing)).includes('pinned.edi'), 'untouched while locked');
      } finally {
        await holder.query('SELECT pg_advisory_unlock(hashtext($1))', ['sftp-poll/demo/demo-edi']);
        await holder.release();
      }
      const outcome = await poller.pollOnce('demo', 'demo-edi');
      assert.deepEqual(outcome?.received, ['pinned.edi']);
    });

    test('a file over the size limit is left on the server and audited; the files after it are still fetched', async () => {
      const audits: { status?: number | null; reason?: string | null }[] = [];
      const small = new SftpPoller({
        registry: new TenantRegistry(tenants),
        dataSource: harness.dataSource,
        store: pipeline.store,
        audit: (event) => audits.push({ status: event.status, reason: event.reason }),
        maxFileBytes: 64 * 1024,
        connectTimeoutMs: 60_000,
        log: { warn: () => undefined, error: () => undefined },
      });
      const after = await readFile('samples/x12/214-status-BOL998877.edi');
      // `huge.edi` sorts first: it must not stand in the way of `later.edi`.
      await writeFile(path.join(outgoing, 'huge.edi'), randomBytes(200 * 1024));
      await writeFile(path.join(outgoing, 'later.edi'), after);
      const outcome = await small.pollOnce('demo', 'demo-edi');
      assert.deepEqual(outcome?.received, ['later.edi']);
      assert.deepEqual(outcome?.refused, ['huge.edi']);
      assert.equal((await inboundRows('later.edi')).length, 1);
      assert.equal((await inboundRows('huge.edi')).length, 0);
      assert.deepEqual(
        (await readdir(outgoing)).sort(),
        ['huge.edi', 'notes.txt'],
        'the big file stays with the partner',
      );
      assert.ok(
        audits.some((a) => a.status === 413 && /huge\.edi.*larger than 65536 bytes/.test(a.reason ?? '')),
        JSON.stringify(audits),
      );
      await rm(path.join(outgoing, 'huge.edi'));
    });

    test('a connection killed mid-download loses and duplicates nothing', async () => {
      const big = randomBytes(3 * 1024 * 1024);
      await writeFile(path.join(outgoing, 'big.edi'), big);
      proxy.cutDownAfter = 1024 * 1024;
      await assert.rejects(poller.pollOnce('demo', 'demo-edi'));
      assert.equal((await inboundRows('big.edi')).length, 0, 'nothing stored from half a file');
      assert.ok((await readdir(outgoing)).includes('big.edi'), 'the partner still has its file');

      proxy.cutDownAfter = Infinity;
      const outcome = await poller.pollOnce('demo', 'demo-edi');
      assert.deepEqual(outcome?.received, ['big.edi']);
      const rows = await inboundRows('big.edi');
      assert.equal(rows.length, 1);
      assert.equal(sha(rows[0]!.payload), sha(big));
      assert.deepEqual(await readdir(outgoing), ['notes.txt']);
    });

    test('a connection killed mid-upload leaves the message queued and no final file; the next poll delivers it whole', async () => {
      const payload = randomBytes(2 * 1024 * 1024);
      const id = await queueOutbound(payload, '000000888');
      proxy.cutUpAfter = 1024 * 1024;
      await assert.rejects(poller.pollOnce('demo', 'demo-edi'));
      assert.equal(await stateOf(id), 'queued');
      assert.ok(
        !(await readdir(incoming)).includes('000000888.856.edi'),
        'no half file under its final name',
      );

      proxy.cutUpAfter = Infinity;
      const outcome = await poller.pollOnce('demo', 'demo-edi');
      assert.deepEqual(outcome?.uploaded, ['000000888.856.edi']);
      assert.equal(sha(await readFile(path.join(incoming, '000000888.856.edi'))), sha(payload));
      assert.deepEqual((await readdir(incoming)).sort(), ['000000777.856.edi', '000000888.856.edi']);
      assert.equal(await stateOf(id), 'sent');
    });

    test(
      'a connection cut at points all through a poll (handshake, login, list, read, delete, write, rename) settles the poll and keeps every file once',
      // Only a guard against a poll that never settles (how this failed before): not a timing check.
      { timeout: 600_000 },
      async () => {
        const inbound = randomBytes(48 * 1024);
        await writeFile(path.join(outgoing, 'sweep.edi'), inbound);
        const outboundPayload = randomBytes(48 * 1024);
        const id = await queueOutbound(outboundPayload, '000000999');
        // Small offsets land in the key exchange and login, larger ones in the transfers.
        const offsets = [1, 40, 400, 900, 1400, 1900, 2400, 3000, 3600, 4400, 5500, 7000, 12_000, 30_000];
        const cutsBefore = proxy.cuts;
        let rejected = 0;
        try {
          for (const direction of ['down', 'up'] as const) {
            for (const offset of offsets) {
              if (direction === 'down') proxy.cutDownAfter = offset;
              else proxy.cutUpAfter = offset;
              // Whatever the outcome, the poll settles (a hang fails the file by its timeout)
              // and the process survives (an uncaught error fails the file as well).
              await poller.pollOnce('demo', 'demo-edi').catch(() => (rejected += 1));
              proxy.cutDownAfter = proxy.cutUpAfter = Infinity;

              const stored = await inboundRows('sweep.edi');
              assert.ok(stored.length <= 1, `stored once at most (cut ${direction} after ${offset})`);
              if (stored.length === 0)
                assert.ok((await readdir(outgoing)).includes('sweep.edi'), 'not stored: still on the server');
              else assert.equal(sha(stored[0]!.payload), sha(inbound));
              const delivered = (await readdir(incoming)).includes('000000999.856.edi');
              if (delivered)
                assert.equal(
                  sha(await readFile(path.join(incoming, '000000999.856.edi'))),
                  sha(outboundPayload),
                );
              if ((await stateOf(id)) === 'sent') assert.ok(delivered, 'marked sent only once renamed');
            }
          }
        } finally {
          proxy.cutDownAfter = proxy.cutUpAfter = Infinity;
        }
        assert.ok(proxy.cuts - cutsBefore >= rejected, 'the failed polls are the ones the proxy cut');
        assert.ok(rejected >= offsets.length, `most polls were cut (${rejected} of ${offsets.length * 2})`);

        await poller.pollOnce('demo', 'demo-edi');
        const rows = await inboundRows('sweep.edi');
        assert.equal(rows.length, 1);
        assert.equal(sha(rows[0]!.payload), sha(inbound));
        assert.deepEqual(await readdir(outgoing), ['notes.txt']);
        assert.equal(await stateOf(id), 'sent');
        assert.deepEqual((await readdir(incoming)).sort(), [
          '000000777.856.edi',
          '000000888.856.edi',
          '000000999.856.edi',
        ]);
        assert.equal(sha(await readFile(path.join(incoming, '000000999.856.edi'))), sha(outboundPayload));
      },
    );
  },
);
