import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDataSource } from '../../../src/database/data-source.js';
import { run } from '../../support/child-process.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

describe('crossdock messages: arguments an operator mistypes', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  before(async () => {
    database = await createTestDatabase('messages_cli');
    const dataSource = createDataSource(database.url);
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
    env = { DATABASE_URL: database.url, LOG_LEVEL: 'silent' };
  });
  after(async () => {
    await database?.drop();
  });

  test('an unknown --state is refused (exit 2) naming the states, not answered with an empty list', async () => {
    const result = await run(
      process.execPath,
      [CLI, 'messages', 'list', '--tenant', 'demo', '--state', 'dead_letter'],
      env,
    );
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, /--state must be one of .*dead_lettered/);
  });

  test('a --limit that is no whole number from 1 to 500 is refused (exit 2)', async () => {
    for (const limit of ['abc', '-5', '0', '501', '2.5']) {
      const result = await run(
        process.execPath,
        [CLI, 'messages', 'list', '--tenant', 'demo', '--limit', limit],
        env,
      );
      assert.equal(result.code, 2, `--limit ${limit}: ${result.stdout}`);
      assert.match(result.stderr, /--limit must be a whole number from 1 to 500/);
    }
    const fine = await run(
      process.execPath,
      [CLI, 'messages', 'list', '--tenant', 'demo', '--limit', '10'],
      env,
    );
    assert.equal(fine.code, 0, fine.stderr);
  });

  test('an id that is no message id is "no message", not a database error', async () => {
    for (const command of ['show', 'replay']) {
      const result = await run(process.execPath, [CLI, 'messages', command, 'nope', '--tenant', 'demo'], env);
      assert.equal(result.code, 1, result.stdout);
      assert.equal(result.stderr.trim(), 'crossdock: no message nope in tenant demo');
    }
  });
});
