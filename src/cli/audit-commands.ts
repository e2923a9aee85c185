import type { Command } from 'commander';
import { auditTenants, verifyAuditChain } from '../audit/audit-verifier.js';
import { withDatabase } from './database-commands.js';
import { exitWithFatalError } from './fatal-error.js';

/** `crossdock audit verify [--tenant ID]`: recompute every chain; exit 1 naming the first bad entry. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description(
      'recompute the hash chains; exit 1 and name the first altered, removed, inserted or reordered entry',
    )
    .option('--tenant <id>', 'only this tenant (default: every chain, _system included)')
    .action(async (options: { tenant?: string }) => {
      try {
        const broken = await withDatabase(async (dataSource) => {
          const tenants = options.tenant ? [options.tenant] : await auditTenants(dataSource);
          let bad = 0;
          for (const tenantId of tenants) {
            const report = await verifyAuditChain(dataSource, tenantId);
            const problem = report.firstBreak;
            if (problem) {
              bad += 1;
              process.stdout.write(
                `BROKEN ${tenantId}: first bad entry seq ${problem.seq}` +
                  `${problem.entryId ? ` (id ${problem.entryId})` : ''} [${problem.problem}]: ${problem.detail}\n`,
              );
            } else {
              process.stdout.write(`ok ${tenantId}: ${report.entries} entries, head ${report.lastHash}\n`);
            }
          }
          if (tenants.length === 0) process.stdout.write('no audit chains yet\n');
          return bad;
        });
        process.exitCode = broken > 0 ? 1 : 0;
      } catch (error) {
        exitWithFatalError(error);
      }
    });
}
