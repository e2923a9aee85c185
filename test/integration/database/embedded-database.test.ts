import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import {
  EmbeddedDatabase,
  embeddedDatabaseUrl,
  findRunningEmbeddedDatabase,
} from '../../../src/database/embedded-database.js';

describe('EmbeddedDatabase', () => {
  let dataDir: string;
  after(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('keeps its data across a stop and a start, and tells other processes where it listens', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'crossdock-embedded-'));
    // mkdtemp makes a 0700 folder; as root the cluster runs as the `postgres` user, which must enter it.
    await chmod(dataDir, 0o755);
    const first = new EmbeddedDatabase(dataDir, () => undefined);
    const info = await first.start();
    assert.deepEqual(await findRunningEmbeddedDatabase(dataDir), info);
    const fileMode = (await stat(path.join(dataDir, 'embedded-postgres.json'))).mode & 0o777;
    assert.equal(fileMode, 0o600, 'the connection file holds a password');
    const client = new pg.Client({ connectionString: embeddedDatabaseUrl(info) });
    await client.connect();
    await client.query('CREATE TABLE marker (value text)');
    await client.query(`INSERT INTO marker VALUES ('kept')`);
    await client.end();

    await assert.rejects(new EmbeddedDatabase(dataDir, () => undefined).start(), /already in use by process/);
    await first.stop();
    assert.equal(await findRunningEmbeddedDatabase(dataDir), undefined);

    const second = new EmbeddedDatabase(dataDir, () => undefined);
    const again = await second.start();
    try {
      const reopened = new pg.Client({ connectionString: embeddedDatabaseUrl(again) });
      await reopened.connect();
      const rows = (await reopened.query('SELECT value FROM marker')).rows as { value: string }[];
      await reopened.end();
      assert.deepEqual(rows, [{ value: 'kept' }]);
      assert.equal(again.password, info.password, 'the generated password is kept in the data dir');
    } finally {
      await second.stop();
    }
  });
});
