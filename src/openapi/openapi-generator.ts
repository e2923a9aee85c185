import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config.js';
import { createHttpApp } from '../http-app.js';
import { Pipeline } from '../messages/pipeline.js';
import { Metrics } from '../ops/metrics.js';
import { OdooClientPool } from '../odoo/odoo-client-pool.js';
import { OutgoingShipmentSync } from '../odoo/outgoing-shipment-sync.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { buildOpenApiDocument, openApiYaml } from './openapi-document.js';

/**
 * The contract depends only on the code: the app is built with an unconnected database and no
 * tenants, and never listens.
 */
export async function generateOpenApiYaml(): Promise<string> {
  const config = { ...loadConfig({}), logLevel: 'silent' as const };
  const dataSource = new DataSource({ type: 'postgres', url: 'postgres://unused@127.0.0.1:1/unused' });
  const tenants = new TenantRegistry([]);
  const unreachable = { deliver: () => Promise.reject(new Error('the contract generator delivers nothing')) };
  const pipeline = new Pipeline(dataSource, 'postgres://unused@127.0.0.1:1/unused', tenants, unreachable, {
    workers: false,
  });
  const app = await createHttpApp({
    config,
    dataSource,
    tenants,
    metrics: new Metrics(),
    pipeline,
    outgoingShipments: new OutgoingShipmentSync(
      dataSource,
      tenants,
      new OdooClientPool(tenants),
      async () => 'skipped',
    ),
  });
  try {
    return openApiYaml(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}
