import { spawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const CLI = 'bin/crossdock.js';

/** Runs a command to completion with the given environment added to (or removed from) this one. */
export function run(
  command: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: mergedEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A command that exits without reading its input (ssh-keygen, a CLI refusing its arguments) makes
    // this write fail with EPIPE; what the command did is in its exit code and output, not here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

export function mergedEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** A long-running child (a Crossdock server) whose output is collected until it exits. */
export class Background {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(command: string, args: readonly string[], env: Record<string, string | undefined>) {
    this.child = spawn(command, args, { env: mergedEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  /** Waits for a line matching `pattern` in the output; fails if the process exits first. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (exitCode !== undefined)
        throw new Error(`process exited with ${exitCode} before ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${pattern}:\n${this.output}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }
}
