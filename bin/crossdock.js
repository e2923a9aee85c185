#!/usr/bin/env node
// The CLI is compiled TypeScript; `npm ci` builds it (the `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('crossdock: not built yet; run `npm run build` in the project folder\n');
  process.exit(2);
}
await import(entry.href);
