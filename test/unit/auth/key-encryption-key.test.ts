import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { resolveKeyEncryptionKey } from '../../../src/auth/key-encryption-key.js';
import { ConfigError, loadConfig } from '../../../src/config/app-config.js';

describe('resolveKeyEncryptionKey', () => {
  test('outside demo mode a missing CROSSDOCK_KEY_ENCRYPTION_KEY is a configuration error', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' });
    await assert.rejects(
      resolveKeyEncryptionKey(config, () => undefined),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^CROSSDOCK_KEY_ENCRYPTION_KEY is required/);
        return true;
      },
    );
  });

  test('a malformed key is refused without echoing it', () => {
    assert.throws(
      () => loadConfig({ CROSSDOCK_KEY_ENCRYPTION_KEY: 'hunter2-hunter2' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2'),
    );
  });

  test('in demo mode one is generated once in the data dir (0600), with a warning, and reused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'crossdock-kek-'));
    try {
      const config = loadConfig({ CROSSDOCK_DATA_DIR: dir });
      const warnings: string[] = [];
      const first = await resolveKeyEncryptionKey(config, (line) => warnings.push(line));
      const second = await resolveKeyEncryptionKey(config, () => undefined);
      assert.deepEqual(first.bytes(), second.bytes());
      assert.match(warnings[0] ?? '', /demo mode/);
      const file = path.join(dir, 'key-encryption-key');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal((await readFile(file, 'utf8')).trim(), first.bytes().toString('hex'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an explicit key wins, also in demo mode', async () => {
    const config = loadConfig({
      CROSSDOCK_KEY_ENCRYPTION_KEY: '01'.repeat(32),
      CROSSDOCK_DATA_DIR: '/nonexistent',
    });
    assert.deepEqual((await resolveKeyEncryptionKey(config, () => undefined)).bytes(), Buffer.alloc(32, 1));
  });
});
