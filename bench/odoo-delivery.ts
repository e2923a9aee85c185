/**
 * Connector bench: canonical documents delivered per second into the Odoo simulator, per transport,
 * first delivery against redelivery (the external-id check alone), in one run. The simulator runs in
 * a child process so it does not share the client's event loop.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/odoo-delivery.js      (from the repository root)
 *
 * BENCH_DOCS (default 300) documents per run, BENCH_CONCURRENCY (default 4, the connector's default
 * cap per tenant connection) deliveries in flight.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { deliverToOdoo } from '../src/odoo/deliver-to-odoo.js';
import type { OdooClient } from '../src/odoo/odoo-client.js';
import { createOdooClient } from '../src/odoo/odoo-client-factory.js';
import { sampleOrder, sampleTrackingEvent } from '../test/support/odoo/canonical-samples.js';

const DOCS = Number(process.env.BENCH_DOCS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SIMULATOR = fileURLToPath(new URL('../src/odoo/simulator/odoo-simulator.js', import.meta.url));

async function startSimulatorChild(): Promise<{ url: string; stop: () => void }> {
  const code = `import { startOdooSimulator } from ${JSON.stringify(SIMULATOR)};
const sim = await startOdooSimulator({ port: 0 });
process.stdout.write(sim.url + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: chunk.toString().trim(), stop: () => child.kill() };
}

async function pool<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return items.length / ((performance.now() - started) / 1000);
}

async function run(protocol: 'jsonrpc' | 'json2'): Promise<Record<string, number>> {
  const sim = await startSimulatorChild();
  const client: OdooClient = createOdooClient(
    {
      url: sim.url,
      database: 'demo',
      login: 'crossdock-bot',
      apiKeyRef: '',
      apiKey: 'demo-odoo-key',
      protocol,
    },
    { maxConcurrency: CONCURRENCY },
  );
  try {
    const orders = Array.from({ length: DOCS }, (_, i) =>
      sampleOrder({ id: `bench-${i}`, orderNumber: `BENCH-${i}` }),
    );
    const events = Array.from({ length: DOCS }, (_, i) =>
      sampleTrackingEvent({
        id: `bench-214-${i}`,
        occurredAt: new Date(Date.UTC(2026, 10, 28, 0, 0, i)).toISOString(),
        shipmentRef: { purchaseOrderNumbers: ['PO778899'] },
      }),
    );
    return {
      ordersCreatedPerSec: await pool(orders, (d) => deliverToOdoo(client, 'demo', d)),
      ordersRedeliveredPerSec: await pool(orders, (d) => deliverToOdoo(client, 'demo', d)),
      trackingNotesPerSec: await pool(events, (d) => deliverToOdoo(client, 'demo', d)),
    };
  } finally {
    await client.close();
    sim.stop();
  }
}

const jsonrpc = await run('jsonrpc');
const json2 = await run('json2');
const rows = Object.keys(jsonrpc).map((k) => ({
  measure: k,
  jsonrpc: Math.round(jsonrpc[k]!),
  json2: Math.round(json2[k]!),
  'json2/jsonrpc': Number((json2[k]! / jsonrpc[k]!).toFixed(2)),
}));
console.log(
  `Odoo connector, ${DOCS} documents per measure, ${CONCURRENCY} in flight, simulator in a child process`,
);
console.table(rows);
