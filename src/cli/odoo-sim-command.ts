import type { Command } from 'commander';
import { startOdooSimulator } from '../odoo/simulator/odoo-simulator.js';
import { exitWithFatalError } from './fatal-error.js';

/** `crossdock odoo-sim`: the fake Odoo for demos and manual tests, until SIGINT/SIGTERM. */
export function registerOdooSimCommand(program: Command): void {
  program
    .command('odoo-sim')
    .description('serve a simulated Odoo (JSON-RPC and JSON-2, demo data, fault injection under /__sim/)')
    .option('--port <port>', 'port to listen on', '8069')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--empty', 'start without the demo partners, products and pickings')
    .option(
      '--json-rpc-error-code <code>',
      'JSON-RPC error.code for server errors: 0 (current Odoo) or 200 (older)',
      '0',
    )
    .action(async (options: { port: string; host: string; empty?: boolean; jsonRpcErrorCode: string }) => {
      try {
        const sim = await startOdooSimulator({
          port: Number(options.port),
          host: options.host,
          seed: options.empty ? 'empty' : 'demo',
          jsonRpcErrorCode: options.jsonRpcErrorCode === '200' ? 200 : 0,
        });
        const databases = [...sim.state.databases.keys()].join(', ');
        process.stdout.write(
          `Odoo simulator on ${sim.url} (databases: ${databases})\n` +
            `  JSON-RPC: POST ${sim.url}/jsonrpc   JSON-2: POST ${sim.url}/json/2/<model>/<method>\n` +
            `  state: GET ${sim.url}/__sim/state   faults: POST ${sim.url}/__sim/faults {"mode":"down","count":3}\n`,
        );
        const stop = (): void => {
          void sim.stop().then(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (error) {
        exitWithFatalError(error);
      }
    });
}
