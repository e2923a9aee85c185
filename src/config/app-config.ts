import { isIP } from 'node:net';
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Every setting Crossdock reads from the environment, typed and checked once at boot. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** Absent: start the embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** Prefix of every rate-limit key in Redis: nodes sharing one limit must share it. */
  readonly redisKeyPrefix: string;
  readonly logLevel: LogLevel;
  readonly dataDir: string;
  readonly tenantsDir: string;
  readonly demoMode: boolean;
  /** Largest JSON body accepted by the REST API, in bytes. */
  readonly bodyLimitBytes: number;
  /** Largest raw EDI body (X12/EDIFACT over HTTPS, AS2), in bytes. */
  readonly ediBodyLimitBytes: number;
  readonly publicBaseUrl: string;
  /**
   * The peers whose `X-Forwarded-For` is believed (`TRUST_PROXY`): the client address of the
   * login lockout, the audit log and the logs. Fastify's form: false, true, or "loopback,10.0.0.0/8".
   */
  readonly trustProxy: boolean | string;
  readonly shutdownTimeoutMs: number;
  /** Demo mode only: `auto` runs the Odoo simulator in-process and points the demo tenants at it. */
  readonly odooSimulator: 'auto' | 'off';
  /** Lifetime of the access tokens Crossdock issues, in seconds. */
  readonly accessTokenTtlSeconds: number;
  /** How long a client/partner activity lookup is cached: the longest a revocation takes to bite. */
  readonly authStatusCacheSeconds: number;
  /** Buffered audit entries above which a read waits for its entry to commit (backpressure). */
  readonly auditBufferHighWater: number;
  /** The SFTP mailbox listener's port (`SFTP_PORT`, default 2222; 0: a random free port). */
  readonly sftpPort: number;
  /** Private host key of the SFTP listener; generated once when absent. */
  readonly sftpHostKeyPath: string;
  /** Encrypts signing private keys at rest; absent here means demo mode generates one (see key-encryption-key.ts). */
  readonly keyEncryptionKey: KeyEncryptionKey | undefined;
  /** The sweep that queues messages left in `received` for translation again (recover-waiting-messages.ts). */
  readonly recovery: RecoveryConfig;
}

export interface RecoveryConfig {
  /** How often each working process sweeps (`RECOVERY_SWEEP_SECONDS`, default 30). */
  readonly sweepIntervalSeconds: number;
  /** Wait after a message's last attempt before its first retranslation (`RECOVERY_BACKOFF_MIN_SECONDS`, 60). */
  readonly initialDelaySeconds: number;
  /** The doubling wait stops here (`RECOVERY_BACKOFF_MAX_SECONDS`, 3600; at least the initial wait). */
  readonly maxDelaySeconds: number;
}

/**
 * 32 bytes for AES-256-GCM. Held in a private field and serialized as `[redacted]`, so that
 * logging a config object can never print it.
 */
export class KeyEncryptionKey {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    if (bytes.length !== 32) throw new Error('a key encryption key has exactly 32 bytes');
    this.#bytes = Buffer.from(bytes);
  }

  bytes(): Buffer {
    return this.#bytes;
  }

  toJSON(): string {
    return '[redacted]';
  }
}

/** 64 hex characters or base64/base64url of 32 bytes. */
export function parseKeyEncryptionKey(raw: string): KeyEncryptionKey | undefined {
  const text = raw.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text, 'base64url')
      : undefined;
  return bytes?.length === 32 ? new KeyEncryptionKey(bytes) : undefined;
}

/** A setting that is missing or malformed; its message is the one line the operator sees. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(
      actual === undefined
        ? `${variable} is required: expected ${expected}`
        : `${variable}=${JSON.stringify(actual)} is invalid: expected ${expected}`,
    );
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  return value;
}

/** Sizes such as `1048576`, `512kb`, `10mb`. */
function readSize(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  const unit = match ? SIZE_UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new ConfigError(name, 'a size such as 1048576, 512kb or 10mb', raw);
  const value = Number(match[1]) * unit;
  if (value < 1024) throw new ConfigError(name, 'a size of at least 1kb', raw);
  return value;
}

const PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `TRUST_PROXY`: the loopback by default (a reverse proxy on the same host). Believing every
 * peer let any client name its own address: a fresh login lockout per forged address, and a
 * forged source in the audit log.
 */
