import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { Background, CLI, run } from '../support/child-process.js';
import { createTestDatabase, queryRows, type TestDatabase } from '../support/test-database.js';

const MAIN = 'dist/src/main.js';
const LISTENING = /Crossdock listening on (http:\/\/127\.0\.0\.1:\d+)/;
const quiet = {
  LOG_LEVEL: 'info',
  DATABASE_URL: undefined,
  CROSSDOCK_DEMO: undefined,
  PORT: '0',
  HOST: '127.0.0.1',
};

/** Reads the demo tenant's creation time through the connection file a running embedded cluster leaves. */
async function demoTenantCreatedAt(dataDir: string): Promise<string> {
  const info = JSON.parse(await readFile(path.join(dataDir, 'embedded-postgres.json'), 'utf8')) as {
    port: number;
    password: string;
  };
  const client = new pg.Client({
    host: '127.0.0.1',
    port: info.port,
    user: 'postgres',
    password: info.password,
    database: 'crossdock',
  });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT created_at::text AS c FROM tenants WHERE id = 'demo'`);
    return (rows[0] as { c: string }).c;
  } finally {
    await client.end();
  }
}

async function ready(url: string): Promise<number> {
  return (await fetch(`${url}/health/ready`)).status;
}

describe('crossdock as a process', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase('proc');
  });
  after(async () => {
    await database?.drop();
  });

  test('a wrong setting stops the start with one line naming the variable, no stack trace', async () => {
    const result = await run('node', [MAIN], { ...quiet, PORT: 'eighty' });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'crossdock: configuration error: PORT="eighty" is invalid: expected an integer from 0 to 65535\n',
    );
  });

  test('a tenant file with a mistake fails start and `tenants validate`, naming file, line, path and problem', async () => {
    const env = {
      ...quiet,
      DATABASE_URL: database.url,
      CROSSDOCK_TENANTS_DIR: 'test/fixtures/tenants/bad-kind',
    };
    const started = await run('node', [MAIN], env);
    assert.equal(started.code, 1);
    assert.match(
      started.stderr,
      /^crossdock: invalid tenant file: test\/fixtures\/tenants\/bad-kind\/acme\.yaml:10:\d+ \/partners\/1\/kind: must be one of "carrier"/,
    );
    assert.doesNotMatch(started.stderr, /\n\s+at /);
    const validated = await run('node', [CLI, 'tenants', 'validate'], env);
    assert.equal(validated.code, 1);
    assert.match(
      validated.stderr,
      /test\/fixtures\/tenants\/bad-kind\/acme\.yaml:10:\d+ \/partners\/1\/kind: must be one of/,
    );
  });

  test('`tenants validate --demo` accepts the demo tenants without a database', async () => {
    const result = await run('node', [CLI, 'tenants', 'validate', '--demo'], {
      ...quiet,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /ok tenants\/demo\/demo\.yaml: tenant demo, 4 partner\(s\), 6 API client\(s\)/,
    );
    assert.match(result.stdout, /ok tenants\/demo\/demo-b\.yaml: tenant demo-b/);
  });

  test('with DATABASE_URL it migrates and serves from that server; migrate and tenants sync are idempotent', async () => {
    const server = new Background('node', [MAIN], {
      ...quiet,
      DATABASE_URL: database.url,
      CROSSDOCK_DEMO: '1',
    });
    try {
      const [, url] = await server.waitFor(LISTENING);
      assert.equal(await ready(url!), 200);
      const migrations = await queryRows<{ name: string }>(
        database.url,
        'SELECT name FROM schema_migrations',
      );
      assert.ok(migrations.length >= 1);
      const tenants = await queryRows<{ id: string }>(database.url, 'SELECT id FROM tenants ORDER BY id');
      assert.deepEqual(
        tenants.map((t) => t.id),
        ['demo', 'demo-b'],
      );
      assert.match(server.output, /DEMO MODE/);
    } finally {
      assert.equal(await server.stop('SIGTERM'), 0, server.output);
    }
    const check = await run('node', [CLI, 'migrate', '--check'], { DATABASE_URL: database.url });
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.stdout, 'all migrations applied\n');
    const sync = await run('node', [CLI, 'tenants', 'sync', '--demo'], { DATABASE_URL: database.url });
    assert.equal(sync.code, 0, sync.stderr);
    const summary = JSON.parse(sync.stdout) as { tenants: { unchanged: number; created: number } };
    assert.deepEqual([summary.tenants.created, summary.tenants.unchanged], [0, 2]);
  });

  test('with no DATABASE_URL it starts the embedded PostgreSQL, and data survives a restart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crossdock-start-'));
    await chmod(dataDir, 0o755);
    const env = { ...quiet, CROSSDOCK_DATA_DIR: dataDir };
    try {
      const first = new Background('node', [MAIN], env);
      let createdAt: string;
      try {
        const [, url] = await first.waitFor(LISTENING);
        assert.equal(await ready(url!), 200);
        assert.match(first.output, /embedded PostgreSQL on 127\.0\.0\.1:\d+/);
        createdAt = await demoTenantCreatedAt(dataDir);
      } finally {
        assert.equal(await first.stop('SIGINT'), 0, first.output);
      }
      await assert.rejects(
        stat(path.join(dataDir, 'embedded-postgres.json')),
        'the connection file is removed on a clean stop',
      );

      const second = new Background('node', [MAIN], env);
      try {
        const [, url] = await second.waitFor(LISTENING);
        assert.equal(await ready(url!), 200);
        const again = await demoTenantCreatedAt(dataDir);
        assert.equal(again, createdAt, 'the tenant row of the first run is still there');
        assert.doesNotMatch(second.output, /applied \d+ migration/, 'nothing to migrate the second time');
      } finally {
        assert.equal(await second.stop('SIGTERM'), 0, second.output);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('an embedded cluster that cannot start stops start and migrate with one line naming the data dir', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'crossdock-broken-'));
    await chmod(dataDir, 0o755);
    // A cluster folder with PG_VERSION but no configuration: PostgreSQL itself refuses it.
    await mkdir(path.join(dataDir, 'postgres'));
    await writeFile(path.join(dataDir, 'postgres', 'PG_VERSION'), '18\n');
    const expected =
      `crossdock: embedded PostgreSQL in ${dataDir} could not start: PostgreSQL exited (code 2): postgres: ` +
      `could not access the server configuration file "${dataDir}/postgres/postgresql.conf": No such file or directory\n`;
    try {
      for (const args of [[MAIN], [CLI, 'migrate']]) {
        const result = await run('node', args, { ...quiet, CROSSDOCK_DATA_DIR: dataDir });
        assert.equal(result.code, 1, result.stderr);
        assert.equal(result.stderr, expected, 'one line, no stack trace');
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('`crossdock version` and `--help` answer', async () => {
    const version = await run('node', [CLI, 'version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const help = await run('node', [CLI, '--help']);
    assert.match(help.stdout, /start/);
    assert.match(help.stdout, /migrate/);
    assert.match(help.stdout, /tenants/);
  });
});
