import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { decryptPrivateKey, encryptPrivateKey } from '../../../src/auth/private-key-cipher.js';
import { KeyEncryptionKey, parseKeyEncryptionKey } from '../../../src/config/app-config.js';

describe('private key encryption at rest (AES-256-GCM, kid as associated data)', () => {
  const kek = new KeyEncryptionKey(randomBytes(32));
  const secret = randomBytes(138);

  test('round trip; the stored form does not contain the key', () => {
    const stored = encryptPrivateKey(kek, 'kid-1', secret);
    assert.match(stored, /^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    assert.ok(!stored.includes(secret.toString('base64url')));
    assert.deepEqual(decryptPrivateKey(kek, 'kid-1', stored), secret);
    assert.notEqual(encryptPrivateKey(kek, 'kid-1', secret), stored, 'a fresh IV each time');
  });

  test('another key encryption key, another kid, or a flipped bit fails without leaking anything', () => {
    const stored = encryptPrivateKey(kek, 'kid-1', secret);
    const other = new KeyEncryptionKey(randomBytes(32));
    assert.throws(() => decryptPrivateKey(other, 'kid-1', stored), /not the key it was stored with/);
    assert.throws(() => decryptPrivateKey(kek, 'kid-2', stored), /cannot be decrypted/);
    const parts = stored.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    assert.throws(() => decryptPrivateKey(kek, 'kid-1', parts.join('.')), /cannot be decrypted/);
  });

  test('the key encryption key is read as hex or base64 and never serialized', () => {
    const hex = 'ab'.repeat(32);
    assert.deepEqual(parseKeyEncryptionKey(hex)?.bytes(), Buffer.from(hex, 'hex'));
    assert.deepEqual(
      parseKeyEncryptionKey(Buffer.alloc(32, 7).toString('base64'))?.bytes(),
      Buffer.alloc(32, 7),
    );
    assert.equal(parseKeyEncryptionKey('too-short'), undefined);
    assert.equal(JSON.stringify({ key: parseKeyEncryptionKey(hex) }), '{"key":"[redacted]"}');
  });
});
