import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import {
  EmbeddedDatabase,
  embeddedDatabaseUrl,
  findRunningEmbeddedDatabase,
} from '../../../src/database/embedded-database.js';
import { Background } from '../../support/child-process.js';

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

  test('a process ended by SIGTERM with no handler of its own stops its cluster first', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crossdock-embedded-signal-'));
    await chmod(dir, 0o755);
    try {
      const module = pathToFileURL(path.resolve('dist/src/database/embedded-database.js')).href;
      // A CLI command's shape: start the cluster, work, and no signal handlers of its own.
      const script = `const { EmbeddedDatabase } = await import(${JSON.stringify(module)});
        await new EmbeddedDatabase(${JSON.stringify(dir)}, () => undefined).start();
        console.log('cluster ready');
        setInterval(() => undefined, 1000);`;
      const child = new Background('node', ['--input-type=module', '-e', script], {});
      await child.waitFor(/cluster ready/);
      const postmasterPid = Number(
        (await readFile(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
      assert.ok(postmasterPid > 0);
      assert.equal(await child.stop('SIGTERM'), 143, child.output);
      assert.throws(() => process.kill(postmasterPid, 0), /ESRCH/, 'the postmaster is gone');
      await assert.rejects(
        stat(path.join(dir, 'postgres', 'postmaster.pid')),
        'a clean shutdown removes its pid file',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('a cluster that cannot start is one clear error, never a crash', () => {
    const dirs: string[] = [];
    after(async () => {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    });
    async function scratchDir(): Promise<string> {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'crossdock-embedded-bad-'));
      await chmod(dir, 0o755);
      dirs.push(dir);
      return dir;
    }
    /** A data dir whose cluster looks initialised, so that start goes straight to postgres. */
    async function initialisedLooking(pgVersion: string): Promise<string> {
      const dir = await scratchDir();
      await mkdir(path.join(dir, 'postgres'));
      await writeFile(path.join(dir, 'postgres', 'PG_VERSION'), `${pgVersion}\n`);
      return dir;
    }

    test('a missing initdb binary names the data dir, the binary and ENOENT', async () => {
      const dir = await scratchDir();
      const missing = path.join(dir, 'no-such-initdb');
      const database = new EmbeddedDatabase(dir, () => undefined, {
        binaries: { initdb: missing, postgres: path.join(dir, 'no-such-postgres') },
      });
      await assert.rejects(database.start(), (error: Error) => {
        assert.equal(
          error.message,
          `embedded PostgreSQL in ${dir} could not start: cannot run ${missing}: ENOENT ` +
            '(the binary is missing: reinstall the embedded-postgres package)',
        );
        return true;
      });
    });

    test('a postgres binary that is not executable is EACCES, and nothing is left registered', async () => {
      const dir = await initialisedLooking('18');
      const notExecutable = path.join(dir, 'postgres-not-executable');
      await writeFile(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
      const database = new EmbeddedDatabase(dir, () => undefined, {
        binaries: { initdb: notExecutable, postgres: notExecutable },
      });
      await assert.rejects(
        database.start(),
        new RegExp(
          `^Error: embedded PostgreSQL in ${dir} could not start: cannot run ${notExecutable}: EACCES`,
        ),
      );
      assert.equal(await findRunningEmbeddedDatabase(dir), undefined);
      await database.stop();
    });

    test('a broken cluster gives the reason PostgreSQL gives, on one line', async () => {
      const dir = await initialisedLooking('18');
      const database = new EmbeddedDatabase(dir, () => undefined);
      await assert.rejects(database.start(), (error: Error) => {
        assert.equal(
          error.message,
          `embedded PostgreSQL in ${dir} could not start: PostgreSQL exited (code 2): postgres: could not ` +
            `access the server configuration file "${dir}/postgres/postgresql.conf": No such file or directory`,
        );
        return true;
      });
      assert.equal(await findRunningEmbeddedDatabase(dir), undefined);
    });

    test('a data dir that is a file is refused with the file system reason', async () => {
      const parent = await scratchDir();
      const file = path.join(parent, 'not-a-dir');
      await writeFile(file, 'x');
      await assert.rejects(
        new EmbeddedDatabase(file, () => undefined).start(),
        new RegExp(`^Error: embedded PostgreSQL in ${file} could not start: EEXIST`),
      );
    });
  });
});
