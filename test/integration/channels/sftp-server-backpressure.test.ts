import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ssh2, { type SFTPWrapper } from 'ssh2';
import type { AuditEvent } from '../../../src/audit/audit-event.js';
import { SftpServer } from '../../../src/channels/sftp/sftp-server.js';
import type { Pipeline } from '../../../src/messages/pipeline.js';
import { eventually, startPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';

const MAX_IN_FLIGHT = 8;
const CHUNK = 32_000;
/** ssh2 grants a channel at most a 2 MiB window: what a client may still send once we stop granting. */
const WINDOW = 2 * 1024 * 1024;

/**
 * The SFTP listener against a client that pipelines far more WRITEs than the disk takes: the
 * writes in flight stay bounded (the client is made to wait by the SSH window) instead of piling up
 * in memory, and the file is still stored whole.
 */
describe('SFTP server: a client pipelining WRITEs is made to wait', () => {
  let harness: PipelineHarness;
  let pipeline: Pipeline;
  let server: SftpServer;
  let port: number;
  let dir: string;
  const audited: AuditEvent[] = [];

  before(async () => {
    harness = await startPipelineHarness('sftp_backpressure');
    pipeline = await harness.startPipeline({ workers: false });
    dir = await mkdtemp(path.join(tmpdir(), 'crossdock-sftp-flow-'));
    server = new SftpServer({
      registry: harness.registry,
      store: pipeline.store,
      audit: (event) => audited.push(event),
      // Logins are not under test here: every attempt may go on.
      throttle: { check: async () => undefined, fail: async () => undefined, succeed: async () => undefined },
      hostKeyPath: path.join(dir, 'host.key'),
      dataDir: dir,
      maxFileBytes: 64 * 1024 * 1024,
      maxWritesInFlight: MAX_IN_FLIGHT,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    port = await server.start(0, '127.0.0.1');
  });
  after(async () => {
    await server?.stop();
    await harness?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('400 pipelined WRITEs against a stalled disk: at most the cap and one window held, file whole', async () => {
    const client = new ssh2.Client();
    const privateKey = await readFile('tenants/demo/sftp/demo-edi.key');
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
      client.connect({
        host: '127.0.0.1',
        port,
        username: 'demo-edi',
        privateKey,
      });
    });
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((error, s) => (error ? reject(error) : resolve(s))),
    );
    const chunks = 400;
    const content = Buffer.alloc(chunks * CHUNK);
    for (let i = 0; i < chunks; i++) content.fill(i % 251, i * CHUNK, (i + 1) * CHUNK);
    const stalls: { fifo: string; opened: Promise<FileHandle> }[] = [];
    // The disk comes back: a writer opening each FIFO frees its thread (also when the test fails).
    const release = async (): Promise<void> => {
      for (const stall of stalls.splice(0)) {
        execFile('sh', ['-c', `: > '${stall.fifo}'`]);
        await (await stall.opened).close();
      }
    };
    try {
      const handle = await new Promise<Buffer>((resolve, reject) =>
        sftp.open('inbox/flood.edi', 'w', (error, h) => (error ? reject(error) : resolve(h))),
      );
      // The disk stalls: every libuv pool thread (file writes run there) waits opening a FIFO.
      const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
      for (let i = 0; i < threads; i++) {
        const fifo = path.join(dir, `stall-${i}`);
        execFileSync('mkfifo', [fifo]);
        stalls.push({ fifo, opened: open(fifo, 'r') });
      }
      const writes = Array.from(
        { length: chunks },
        (_, i) =>
          new Promise<void>((resolve, reject) =>
            sftp.write(handle, content, i * CHUNK, CHUNK, i * CHUNK, (error) =>
              error ? reject(error) : resolve(),
            ),
          ),
      );
      // Long enough for every WRITE to reach the server if nothing holds the client back.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await release();
      await Promise.all(writes);
      await new Promise<void>((resolve, reject) =>
        sftp.close(handle, (error) => (error ? reject(error) : resolve())),
      );
    } finally {
      await release();
      client.end();
    }
    const entry = await eventually(
      async () => audited.find((e) => e.action === 'sftp.upload' && e.path?.endsWith('/flood.edi')),
      (e) => e !== undefined,
      10_000,
      'the upload audit entry',
    );
    assert.equal(entry?.status, 200);
    // The client must wait for the window: not all of its 12.8 MB pile up in the server's memory.
    const peak = (entry!.details as { peakBytesInFlight: number }).peakBytesInFlight;
    assert.ok(
      peak <= (MAX_IN_FLIGHT + 1) * CHUNK + WINDOW,
      `at most the cap and one window of WRITE data held, not all ${content.length} bytes: ${peak}`,
    );
    const [stored] = (await harness.dataSource.query(
      `SELECT payload FROM messages WHERE channel = 'sftp' AND file_name = 'flood.edi'`,
    )) as { payload: Buffer }[];
    assert.ok(stored?.payload.equals(content), 'stored byte for byte');
  });
});
