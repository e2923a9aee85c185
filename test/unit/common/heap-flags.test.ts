import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TranslatorPool } from '../../../src/edi/parallel-translate.js';
import {
  NODE_HEAP_FLAGS,
  SEMI_SPACE_MB,
  WORKER_YOUNG_GENERATION_MB,
} from '../../../src/common/heap-flags.js';

// Compiled to dist/test/unit/common/: the repository root is four levels up.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const flags = NODE_HEAP_FLAGS.join(' ');

describe('V8 heap flags of Crossdock processes', () => {
  test('the CLI shebang and the npm scripts that start node carry the same flags as heap-flags.ts', () => {
    const shebang = readFileSync(`${root}bin/crossdock.js`, 'utf8').split('\n')[0];
    assert.equal(shebang, `#!/usr/bin/env -S node ${flags}`);
    const scripts = (
      JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    for (const name of ['start', 'crossdock', 'openapi'])
      assert.match(scripts[name]!, new RegExp(`ensure-node\\.mjs node ${flags} `), name);
  });

  test('the CLI starts through its shebang line', () => {
    const out = execFileSync(`${root}bin/crossdock.js`, ['version'], { encoding: 'utf8' });
    assert.match(out.trim(), /^\d+\.\d+\.\d+/);
  });

  test('translation worker threads get the young generation the flags give a process', async () => {
    assert.deepEqual(NODE_HEAP_FLAGS, [`--max-semi-space-size=${SEMI_SPACE_MB}`]);
    const pool = new TranslatorPool(2, {});
    try {
      await pool.ready();
      const young = pool.resourceLimits.map((l) => l?.maxYoungGenerationSizeMb);
      assert.deepEqual(young, [WORKER_YOUNG_GENERATION_MB, WORKER_YOUNG_GENERATION_MB]);
    } finally {
      await pool.close();
    }
  });
});
