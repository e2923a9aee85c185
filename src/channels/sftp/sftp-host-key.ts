import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';

/**
 * The listener's private host key: read from `file`, or generated once (ed25519) when absent.
 * Created with `wx`, so two processes starting together cannot overwrite each other's key;
 * several nodes behind one address should share the same file (partners pin its fingerprint).
 */
export async function loadOrCreateHostKey(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const pair = generateHostKeyPair('crossdock sftp host key');
  try {
    await writeFile(file, pair.private, { flag: 'wx', mode: 0o600 });
    await writeFile(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 }).catch(() => undefined);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFile(file);
}

/**
 * A fresh ed25519 key pair in OpenSSH format whose both halves ssh2 reads back. ssh2 1.x strips
 * every leading zero byte of the public key when it writes the pair, so about one pair in 256
 * (a public key that starts with 0x00) is written 31 bytes long and refused by `parseKey` — a host
 * key the listener could never load again (ssh2 issues #1390, #1513). Such a pair is drawn again.
 */
export function generateHostKeyPair(comment?: string): { private: string; public: string } {
  for (let attempt = 1; ; attempt += 1) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', comment === undefined ? {} : { comment });
    const readable =
      !(ssh2.utils.parseKey(pair.private) instanceof Error) &&
      !(ssh2.utils.parseKey(pair.public) instanceof Error);
    if (readable) return pair;
    if (attempt >= 64) throw new Error('ssh2 wrote 64 ed25519 key pairs in a row that it cannot read back');
  }
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` and OpenSSH's prompts print it. */
export function hostKeyFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}