function readTrustProxy(env: Env): boolean | string {
  const raw = env['TRUST_PROXY']?.trim().toLowerCase();
  if (raw === undefined || raw === '') return 'loopback';
  if (raw === 'none' || raw === 'false') return false;
  if (raw === 'all' || raw === 'true') return true;
  const items = raw.split(',').map((item) => item.trim());
  const valid = items.every((item) => {
    if (PROXY_PRESETS.includes(item)) return true;
    const [address, prefix, extra] = item.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return false;
    return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  });
  if (!valid) {
    throw new ConfigError(
      'TRUST_PROXY',
      'none, all, or a comma-separated list of loopback, linklocal, uniquelocal, IP addresses and CIDR ranges',
      env['TRUST_PROXY'],
    );
  }
  return items.join(',');
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw))
    throw new ConfigError(name, `one of ${choices.join(', ')}`, raw);
  return raw as T;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const normalized = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
  if (['0', 'false', 'no', 'off'].includes(normalized)) return false;
  throw new ConfigError(name, 'one of 1, 0, true, false, yes, no', raw);
}

function readUrl(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(name, `a URL starting with ${protocols.join(' or ')}`, redactUrl(raw));
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `a URL starting with ${protocols.join(' or ')}`, redactUrl(raw));
  }
  return raw.trim();
}

/** Never echo a password from a connection string into a log line. */
export function redactUrl(raw: string): string {
  return raw.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

function readKeyEncryptionKey(env: Env): KeyEncryptionKey | undefined {
  const raw = env.CROSSDOCK_KEY_ENCRYPTION_KEY;
  if (raw === undefined || raw.trim() === '') return undefined;
  const key = parseKeyEncryptionKey(raw);
  // Never echo the value: a near-miss is still most of a secret.
  if (!key)
    throw new ConfigError(
      'CROSSDOCK_KEY_ENCRYPTION_KEY',
      '32 bytes as 64 hex characters or base64',
      '[hidden]',
    );
  return key;
}

function readRecovery(env: Env): RecoveryConfig {
  const day = 86_400;
  const initialDelaySeconds = readInteger(env, 'RECOVERY_BACKOFF_MIN_SECONDS', 60, 1, day);
  return {
    sweepIntervalSeconds: readInteger(env, 'RECOVERY_SWEEP_SECONDS', 30, 1, 3600),
    initialDelaySeconds,
    // The default cap follows a larger initial wait rather than refusing it.
    maxDelaySeconds: readInteger(
      env,
      'RECOVERY_BACKOFF_MAX_SECONDS',
      Math.max(3600, initialDelaySeconds),
      initialDelaySeconds,
      7 * day,
    ),
  };
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, env.LOG_LEVEL);
  }
  const databaseUrl = readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const port = readInteger(env, 'PORT', 3000, 0, 65535);
  const host = (env.HOST ?? '0.0.0.0').trim();
  const dataDir = path.resolve(cwd, env.CROSSDOCK_DATA_DIR?.trim() || '.data');
  const tenantsDir = path.resolve(cwd, env.CROSSDOCK_TENANTS_DIR?.trim() || 'tenants');
  const demoRequested = readBoolean(env, 'CROSSDOCK_DEMO', false);
  const demoMode = databaseUrl === undefined || demoRequested;
  const publicBaseUrl = readUrl(env, 'PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  return {
    port,
    host,
    databaseUrl,
    redisUrl: readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || 'crossdock:rl',
    logLevel: logLevel as LogLevel,
    dataDir,
    tenantsDir,
    demoMode,
    bodyLimitBytes: readSize(env, 'BODY_LIMIT', 1024 ** 2),
    ediBodyLimitBytes: readSize(env, 'EDI_BODY_LIMIT', 50 * 1024 ** 2),
    publicBaseUrl: publicBaseUrl.replace(/\/+$/, ''),
    trustProxy: readTrustProxy(env),
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    odooSimulator: readChoice(env, 'ODOO_SIMULATOR', ['auto', 'off'] as const, 'auto'),
    accessTokenTtlSeconds: readInteger(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 60, 86_400),
    authStatusCacheSeconds: readInteger(env, 'AUTH_STATUS_CACHE_SECONDS', 60, 0, 60),
    auditBufferHighWater: readInteger(env, 'AUDIT_BUFFER_HIGH_WATER', 10_000, 1, 1_000_000),
    // With PORT=0 (tests, several servers at once) the SFTP listener takes a random port too.
    sftpPort: readInteger(env, 'SFTP_PORT', port === 0 ? 0 : 2222, 0, 65535),
    sftpHostKeyPath: path.resolve(
      cwd,
      env.SFTP_HOST_KEY_PATH?.trim() || path.join(dataDir, 'sftp_host_ed25519_key'),
    ),
    keyEncryptionKey: readKeyEncryptionKey(env),
    recovery: readRecovery(env),
  };
}
