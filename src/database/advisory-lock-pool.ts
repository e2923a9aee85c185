/**
 * PostgreSQL session advisory locks held on a small pool of their own connections.
 *
 * A lock guards work that does not touch the database at all (a read-add-write on an Odoo record,
 * seconds to minutes when Odoo is slow), yet it lives as long as one connection does. Taken on
 * the main pool, every section held would be a connection the REST API and the pipeline's own
 * transactions wait for: ten sections stalled on a slow Odoo and the gateway stops. Here sections
 * hold only lock connections; when all are taken, a section waits a bounded time and then fails
 * with `LockUnavailableError` (the caller retries later), never the main pool.
 *
 * Why session locks on a connection rather than a lease row with an expiry (the way
 * odoo-create-lease.ts guards a create): a connection's locks go when it does, so a crashed or
 * killed process releases them at once, and no expiry has to outguess how long a section may run
 * (too short and two sections interleave, too long and a crash blocks the picking). Session locks,
 * not a transaction's: nothing stays idle in a transaction for the length of an Odoo call.
 */
import pg from 'pg';
import type { DataSource } from 'typeorm';

export interface AdvisoryLockPoolOptions {
  /** Connections for locks (default 4): at most this many sections of this process hold locks at once. */
  readonly size?: number;
  /** How long a section waits for a free lock connection before it fails (default 30 s). */
  readonly acquireTimeoutMs?: number;
  /** How long a section waits for a lock another process holds (default 120 s). */
  readonly lockTimeoutMs?: number;
  /** `application_name` of the lock connections, to tell them apart in `pg_stat_activity`. */
  readonly applicationName?: string;
}

export const DEFAULT_LOCK_POOL_SIZE = 4;
export const DEFAULT_LOCK_ACQUIRE_TIMEOUT_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 120_000;

/** No lock connection came free in time, or the lock itself was not granted in time: retry later. */
export class LockUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockUnavailableError';
  }
}

/** One section's connection: released once, by the section or by a forced close, whichever is first. */
interface Lease {
  readonly client: pg.PoolClient;
  released: boolean;
}

/** How the pool reaches the server: the same server, database and credentials as the main pool. */
export function lockPoolConnection(dataSource: DataSource): pg.PoolConfig {
  const options = dataSource.options as unknown as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: pg.PoolConfig['password'];
    database?: string;
    ssl?: pg.PoolConfig['ssl'];
    extra?: { application_name?: string };
  };
  return {
    ...(options.url ? { connectionString: options.url } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.username ? { user: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.database ? { database: options.database } : {}),
    ...(options.ssl ? { ssl: options.ssl } : {}),
    application_name: `${options.extra?.application_name ?? 'crossdock'}-locks`,
  };
}

export class AdvisoryLockPool {
  readonly size: number;
  private readonly pool: pg.Pool;
  private readonly acquireTimeoutMs: number;
  private readonly leases = new Set<Lease>();
  private closing: Promise<void> | undefined;

  constructor(connection: pg.PoolConfig, options: AdvisoryLockPoolOptions = {}) {
    this.size = options.size ?? DEFAULT_LOCK_POOL_SIZE;
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? DEFAULT_LOCK_ACQUIRE_TIMEOUT_MS;
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.pool = new pg.Pool({
      ...connection,
      ...(options.applicationName ? { application_name: options.applicationName } : {}),
      max: this.size,
      // Bounds the wait in the pool's queue as well as the connect itself.
      connectionTimeoutMillis: this.acquireTimeoutMs,
      idleTimeoutMillis: 30_000,
      options: `-c lock_timeout=${lockTimeoutMs}`,
    });
    // A server-side idle timeout would end a session, and its locks, while its section still runs
    // (idle_session_timeout exists from PostgreSQL 14 on). Queued ahead of the section's first query.
    this.pool.on('connect', (client) => {
      client
        .query(
          `SELECT set_config('idle_session_timeout', '0', false) WHERE current_setting('server_version_num')::int >= 140000`,
        )
        .catch(() => undefined);
    });
    // An idle lock connection that breaks (a database restart) is dropped; the next section opens another.
    this.pool.on('error', () => undefined);
  }

  static forDataSource(dataSource: DataSource, options: AdvisoryLockPoolOptions = {}): AdvisoryLockPool {
    return new AdvisoryLockPool(lockPoolConnection(dataSource), options);
  }

  /** Lock connections in use now (sections holding or waiting for their locks). */
  get inUse(): number {
    return this.leases.size;
  }

  /**
   * Runs `work` holding an exclusive advisory lock on each key (taken in one order, so two sections
   * wanting the same keys cannot wait on each other), and releases them however `work` ends.
   * Rejects with `LockUnavailableError` when the locks could not be had in time; with `work`'s own
   * error when it fails.
   */
  async withLocks<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      for (const key of [...new Set(keys)].sort()) {
        try {
          await lease.client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
        } catch (error) {
          throw new LockUnavailableError(`the lock on ${key} was not granted: ${messageOf(error)}`, {
            cause: error,
          });
        }
      }
      return await work();
    } finally {
      await this.release(lease);
    }
  }

  /**
   * Stops handing out lock connections and closes each once its section ends. Resolves when they
   * are all closed, or after `graceMs` when sections are still running (a stalled Odoo must not hold
   * up a shutdown). Such a section keeps its connection, and its locks, until it ends or the process
   * exits: closing its session under it would let another node take the lock while this section
   * still writes its read-add-write back to Odoo, the lost update the lock exists to prevent.
   */
  close(graceMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      const ended = this.pool.end().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      });
      await Promise.race([ended, grace]);
      clearTimeout(timer);
    })();
    return this.closing;
  }

  private async acquire(): Promise<Lease> {
    if (this.closing) throw new LockUnavailableError('the lock pool is closed (shutting down)');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new LockUnavailableError(
        `no lock connection within ${this.acquireTimeoutMs} ms (${this.leases.size} of ${this.size} held by other sections): ${messageOf(error)}`,
        { cause: error },
      );
    }
    const lease: Lease = { client, released: false };
    // The pool stops listening while a connection is checked out: a break mid-section must not crash the process.
    client.on('error', onLeaseError);
    this.leases.add(lease);
    return lease;
  }

  private async release(lease: Lease): Promise<void> {
    if (lease.released) return;
    try {
      await lease.client.query('SELECT pg_advisory_unlock_all()');
    } catch (error) {
      // Unlocking failed: closing the session releases whatever it held.
      this.drop(lease, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (lease.released) return;
    lease.released = true;
    this.leases.delete(lease);
    lease.client.removeListener('error', onLeaseError);
    lease.client.release();
  }

  /** Ends the lease's session (its locks go with it) and takes the connection out of the pool. */
  private drop(lease: Lease, reason: Error): void {
    if (lease.released) return;
    lease.released = true;
    this.leases.delete(lease);
    lease.client.release(reason);
    lease.client.removeListener('error', onLeaseError);
  }
}

function onLeaseError(): void {
  // The section's unlock then fails too and the connection is dropped; the server has released its locks.
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
