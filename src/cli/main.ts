import 'reflect-metadata';
import { Command } from 'commander';
import { CROSSDOCK_VERSION } from '../version.js';
import { EDI_COMMAND_NAMES, registerEdiCommands } from './edi-commands.js';

// Positional options: `-v, --version` is the program's only before the command, so a command's own
// option of that name (`render --version 005010`) is the command's.
const program = new Command('crossdock')
  .description('Crossdock: partner API gateway and EDI translator')
  .version(CROSSDOCK_VERSION, '-v, --version')
  .enablePositionalOptions();

// An EDI command needs only the engine: loading the gateway as well (Nest, TypeORM, pg-boss) would
// add about 100 MB to a translation whose memory should stay flat.
if (EDI_COMMAND_NAMES.includes(process.argv[2] ?? '')) {
  registerEdiCommands(program);
} else {
  const [audit, database, keys, messages, odooSim, openApi, start] = await Promise.all([
    import('./audit-commands.js'),
    import('./database-commands.js'),
    import('./keys-commands.js'),
    import('./messages-commands.js'),
    import('./odoo-sim-command.js'),
    import('./openapi-command.js'),
    import('./start-command.js'),
  ]);
  program
    .command('start')
    .description('start the gateway (embedded PostgreSQL and demo tenants when DATABASE_URL is not set)')
    .action(() => start.runServerUntilSignal());
  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`${CROSSDOCK_VERSION}\n`);
    });
  database.registerDatabaseCommands(program);
  openApi.registerOpenApiCommand(program);
  keys.registerKeysCommands(program);
  audit.registerAuditCommands(program);
  messages.registerMessagesCommands(program);
  registerEdiCommands(program);
  odooSim.registerOdooSimCommand(program);
}

await program.parseAsync(process.argv);
