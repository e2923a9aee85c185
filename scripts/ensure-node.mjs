#!/usr/bin/env node
// Runs a command on Node.js >= 22. Crossdock targets Node 24 LTS; where the machine's node is
// older, the npm package node@24 is installed once into .tools/ and put first on PATH.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const toolsBin = path.join(root, '.tools', 'node_modules', '.bin');
const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: ensure-node.mjs <command> [args...]\n');
  process.exit(2);
}

let env = process.env;
if (Number(process.versions.node.split('.')[0]) < 22) {
  if (!existsSync(path.join(toolsBin, 'node'))) {
    process.stderr.write(
      `Node.js ${process.versions.node} is too old for Crossdock; installing Node.js 24 into .tools/ (once)\n`,
    );
    const tools = path.join(root, '.tools');
    mkdirSync(tools, { recursive: true });
    // node@24's preinstall fetches the platform binary package from the registry: allow just that.
    writeFileSync(
      path.join(tools, 'package.json'),
      JSON.stringify({ name: 'crossdock-tools', private: true, allowScripts: { node: true } }),
    );
    const install = spawnSync(
      'npm',
      ['install', '--prefix', tools, '--no-save', '--no-audit', '--no-fund', 'node@24'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (install.status !== 0) {
      process.stderr.write(
        'could not install Node.js 24 from the npm registry; install Node.js 22 or later yourself\n',
      );
      process.exit(1);
    }
  }
  env = { ...process.env, PATH: `${toolsBin}${path.delimiter}${process.env.PATH ?? ''}` };
}

const child = spawn(command, args, { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
