import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/app-config.js';

test('token lifetime and status cache: defaults, bounds (a revocation may never take more than a minute)', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.accessTokenTtlSeconds, 900);
  assert.equal(defaults.authStatusCacheSeconds, 60);
  assert.equal(defaults.keyEncryptionKey, undefined);
  const set = loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '300', AUTH_STATUS_CACHE_SECONDS: '0' });
  assert.equal(set.accessTokenTtlSeconds, 300);
  assert.equal(set.authStatusCacheSeconds, 0);
  assert.throws(() => loadConfig({ AUTH_STATUS_CACHE_SECONDS: '61' }), ConfigError);
  assert.throws(() => loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '10' }), ConfigError);
});
