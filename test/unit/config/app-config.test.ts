import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, redactUrl } from '../../../src/config/app-config.js';

describe('loadConfig', () => {
  test('defaults: port 3000, embedded database, demo mode, data under ./.data', () => {
    const config = loadConfig({}, '/srv/crossdock');
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.demoMode, true);
    assert.equal(config.dataDir, '/srv/crossdock/.data');
    assert.equal(config.tenantsDir, '/srv/crossdock/tenants');
    assert.equal(config.bodyLimitBytes, 1024 * 1024);
    assert.equal(config.publicBaseUrl, 'http://localhost:3000');
  });

  test('DATABASE_URL turns demo mode off unless CROSSDOCK_DEMO asks for it', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    assert.equal(loadConfig({ DATABASE_URL: url }).demoMode, false);
    assert.equal(loadConfig({ DATABASE_URL: url, CROSSDOCK_DEMO: '1' }).demoMode, true);
    assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
  });

  test('sizes accept units', () => {
    const config = loadConfig({ BODY_LIMIT: '512kb', EDI_BODY_LIMIT: '200mb' });
    assert.equal(config.bodyLimitBytes, 512 * 1024);
    assert.equal(config.ediBodyLimitBytes, 200 * 1024 * 1024);
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ PORT: 'abc' }, 'PORT', /PORT="abc" is invalid: expected an integer from 0 to 65535/],
    [{ PORT: '70000' }, 'PORT', /expected an integer from 0 to 65535/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /LOG_LEVEL="loud" is invalid: expected one of fatal, error/],
    [
      { DATABASE_URL: 'mysql://x@y/z' },
      'DATABASE_URL',
      /expected a URL starting with postgres: or postgresql:/,
    ],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', /DATABASE_URL="not a url" is invalid/],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL', /expected a URL starting with redis: or rediss:/],
    [{ BODY_LIMIT: 'lots' }, 'BODY_LIMIT', /expected a size such as 1048576, 512kb or 10mb/],
    [{ CROSSDOCK_DEMO: 'maybe' }, 'CROSSDOCK_DEMO', /expected one of 1, 0, true, false/],
    [
      { RECOVERY_SWEEP_SECONDS: '30s' },
      'RECOVERY_SWEEP_SECONDS',
      /RECOVERY_SWEEP_SECONDS="30s" is invalid: expected an integer from 1 to 3600/,
    ],
    [{ RECOVERY_SWEEP_SECONDS: '0' }, 'RECOVERY_SWEEP_SECONDS', /from 1 to 3600/],
    [{ RECOVERY_BACKOFF_MIN_SECONDS: '-5' }, 'RECOVERY_BACKOFF_MIN_SECONDS', /from 1 to 86400/],
    [{ RECOVERY_BACKOFF_MAX_SECONDS: 'an hour' }, 'RECOVERY_BACKOFF_MAX_SECONDS', /from 60 to 604800/],
  ];
  for (const [env, variable, message] of bad) {
    test(`${variable}=${Object.values(env)[0]} is refused with a message naming it`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError && error.variable === variable && message.test(error.message),
      );
    });
  }

  test('the recovery sweep: every 30 s, backoff 60 s doubling to 1 h, each settable', () => {
    assert.deepEqual(loadConfig({}).recovery, {
      sweepIntervalSeconds: 30,
      initialDelaySeconds: 60,
      maxDelaySeconds: 3600,
    });
    assert.deepEqual(
      loadConfig({
        RECOVERY_SWEEP_SECONDS: '5',
        RECOVERY_BACKOFF_MIN_SECONDS: '10',
        RECOVERY_BACKOFF_MAX_SECONDS: '600',
      }).recovery,
      { sweepIntervalSeconds: 5, initialDelaySeconds: 10, maxDelaySeconds: 600 },
    );
    // A first wait above the default cap raises the cap with it; a cap below the first wait is refused.
    assert.equal(loadConfig({ RECOVERY_BACKOFF_MIN_SECONDS: '7200' }).recovery.maxDelaySeconds, 7200);
    assert.throws(
      () => loadConfig({ RECOVERY_BACKOFF_MIN_SECONDS: '600', RECOVERY_BACKOFF_MAX_SECONDS: '300' }),
      /RECOVERY_BACKOFF_MAX_SECONDS="300" is invalid: expected an integer from 600 to 604800/,
    );
  });

  test('a password in a bad DATABASE_URL is not echoed', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://admin:hunter2@db/x' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2'),
    );
    assert.equal(redactUrl('postgres://u:secret@h:5432/d'), 'postgres://u:***@h:5432/d');
  });
});
