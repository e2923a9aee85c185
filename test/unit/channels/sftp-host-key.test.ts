import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { generateHostKeyPair, loadOrCreateHostKey } from '../../../src/channels/sftp/sftp-host-key.js';

describe('SFTP host keys', () => {
  test('every generated pair reads back, also the one in 256 whose public key starts with a zero byte', () => {
    // 2,000 pairs: ssh2's own generator writes about eight unreadable ones among them.
    for (let i = 0; i < 2000; i += 1) {
      const pair = generateHostKeyPair();
      const privateKey = ssh2.utils.parseKey(pair.private);
      const publicKey = ssh2.utils.parseKey(pair.public);
      assert.ok(!(privateKey instanceof Error), `private key ${i}: ${String(privateKey)}`);
      assert.ok(!(publicKey instanceof Error), `public key ${i}: ${String(publicKey)}`);
      assert.equal(privateKey.type, 'ssh-ed25519');
      assert.deepEqual(privateKey.getPublicSSH(), publicKey.getPublicSSH());
    }
  });

  test('a missing host key file is created once, readable, and then kept', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'crossdock-host-key-'));
    try {
      const file = path.join(dir, 'keys', 'sftp_host_ed25519');
      const first = await loadOrCreateHostKey(file);
      assert.ok(!(ssh2.utils.parseKey(first) instanceof Error));
      assert.match(await readFile(`${file}.pub`, 'utf8'), /^ssh-ed25519 \S+ crossdock sftp host key\n$/);
      assert.deepEqual(await loadOrCreateHostKey(file), first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
