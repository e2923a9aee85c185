import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ConfigError,
  parseKeyEncryptionKey,
  type AppConfig,
  type KeyEncryptionKey,
} from '../config/app-config.js';

const DEMO_KEY_FILE = 'key-encryption-key';

/**
 * The key that encrypts signing private keys at rest: CROSSDOCK_KEY_ENCRYPTION_KEY, or in demo
 * mode (only there) one generated once and kept in the data dir. Outside demo mode a missing key
 * stops the boot: a server must never invent the key that protects its token signing keys.
 */
export async function resolveKeyEncryptionKey(
  config: AppConfig,
  warn: (line: string) => void,
): Promise<KeyEncryptionKey> {
  if (config.keyEncryptionKey) return config.keyEncryptionKey;
  if (!config.demoMode) {
    throw new ConfigError(
      'CROSSDOCK_KEY_ENCRYPTION_KEY',
      '32 bytes as 64 hex characters or base64 (generate one with `openssl rand -hex 32`)',
      undefined,
    );
  }
  const file = path.join(config.dataDir, DEMO_KEY_FILE);
  await mkdir(config.dataDir, { recursive: true });
  let key = await readDemoKey(file);
  if (!key) {
    try {
      // `wx`: when two processes start at once, the first one's key wins and the other reads it.
      await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    key = await readDemoKey(file);
  }
  if (!key) throw new Error(`${file} does not hold a key encryption key; delete it to generate a new one`);
  warn(
    `demo mode: signing keys are encrypted with a key kept in ${file}; ` +
      'set CROSSDOCK_KEY_ENCRYPTION_KEY outside demo mode',
  );
  return key;
}

async function readDemoKey(file: string): Promise<KeyEncryptionKey | undefined> {
  try {
    return parseKeyEncryptionKey(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
