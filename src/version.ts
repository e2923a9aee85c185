import { readFileSync } from 'node:fs';

function packageVersion(): string {
  // dist/src/version.js and src/version.ts both sit two levels below package.json.
  for (const candidate of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'crossdock' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

export const CROSSDOCK_VERSION = packageVersion();
