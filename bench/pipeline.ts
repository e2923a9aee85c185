/**
 * End-to-end pipeline throughput: canonical documents from `receive` (the durable write every
 * channel does) to `delivered` in the Odoo simulator, with 1 and then 2 Crossdock processes on one
 * PostgreSQL. The baseline, measured in the same run, is the connector alone: the same documents
 * delivered straight to the simulator with the same concurrency, no queue, no database.
 *
 *   npm run build && node dist/bench/pipeline.js [documents=1000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createBenchDatabase } from './support/bench-database.js';
import type { CanonicalDocument } from '../src/canonical/canonical-validator.js';
import { createDataSource } from '../src/database/data-source.js';
import { Pipeline } from '../src/messages/pipeline.js';
import { createOdooClient } from '../src/odoo/odoo-client-factory.js';
import { deliverToOdoo } from '../src/odoo/deliver-to-odoo.js';
import { startOdooSimulator } from '../src/odoo/simulator/odoo-simulator.js';
import { sampleFreightInvoice } from '../src/odoo/simulator/sample-documents.js';
import { simulatedTenantsDir } from '../src/odoo/simulator/simulated-tenants-dir.js';
import { loadTenants } from '../src/tenancy/tenant-loader.js';
import { TenantRegistry } from '../src/tenancy/tenant-registry.js';
import { syncTenants } from '../src/tenancy/tenant-sync.js';

const DOCUMENTS = Number(process.argv[2] ?? 1000);
const CONCURRENCY = 8;

function startNode(databaseUrl: string, tenantsDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['dist/src/main.js'], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        CROSSDOCK_DEMO: '1',
        CROSSDOCK_TENANTS_DIR: tenantsDir,
        ODOO_SIMULATOR: 'off',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Crossdock listening on/.test(output)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code} before listening:\n${output}`)));
  });
}

async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function measure(label: string, processes: number, tenantsDir: string): Promise<number> {
  const benchDatabase = await createBenchDatabase('pipeline');
  const databaseUrl = benchDatabase.url;
  const dataSource = createDataSource(databaseUrl);
  const nodes: ChildProcess[] = [];
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    const tenants = await loadTenants(tenantsDir, { includeDemo: true, env: {} });
    await syncTenants(dataSource, tenants);
    for (let i = 0; i < processes; i += 1) nodes.push(await startNode(databaseUrl, tenantsDir));
    const idle = { deliver: () => Promise.reject(new Error('the bench only enqueues')) };
    const pipeline = new Pipeline(dataSource, databaseUrl, new TenantRegistry(tenants), idle, {
      workers: false,
    });
    await pipeline.start();
    const started = performance.now();
    const writers = Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = w; i < DOCUMENTS; i += CONCURRENCY) {
        await pipeline.store.receive({
          tenantId: 'demo',
          partnerId: 'demo-carrier',
          channel: 'rest',
          payload: Buffer.from(JSON.stringify(sampleFreightInvoice('demo', `${label}-${i}`))),
          environment: 'production',
        });
      }
    });
    await Promise.all(writers);
    for (;;) {
      const [row] = (await dataSource.query(
        `SELECT count(*) FILTER (WHERE state = 'delivered')::int AS done, count(*) FILTER (WHERE state = 'dead_lettered')::int AS dead
           FROM messages WHERE direction = 'inbound'`,
      )) as { done: number; dead: number }[];
      if (row!.dead > 0) throw new Error(`${row!.dead} documents dead-lettered`);
      if (row!.done >= DOCUMENTS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    await pipeline.stop();
    return DOCUMENTS / seconds;
  } finally {
    for (const node of nodes) await stopNode(node);
    if (dataSource.isInitialized) await dataSource.destroy();
    await benchDatabase.drop();
  }
}

async function connectorBaseline(simulatorUrl: string): Promise<number> {
  const [tenant] = (await loadTenants('tenants', { includeDemo: true, env: {} })).filter(
    (t) => t.id === 'demo',
  );
  const client = createOdooClient(
    { ...tenant!.odoo.production!, url: simulatorUrl },
    { maxConcurrency: CONCURRENCY },
  );
  const started = performance.now();
  const lanes = Array.from({ length: CONCURRENCY }, async (_, w) => {
    for (let i = w; i < DOCUMENTS; i += CONCURRENCY) {
      await deliverToOdoo(
        client,
        'demo',
        sampleFreightInvoice('demo', `BASE-${i}`) as unknown as CanonicalDocument,
      );
    }
  });
  await Promise.all(lanes);
  const rate = DOCUMENTS / ((performance.now() - started) / 1000);
  await client.close();
  return rate;
}

const simulator = await startOdooSimulator({ port: 0, host: '127.0.0.1' });
const tenantsDir = await simulatedTenantsDir(simulator.url);
try {
  const baseline = await connectorBaseline(simulator.url);
  simulator.reset();
  const one = await measure('ONE', 1, tenantsDir);
  simulator.reset();
  const two = await measure('TWO', 2, tenantsDir);
  const f = (n: number): string => n.toFixed(1).padStart(8);
  console.log(
    `pipeline bench: ${DOCUMENTS} canonical freight invoices, receive → delivered in the Odoo simulator`,
  );
  console.log(`  connector alone (baseline, ${CONCURRENCY} lanes):      ${f(baseline)} docs/s`);
  console.log(
    `  pipeline, 1 process:                       ${f(one)} docs/s   ratio to baseline ${(one / baseline).toFixed(2)}`,
  );
  console.log(
    `  pipeline, 2 processes:                     ${f(two)} docs/s   ratio to baseline ${(two / baseline).toFixed(2)}`,
  );
  console.log(`  scaling 2 processes / 1 process:           ${(two / one).toFixed(2)}×`);
} finally {
  await simulator.stop();
  await rm(tenantsDir, { recursive: true, force: true });
}
