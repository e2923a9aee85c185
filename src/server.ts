import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino, type Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from './config/app-config.js';
import { resolveKeyEncryptionKey } from './auth/key-encryption-key.js';
import { ensureActiveSigningKey } from './auth/signing-keys.js';
import { createDataSource } from './database/data-source.js';
import { openDatabase, type DatabaseConnection } from './database/database-connection.js';
import { createHttpApp } from './http-app.js';
import { Pipeline, recoveryOptions } from './messages/pipeline.js';
import { OdooClientPool } from './odoo/odoo-client-pool.js';
import { OdooDocumentDeliverer } from './odoo/odoo-document-deliverer.js';
import { OutgoingShipmentSync } from './odoo/outgoing-shipment-sync.js';
import { startDemoSimulator } from './odoo/simulator/demo-simulator.js';
import type { RunningOdooSimulator } from './odoo/simulator/odoo-simulator.js';
import { Metrics } from './ops/metrics.js';
import { REDACTED_PATHS } from './ops/logger-options.js';
import { loadTenants } from './tenancy/tenant-loader.js';
import { TenantRegistry } from './tenancy/tenant-registry.js';
import { syncTenants } from './tenancy/tenant-sync.js';
import { withRegistryAudit } from './audit/registry-change-audit.js';
import { AuditLog } from './audit/audit-log.js';
import { SftpPoller } from './channels/sftp/sftp-poller.js';
import { SftpServer } from './channels/sftp/sftp-server.js';
import { LoginThrottle } from './rate-limit/login-throttle.js';
import type { TenantDefinition } from './tenancy/tenant-definition.js';
import type { AppDependencies } from './app.module.js';

export interface RunningServer {
  readonly app: NestFastifyApplication;
  readonly pipeline: Pipeline;
  /** Demo mode: the in-process Odoo simulator the demo tenants deliver to. */
  readonly simulator: RunningOdooSimulator | undefined;
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly database: DatabaseConnection;
  readonly url: string;
  /** The port the SFTP mailbox listener is bound to. */
  readonly sftpPort: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly logger?: Logger;
  readonly extraModules?: AppDependencies['extraModules'];
}

export function bootLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

/** Migrations first, then the tenant files into the registry: both before the first request. */
export async function prepareDatabase(
  dataSource: DataSource,
  tenants: readonly TenantDefinition[],
  log: Logger,
): Promise<void> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  if (applied.length > 0)
    log.info({ migrations: applied.map((m) => m.name) }, `applied ${applied.length} migration(s)`);
  const summary = await withRegistryAudit(dataSource, 'boot', () => syncTenants(dataSource, tenants));
  log.info({ summary }, `tenant registry synced: ${tenants.map((t) => t.id).join(', ') || 'no tenants'}`);
}

/**
 * Boots Crossdock: configuration, tenant files, database (embedded or `DATABASE_URL`),
 * migrations, tenant sync, HTTP. Throws `ConfigError` / `TenantFileError` for the caller to print.
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const loaded = loadConfig(env, options.cwd);
  const log = options.logger ?? bootLogger(loaded.logLevel);
  const tenants = await loadTenants(loaded.tenantsDir, {
    env,
    includeDemo: loaded.demoMode,
    cwd: options.cwd,
  });
  // Before the database: outside demo mode a missing key encryption key must stop the boot at once.
  const config: AppConfig = {
    ...loaded,
    keyEncryptionKey: await resolveKeyEncryptionKey(loaded, (line) => log.warn(line)),
  };
  if (config.demoMode) {
    log.warn(
      '*** DEMO MODE: demo tenants "demo" and "demo-b" are loaded with well-known demo credentials ' +
        '(<client id>-secret). Never expose this instance to a network you do not control. ***',
    );
  }
  const database = await openDatabase(config, (line) => log.warn(line));
  const dataSource = createDataSource(database.url);
  let pipeline: Pipeline | undefined;
  let odooClients: OdooClientPool | undefined;
  let outgoing: OutgoingShipmentSync | undefined;
  let simulator: RunningOdooSimulator | undefined;
  let sftp: SftpServer | undefined;
  let sftpPort = 0;
  let sftpPoller: SftpPoller | undefined;
  const cleanup = async (): Promise<void> => {
    await sftpPoller?.stop();
    await sftp?.stop();
    outgoing?.stop();
    await pipeline?.stop();
    await odooClients?.close();
    await simulator?.stop();
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.embedded?.stop();
  };
  let app: NestFastifyApplication;
  try {
    await dataSource.initialize();
    await prepareDatabase(dataSource, tenants, log);
    const signingKey = await ensureActiveSigningKey(dataSource, config.keyEncryptionKey!);
    if (signingKey.created) log.info(`created the first access-token signing key ${signingKey.kid}`);
    let runtimeTenants = tenants;
    if (config.demoMode && config.odooSimulator === 'auto') {
      const demo = await startDemoSimulator(tenants);
      simulator = demo.simulator;
      runtimeTenants = demo.tenants;
      log.info(`demo Odoo simulator listening on ${simulator.url}; the demo tenants deliver to it`);
    }
    const registry = new TenantRegistry(runtimeTenants);
    odooClients = new OdooClientPool(registry);
    const running = new Pipeline(dataSource, database.url, registry, new OdooDocumentDeliverer(odooClients), {
      log: (message, error) => log.error({ err: error }, message),
      recovery: recoveryOptions(config.recovery),
    });
    pipeline = running;
    await running.start();
    outgoing = new OutgoingShipmentSync(
      dataSource,
      registry,
      odooClients,
      async (tenantId, partnerId, document, dedupeKey) =>
        (await running.publish.run(tenantId, partnerId, document, { dedupeKey })).published
          ? 'published'
          : 'skipped',
      (message, error) => log.warn({ err: error }, message),
    );
    outgoing.start();
    app = await createHttpApp({
      config,
      dataSource,
      tenants: registry,
      metrics: new Metrics(),
      pipeline: running,
      outgoingShipments: outgoing,
      ...(options.extraModules ? { extraModules: options.extraModules } : {}),
    });
    await app.listen({ port: config.port, host: config.host });
    const audit = app.get(AuditLog, { strict: false });
    sftp = new SftpServer({
      registry,
      store: running.store,
      audit: (event) => audit.enqueue(event),
      throttle: app.get(LoginThrottle, { strict: false }),
      hostKeyPath: config.sftpHostKeyPath,
      dataDir: config.dataDir,
      maxFileBytes: config.ediBodyLimitBytes,
      log: {
        info: (message) => log.info(message),
        warn: (message) => log.warn(message),
        error: (message, error) => log.error({ err: error }, message),
      },
    });
    sftpPort = await sftp.start(config.sftpPort, config.host);
    sftpPoller = new SftpPoller({
      registry,
      dataSource,
      store: running.store,
      audit: (event) => audit.enqueue(event),
      maxFileBytes: config.ediBodyLimitBytes,
      log: {
        warn: (message, error) => log.warn({ err: error }, message),
        error: (message, error) => log.error({ err: error }, message),
      },
    });
    sftpPoller.start();
  } catch (error) {
    await cleanup().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  log.info(`Crossdock listening on ${url} (docs at ${url}/docs) using ${database.description}`);
  let stopping: Promise<void> | undefined;
  return {
    app,
    pipeline: pipeline!,
    simulator,
    config,
    dataSource,
    database,
    url,
    sftpPort,
    stop: () => {
      stopping ??= (async () => {
        await app.close();
        await cleanup();
      })();
      return stopping;
    },
  };
}
