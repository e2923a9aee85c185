import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { Pipeline, type PipelineOptions } from '../../src/messages/pipeline.js';
import { OdooClientPool } from '../../src/odoo/odoo-client-pool.js';
import { OdooDocumentDeliverer } from '../../src/odoo/odoo-document-deliverer.js';
import { sampleFreightInvoice } from '../../src/odoo/simulator/sample-documents.js';
import {
  startOdooSimulator,
  type OdooSimulatorOptions,
  type RunningOdooSimulator,
} from '../../src/odoo/simulator/odoo-simulator.js';
import type { TenantDefinition } from '../../src/tenancy/tenant-definition.js';
import { loadTenants } from '../../src/tenancy/tenant-loader.js';
import { TenantRegistry } from '../../src/tenancy/tenant-registry.js';
import { syncTenants } from '../../src/tenancy/tenant-sync.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** The demo tenants pointed at a simulator, every flow real time, retries fast enough for a test. */
export function tenantsForSimulator(
  tenants: readonly TenantDefinition[],
  simulatorUrl: string,
): TenantDefinition[] {
  return tenants.map((tenant) => ({
    ...tenant,
    odoo: Object.fromEntries(
      Object.entries(tenant.odoo).map(([which, connection]) => [
        which,
        { ...connection, url: simulatorUrl, timeoutMs: 3000 },
      ]),
    ),
    syncModes: Object.fromEntries(
      Object.keys(tenant.syncModes).map((flow) => [flow, 'realtime']),
    ) as TenantDefinition['syncModes'],
    pipeline: {
      ...tenant.pipeline,
      retry: { default: { maxAttempts: 40, initialDelaySeconds: 1, maxDelaySeconds: 2 } },
    },
  }));
}

export interface PipelineHarness {
  readonly database: TestDatabase;
  readonly dataSource: DataSource;
  readonly simulator: RunningOdooSimulator;
  readonly tenants: TenantDefinition[];
  readonly registry: TenantRegistry;
  startPipeline(options?: PipelineOptions): Promise<Pipeline>;
  close(): Promise<void>;
}

export interface PipelineHarnessOptions {
  /** Tenant files to load instead of the demo tenants (`tenants/`, demo included). */
  readonly tenantsDir?: string;
  /** Variables their `${ENV}` references name. */
  readonly env?: Readonly<Record<string, string>>;
  /** E.g. `serverVersion: '16.0'` for an Odoo 16. */
  readonly simulator?: OdooSimulatorOptions;
}

export async function startPipelineHarness(
  label: string,
  options: PipelineHarnessOptions = {},
): Promise<PipelineHarness> {
  const database = await createTestDatabase(label);
  const dataSource = createDataSource(database.url);
  await dataSource.initialize();
  await dataSource.runMigrations();
  const simulator = await startOdooSimulator({ port: 0, host: '127.0.0.1', ...options.simulator });
  const demo = await loadTenants(options.tenantsDir ?? path.resolve('tenants'), {
    env: options.env ?? {},
    includeDemo: options.tenantsDir === undefined,
  });
  await syncTenants(dataSource, demo);
  const tenants = tenantsForSimulator(demo, simulator.url);
  const registry = new TenantRegistry(tenants);
  const started: { pipeline: Pipeline; clients: OdooClientPool }[] = [];
  return {
    database,
    dataSource,
    simulator,
    tenants,
    registry,
    startPipeline: async (options = {}) => {
      const clients = new OdooClientPool(registry);
      const deliverer = new OdooDocumentDeliverer(clients);
      const pipeline = new Pipeline(dataSource, database.url, registry, deliverer, {
        concurrency: 8,
        perTenantConcurrency: 8,
        ...options,
        workers: options.workers ?? true,
      });
      await pipeline.start();
      started.push({ pipeline, clients });
      return pipeline;
    },
    close: async () => {
      for (const { pipeline, clients } of started) {
        await pipeline.stop().catch(() => undefined);
        await clients.close();
      }
      await simulator.stop();
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** A canonical freight invoice from the demo carrier, billed by SCAC ABCD (a carrier the simulator knows). */
export const freightInvoice = sampleFreightInvoice;

/** Polls until `check` holds (or fails with what it last saw). */
export async function eventually<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!check(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await probe();
  }
  return last;
}

export async function stateCounts(dataSource: DataSource, tenantId: string): Promise<Record<string, number>> {
  const rows = (await dataSource.query(
    `SELECT state, count(*)::int AS n FROM messages WHERE tenant_id = $1 AND direction = 'inbound' GROUP BY state`,
    [tenantId],
  )) as { state: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
