import { after, before, beforeEach } from 'node:test';
import type { OdooClient, OdooProtocol } from '../../../src/odoo/odoo-client.js';
import { createOdooClient } from '../../../src/odoo/odoo-client-factory.js';
import { startOdooSimulator, type RunningOdooSimulator } from '../../../src/odoo/simulator/odoo-simulator.js';

/** A client of the simulator's demo database, as the demo tenant's connector logs in. */
export function simulatorClient(sim: RunningOdooSimulator, protocol: OdooProtocol = 'json2'): OdooClient {
  return createOdooClient({
    url: sim.url,
    database: 'demo',
    login: 'crossdock-bot',
    apiKeyRef: '',
    apiKey: 'demo-odoo-key',
    protocol,
  });
}

/**
 * An Odoo simulator and a client of it for the whole test file, the simulator's data reset before
 * each test (and `reset` run after that, for a file's own set-up). Call at the top level of a file.
 */
export function withSimulatedOdoo(reset?: (sim: RunningOdooSimulator) => void): {
  readonly sim: RunningOdooSimulator;
  readonly client: OdooClient;
} {
  let sim: RunningOdooSimulator | undefined;
  let client: OdooClient | undefined;
  before(async () => {
    sim = await startOdooSimulator({ port: 0 });
    client = simulatorClient(sim);
  });
  beforeEach(() => {
    sim!.reset();
    reset?.(sim!);
  });
  after(async () => {
    await client?.close();
    await sim?.stop();
  });
  return {
    get sim() {
      return sim!;
    },
    get client() {
      return client!;
    },
  };
}
