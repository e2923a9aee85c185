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
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'crossdock sftp host key' });
  try {
    await writeFile(file, pair.private, { flag: 'wx', mode: 0o600 });
    await writeFile(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 }).catch(() => undefined);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFile(file);
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` and OpenSSH's prompts print it. */
export function hostKeyFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}
