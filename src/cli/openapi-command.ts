import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { generateOpenApiYaml } from '../openapi/openapi-generator.js';
import { exitWithFatalError } from './fatal-error.js';

export function registerOpenApiCommand(program: Command): void {
  program
    .command('openapi')
    .description('write the published contract openapi/v1.yaml from the code')
    .option('--out <file>', 'where to write', 'openapi/v1.yaml')
    .option('--check', 'exit 1 when the committed file differs from what the code generates')
    .action(async (options: { out: string; check?: boolean }) => {
      try {
        const yaml = await generateOpenApiYaml();
        const file = path.resolve(options.out);
        if (options.check) {
          const committed = await readFile(file, 'utf8').catch(() => '');
          if (committed !== yaml) {
            process.stderr.write(`${options.out} is out of date: run npm run openapi\n`);
            process.exit(1);
          }
          process.stdout.write(`${options.out} is up to date\n`);
          return;
        }
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, yaml);
        process.stdout.write(`wrote ${options.out}\n`);
      } catch (error) {
        exitWithFatalError(error);
      }
    });
}
