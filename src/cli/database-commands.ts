import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config.js';
import { createDataSource } from '../database/data-source.js';
import { embeddedDatabaseUrl, findRunningEmbeddedDatabase } from '../database/embedded-database.js';
import { openDatabase } from '../database/database-connection.js';
import { loadTenants } from '../tenancy/tenant-loader.js';
import { syncTenants } from '../tenancy/tenant-sync.js';
import { withRegistryAudit } from '../audit/registry-change-audit.js';
import { formatProblem, TenantFileError } from '../tenancy/tenant-file-error.js';
import { exitWithFatalError } from './fatal-error.js';

/**
 * Runs `work` against the configured database: `DATABASE_URL`, else the embedded cluster of a
 * running Crossdock that uses the same data dir, else the embedded cluster started just for this.
 */
export async function withDatabase<T>(work: (dataSource: DataSource, url: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const running = await findRunningEmbeddedDatabase(config.dataDir);
    if (running) {
      url = embeddedDatabaseUrl(running);
    } else {
      const connection = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
      url = connection.url;
      stopEmbedded = () => connection.embedded?.stop() ?? Promise.resolve();
    }
  }
  const dataSource = createDataSource(url, { poolSize: 2 });
  try {
    await dataSource.initialize();
    return await work(dataSource, url);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await stopEmbedded?.();
  }
}

export function registerDatabaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--check', 'only report pending migrations; exit 1 when some are pending')
    .action(async (options: { check?: boolean }) => {
      try {
        await withDatabase(async (dataSource) => {
          if (options.check) {
            const pending = await dataSource.showMigrations();
            process.stdout.write(pending ? 'migrations are pending\n' : 'all migrations applied\n');
            process.exitCode = pending ? 1 : 0;
            return;
          }
          const applied = await dataSource.runMigrations({ transaction: 'each' });
          process.stdout.write(
            applied.length === 0
              ? 'all migrations already applied\n'
              : applied.map((m) => `applied ${m.name}\n`).join(''),
          );
        });
      } catch (error) {
        exitWithFatalError(error);
      }
    });

  const tenants = program
    .command('tenants')
    .description('tenant files: check them, write them into the registry');
  tenants
    .command('validate')
    .description('check tenants/*.yaml (and tenants/demo with --demo) without touching the database')
    .option('--demo', 'include the demo tenants')
    .option('--dir <path>', 'tenant files folder (default: CROSSDOCK_TENANTS_DIR or ./tenants)')
    .action(async (options: { demo?: boolean; dir?: string }) => {
      try {
        const config = loadConfig();
        const loaded = await loadTenants(options.dir ?? config.tenantsDir, {
          includeDemo: options.demo ?? config.demoMode,
        });
        for (const tenant of loaded) {
          process.stdout.write(
            `ok ${tenant.sourceFile}: tenant ${tenant.id}, ${tenant.partners.length} partner(s), ${tenant.apiClients.length} API client(s)\n`,
          );
        }
        if (loaded.length === 0) process.stdout.write('no tenant files found\n');
      } catch (error) {
        if (error instanceof TenantFileError) {
          for (const problem of error.problems) process.stderr.write(`${formatProblem(problem)}\n`);
          process.exit(1);
        }
        exitWithFatalError(error);
      }
    });
  tenants
    .command('sync')
    .description(
      'write the tenant files into the database registry (idempotent; removed partners are deactivated)',
    )
    .option('--demo', 'include the demo tenants')
    .action(async (options: { demo?: boolean }) => {
      try {
        const config = loadConfig();
        const loaded = await loadTenants(config.tenantsDir, { includeDemo: options.demo ?? config.demoMode });
        const summary = await withDatabase(async (dataSource) => {
          await dataSource.runMigrations({ transaction: 'each' });
          return withRegistryAudit(dataSource, 'cli', () => syncTenants(dataSource, loaded));
        });
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } catch (error) {
        exitWithFatalError(error);
      }
    });
}
