import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { generateOpenApiYaml } from '../../src/openapi/openapi-generator.js';

test('openapi/v1.yaml is committed and equals what the code generates (run `npm run openapi` to update)', async () => {
  const committed = await readFile('openapi/v1.yaml', 'utf8');
  const generated = await generateOpenApiYaml();
  assert.equal(committed, generated);
  const document = parse(committed) as { openapi: string; info: { title: string } };
  assert.match(document.openapi, /^3\./);
  assert.equal(document.info.title, 'Crossdock partner API');
});
