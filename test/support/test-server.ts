import type { AppDependencies } from '../../src/app.module.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestServer extends RunningServer {
  readonly testDatabase: TestDatabase;
  close(): Promise<void>;
}

/** Crossdock on a random port against a fresh database, with the demo tenants. */
export async function startTestServer(
  options: { env?: Record<string, string>; extraModules?: AppDependencies['extraModules'] } = {},
): Promise<TestServer> {
  const testDatabase = await createTestDatabase('e2e');
  const server = await startServer({
    env: {
      DATABASE_URL: testDatabase.url,
      CROSSDOCK_DEMO: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
    },
    ...(options.extraModules ? { extraModules: options.extraModules } : {}),
  });
  return {
    ...server,
    testDatabase,
    stop: server.stop,
    close: async () => {
      await server.stop();
      await testDatabase.drop();
    },
  };
}
