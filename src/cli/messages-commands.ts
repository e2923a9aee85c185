import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { loadConfig } from '../config/app-config.js';
import { Pipeline } from '../messages/pipeline.js';
import { InboundState, OutboundState } from '../messages/message-state.js';
import type { ReplayMode } from '../messages/usecases/replay-message.js';
import { loadTenants } from '../tenancy/tenant-loader.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { withDatabase } from './database-commands.js';
import { exitWithFatalError } from './fatal-error.js';

/** The CLI only stores and enqueues: a running Crossdock (or the next one to start) works the jobs. */
async function withPipeline<T>(
  work: (pipeline: Pipeline, registry: TenantRegistry) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const registry = new TenantRegistry(await loadTenants(config.tenantsDir, { includeDemo: config.demoMode }));
  return withDatabase(async (dataSource, url) => {
    const idle = { deliver: () => Promise.reject(new Error('the CLI does not deliver')) };
    const pipeline = new Pipeline(dataSource, url, registry, idle, { workers: false });
    await pipeline.start();
    try {
      return await work(pipeline, registry);
    } finally {
      await pipeline.stop();
    }
  });
}

/** For reading the store: never started, so it neither connects the job queue nor works jobs. */
function readOnlyPipeline(dataSource: DataSource, url: string): Pipeline {
  const idle = { deliver: () => Promise.reject(new Error('the CLI does not deliver')) };
  return new Pipeline(dataSource, url, new TenantRegistry([]), idle, { workers: false });
}

const STATES: readonly string[] = [
  ...new Set([...Object.values(InboundState), ...Object.values(OutboundState)]),
];
const MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A usage mistake: exit 2 naming it, never an answer (an empty list) that reads as a fact. */
function usage(message: string): never {
  process.stderr.write(`crossdock: ${message}\n`);
  process.exit(2);
}

/** No message has an id that is no UUID: say so, rather than pass the database's type error on. */
function noMessage(id: string, tenantId: string): void {
  process.stderr.write(`crossdock: no message ${id} in tenant ${tenantId}\n`);
  process.exitCode = 1;
}

async function readInput(file: string): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function registerMessagesCommands(program: Command): void {
  program
    .command('ingest')
    .description('put a file through the same path a channel would; prints the message id')
    .argument('<file>', 'EDI or canonical JSON file, or - for standard input')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--partner <id>', 'partner id (the sender)')
    .action(async (file: string, options: { tenant: string; partner: string }) => {
      try {
        const payload = await readInput(file).catch((error: NodeJS.ErrnoException) => {
          process.stderr.write(`crossdock: cannot read ${file}: ${error.code ?? error.message}\n`);
          process.exit(2);
        });
        await withPipeline(async (pipeline, registry) => {
          const partner = registry.partner(options.tenant, options.partner);
          if (!partner) {
            process.stderr.write(`crossdock: no partner ${options.partner} in tenant ${options.tenant}\n`);
            process.exit(2);
          }
          const message = await pipeline.store.receive({
            tenantId: options.tenant,
            partnerId: options.partner,
            channel: 'cli',
            payload,
            ...(file !== '-' ? { fileName: path.basename(file) } : {}),
            environment: partner.environment,
          });
          process.stdout.write(`${message.id}\n`);
        });
      } catch (error) {
        exitWithFatalError(error);
      }
    });

  const messages = program.command('messages').description('inspect and replay messages');
  messages
    .command('list')
    .description('newest messages of a tenant')
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--state <state>', 'only this state (e.g. dead_lettered)')
    .option('--partner <id>', 'only this partner')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON lines instead of a table')
    .action(
      async (options: {
        tenant: string;
        state?: string;
        partner?: string;
        limit: string;
        json?: boolean;
      }) => {
        try {
          const limit = Number(options.limit);
          if (!/^\d+$/.test(options.limit) || limit < 1 || limit > 500) {
            usage('--limit must be a whole number from 1 to 500');
          }
          if (options.state !== undefined && !STATES.includes(options.state)) {
            usage(`--state must be one of ${STATES.join(', ')}`);
          }
          await withDatabase(async (dataSource, url) => {
            const page = await readOnlyPipeline(dataSource, url).store.list(options.tenant, {
              limit,
              ...(options.state ? { state: options.state } : {}),
              ...(options.partner ? { partnerId: options.partner } : {}),
            });
            for (const m of page.items) {
              process.stdout.write(
                options.json
                  ? `${JSON.stringify(m)}\n`
                  : `${m.id}  ${m.receivedAt}  ${m.direction.padEnd(8)} ${m.state.padEnd(13)} ${(m.partnerId ?? '-').padEnd(16)} ${m.documentType ?? m.format}\n`,
              );
            }
          });
        } catch (error) {
          exitWithFatalError(error);
        }
      },
    );
  messages
    .command('show')
    .description('one message with documents, deliveries and history (JSON)')
    .argument('<id>', 'message id')
    .requiredOption('--tenant <id>', 'tenant id')
    .action(async (id: string, options: { tenant: string }) => {
      try {
        if (!MESSAGE_ID.test(id)) return noMessage(id, options.tenant);
        await withDatabase(async (dataSource, url) => {
          const detail = await readOnlyPipeline(dataSource, url).store.detail(options.tenant, id);
          if (!detail) return noMessage(id, options.tenant);
          process.stdout.write(`${JSON.stringify(detail, null, 2)}\n`);
        });
      } catch (error) {
        exitWithFatalError(error);
      }
    });
  messages
    .command('replay')
    .description('run a message again from its stored payload')
    .argument('<id>', 'message id')
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--mode <mode>', 'auto, retranslate or redeliver', 'auto')
    .action(async (id: string, options: { tenant: string; mode: string }) => {
      try {
        if (!['auto', 'retranslate', 'redeliver'].includes(options.mode)) {
          process.stderr.write('crossdock: --mode must be auto, retranslate or redeliver\n');
          process.exit(2);
        }
        if (!MESSAGE_ID.test(id)) return noMessage(id, options.tenant);
        await withPipeline(async (pipeline) => {
          const result = await pipeline.replay.run(options.tenant, id, {
            mode: options.mode as ReplayMode,
            actor: 'cli',
          });
          if (result) {
            await new AuditLog(pipeline.dataSource).record({
              occurredAt: new Date(),
              tenantId: options.tenant,
              kind: 'message',
              action: 'message.replay',
              resourceType: 'message',
              resourceId: id,
              reason: `replayed from the command line: ${result.reason}`,
              details: { mode: result.mode, documents: result.documents, actor: 'cli' },
            });
          }
          if (!result) return noMessage(id, options.tenant);
          process.stdout.write(`${JSON.stringify(result)}\n`);
        });
      } catch (error) {
        exitWithFatalError(error);
      }
    });
}
