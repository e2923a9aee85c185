import type { Command } from 'commander';
import { appendAuditEvents } from '../audit/audit-appender.js';
import { keyRotationEvent } from '../audit/key-rotation-event.js';
import { resolveKeyEncryptionKey } from '../auth/key-encryption-key.js';
import {
  listSigningKeys,
  retireExpiredSigningKeys,
  retirementDelaySeconds,
  rotateSigningKey,
} from '../auth/signing-keys.js';
import { loadConfig } from '../config/app-config.js';
import { withDatabase } from './database-commands.js';
import { exitWithFatalError } from './fatal-error.js';

const iso = (date: Date | null): string => (date ? date.toISOString() : '-');

/** `crossdock keys rotate|list`: access-token signing keys. Private keys are never printed. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('access-token signing keys: rotate them, list them');
  keys
    .command('rotate')
    .description(
      'make a new signing key active; the previous one keeps verifying until the tokens it signed expired, then retires',
    )
    .action(async () => {
      try {
        const config = loadConfig();
        const kek = await resolveKeyEncryptionKey(config, (line) => process.stderr.write(`${line}\n`));
        const overlap = retirementDelaySeconds(config.accessTokenTtlSeconds);
        const rotated = await withDatabase(async (dataSource) => {
          await dataSource.runMigrations({ transaction: 'each' });
          const result = await rotateSigningKey(dataSource, kek, overlap);
          await appendAuditEvents(dataSource, [keyRotationEvent(result)]);
          return result;
        });
        process.stdout.write(`new signing key ${rotated.kid} is active\n`);
        if (rotated.previous) {
          process.stdout.write(
            `previous key ${rotated.previous} keeps verifying until ${iso(rotated.retireAfter ?? null)}, then retires\n`,
          );
        }
        for (const kid of rotated.retired) process.stdout.write(`retired key ${kid}\n`);
      } catch (error) {
        exitWithFatalError(error);
      }
    });
  keys
    .command('list')
    .description('list the signing keys: kid, status, created, retirement')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      try {
        const listed = await withDatabase(async (dataSource) => {
          await retireExpiredSigningKeys(dataSource);
          return listSigningKeys(dataSource);
        });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          'kid                                          status    created                   retire after\n',
        );
        for (const key of listed) {
          process.stdout.write(
            `${key.kid.padEnd(44)} ${key.status.padEnd(9)} ${iso(key.createdAt).padEnd(25)} ${iso(key.retiredAt ?? key.retireAfter)}\n`,
          );
        }
        if (listed.length === 0)
          process.stdout.write('no signing keys yet (the first is created when Crossdock starts)\n');
      } catch (error) {
        exitWithFatalError(error);
      }
    });
}
