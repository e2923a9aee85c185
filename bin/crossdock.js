#!/usr/bin/env -S node --max-semi-space-size=16
// The CLI is compiled TypeScript; `npm ci` builds it (the `prepare` script). The V8 flag above keeps
// a long translation's memory flat (src/common/heap-flags.ts).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('crossdock: not built yet; run `npm run build` in the project folder\n');
  process.exit(2);
}
await import(entry.href);
