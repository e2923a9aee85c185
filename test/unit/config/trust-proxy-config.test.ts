import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/app-config.js';

describe('TRUST_PROXY: whose X-Forwarded-For is believed', () => {
  test('by default only a proxy on the loopback; none, all and lists on request', () => {
    assert.equal(loadConfig({}).trustProxy, 'loopback');
    assert.equal(loadConfig({ TRUST_PROXY: 'none' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'all' }).trustProxy, true);
    assert.equal(
      loadConfig({ TRUST_PROXY: 'loopback, uniquelocal,10.1.0.0/16,2001:db8::1' }).trustProxy,
      'loopback,uniquelocal,10.1.0.0/16,2001:db8::1',
    );
  });

  test('anything else stops the boot naming the variable', () => {
    for (const value of ['10.0.0.0/33', 'proxy.example', 'loopback,', '10.0.0.1/8/1']) {
      assert.throws(
        () => loadConfig({ TRUST_PROXY: value }),
        (error: unknown) => error instanceof ConfigError && error.variable === 'TRUST_PROXY',
        value,
      );
    }
  });
});
