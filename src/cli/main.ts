import 'reflect-metadata';
import { Command } from 'commander';
import { CROSSDOCK_VERSION } from '../version.js';
import { registerAuditCommands } from './audit-commands.js';
import { registerDatabaseCommands } from './database-commands.js';
import { registerEdiCommands } from './edi-commands.js';
import { registerKeysCommands } from './keys-commands.js';
import { registerMessagesCommands } from './messages-commands.js';
import { registerOdooSimCommand } from './odoo-sim-command.js';
import { registerOpenApiCommand } from './openapi-command.js';
import { runServerUntilSignal } from './start-command.js';

const program = new Command('crossdock')
  .description('Crossdock: partner API gateway and EDI translator')
  .version(CROSSDOCK_VERSION, '-v, --version');

program
  .command('start')
  .description('start the gateway (embedded PostgreSQL and demo tenants when DATABASE_URL is not set)')
  .action(() => runServerUntilSignal());
program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`${CROSSDOCK_VERSION}\n`);
  });
registerDatabaseCommands(program);
registerOpenApiCommand(program);
registerKeysCommands(program);
registerAuditCommands(program);
registerMessagesCommands(program);
registerEdiCommands(program);
registerOdooSimCommand(program);

await program.parseAsync(process.argv);
