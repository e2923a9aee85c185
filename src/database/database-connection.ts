import { redactUrl, type AppConfig } from '../config/app-config.js';
import { EmbeddedDatabase, embeddedDatabaseUrl } from './embedded-database.js';

export interface DatabaseConnection {
  readonly url: string;
  /** How to tell the operator where the data lives, without the password. */
  readonly description: string;
  readonly embedded?: EmbeddedDatabase;
}

/** `DATABASE_URL` when set; otherwise a real PostgreSQL started from the embedded package under the data dir. */
export async function openDatabase(
  config: AppConfig,
  log: (line: string) => void,
): Promise<DatabaseConnection> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, description: redactUrl(config.databaseUrl) };
  }
  const embedded = new EmbeddedDatabase(config.dataDir, log);
  const info = await embedded.start();
  return {
    url: embeddedDatabaseUrl(info),
    description: `embedded PostgreSQL on 127.0.0.1:${info.port}, data in ${config.dataDir}`,
    embedded,
  };
}
