import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyEncryptionKey } from '../config/app-config.js';

const VERSION = 'v1';

/**
 * AES-256-GCM of a private key (PKCS#8 DER) as `v1.<iv>.<tag>.<ciphertext>` (base64url). The kid
 * is authenticated as associated data, so a ciphertext copied onto another key's row fails to open.
 */
export function encryptPrivateKey(kek: KeyEncryptionKey, kid: string, pkcs8: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek.bytes(), iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decryptPrivateKey(kek: KeyEncryptionKey, kid: string, stored: string): Buffer {
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) {
    throw new Error(`signing key ${kid}: unknown private key format`);
  }
  const decipher = createDecipheriv('aes-256-gcm', kek.bytes(), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch {
    // The usual cause; the message must not carry any key material.
    throw new Error(
      `signing key ${kid} cannot be decrypted: CROSSDOCK_KEY_ENCRYPTION_KEY is not the key it was stored with`,
    );
  }
}
