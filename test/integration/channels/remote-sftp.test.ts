import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { RemoteSftp } from '../../../src/channels/sftp/remote-sftp.js';
import type { SftpPollSettings } from '../../../src/channels/sftp/sftp-channel-settings.js';
import { generateHostKeyPair, hostKeyFingerprint } from '../../../src/channels/sftp/sftp-host-key.js';

/** How the fake partner server misbehaves once a client reaches a given point. */
type Misbehaviour = 'hang-up-at-login' | 'hang-up-after-version' | 'malformed-packet';

/**
 * A partner SFTP server (ssh2's server side) that misbehaves on purpose. A hang never ends a
 * test by itself, so each test has a generous timeout: before the fixes these polls never
 * settled at all.
 */
describe('RemoteSftp against a partner server that drops or garbles the session', () => {
  const hostKey = generateHostKeyPair();
  const parsed = ssh2.utils.parseKey(hostKey.private);
  if (parsed instanceof Error) throw parsed;
  let misbehaviour: Misbehaviour = 'hang-up-at-login';
  let server: ssh2.Server;
  let settings: SftpPollSettings;

  before(async () => {
    server = new ssh2.Server({ hostKeys: [hostKey.private] }, (conn) => {
      // Our own side of the fault: the client's hang-up reaches the server as ECONNRESET.
      conn.on('error', () => undefined);
      conn.on('authentication', (ctx) => {
        if (misbehaviour === 'hang-up-at-login') conn.end();
        else ctx.accept();
      });
      conn.on('ready', () =>
        conn.on('session', (acceptSession) =>
          acceptSession().on('subsystem', (acceptSubsystem) => {
            const channel = acceptSubsystem();
            // The client's INIT, answered with a VERSION 3 packet, then the misbehaviour.
            channel.once('data', () => {
              channel.write(Buffer.from([0, 0, 0, 5, 2, 0, 0, 0, 3]));
              if (misbehaviour === 'hang-up-after-version') conn.end();
              // A length prefix of 2 GiB: a server whose login shell prints a banner looks like this.
              else channel.once('data', () => channel.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1])));
            });
          }),
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    settings = {
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      username: 'crossdock',
      password: 'secret',
      hostKeyFingerprint: hostKeyFingerprint(parsed.getPublicSSH()),
      inboxPath: '/outgoing',
      outboxPath: '/incoming',
      pattern: '*',
      intervalSeconds: 60,
    };
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a server hanging up during login fails the connect', { timeout: 60_000 }, async () => {
    misbehaviour = 'hang-up-at-login';
    await assert.rejects(RemoteSftp.connect(settings, 60_000), /closed before the SFTP session was ready/);
  });

  test('a server hanging up between requests fails every later request', { timeout: 60_000 }, async () => {
    misbehaviour = 'hang-up-after-version';
    const remote = await RemoteSftp.connect(settings, 60_000);
    try {
      await assert.rejects(remote.list('/outgoing'));
      // Sent on a channel that is already closed: ssh2 drops these without calling back.
      await assert.rejects(remote.remove('/outgoing/a.edi'), /connection to the partner server closed/);
      await assert.rejects(remote.rename('/incoming/a.part', '/incoming/a'), /closed/);
      await assert.rejects(remote.size('/incoming/a.part'), /closed/);
      await assert.rejects(remote.download('/outgoing/a.edi', 1024), /closed/);
      await assert.rejects(remote.upload('/incoming/a.part', Buffer.from('ISA')), /closed/);
    } finally {
      remote.end();
    }
  });

  test('a malformed SFTP packet fails the request with the protocol error', { timeout: 60_000 }, async () => {
    misbehaviour = 'malformed-packet';
    const remote = await RemoteSftp.connect(settings, 60_000);
    try {
      await assert.rejects(
        remote.list('/outgoing'),
        /broke the SFTP protocol: Packet length \d+ exceeds max length/,
      );
      // The session is gone: later requests fail with the same reason instead of hanging.
      await assert.rejects(remote.remove('/outgoing/a.edi'), /broke the SFTP protocol/);
    } finally {
      remote.end();
    }
  });
});
