import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CLIENT_RULE, ruleFor, windowsOf } from '../../../src/rate-limit/rate-limit-policy.js';
import { groupOfRoute } from '../../../src/rate-limit/rate-limit-route-groups.js';

describe('rate-limit policies', () => {
  test('a tenant-file rule becomes burst, sustained, minute and daily windows', () => {
    assert.deepEqual(windowsOf({ perSecond: 20, burst: 40, perMinute: 600, perDay: 200_000 }), [
      { name: 'burst', points: 40, seconds: 1 },
      { name: 'sustained', points: 200, seconds: 10 },
      { name: 'minute', points: 600, seconds: 60 },
      { name: 'daily', points: 200_000, seconds: 86_400 },
    ]);
    assert.deepEqual(windowsOf({ perSecond: 5 }), [{ name: 'burst', points: 5, seconds: 1 }]);
    assert.deepEqual(windowsOf({ perDay: 25 }, 'client-'), [
      { name: 'client-daily', points: 25, seconds: 86_400 },
    ]);
  });

  test('route groups override the partner rule field by field, with a counter of their own', () => {
    const policy = {
      perSecond: 20,
      burst: 40,
      perDay: 1000,
      routes: { tracking: { perSecond: 5, burst: 5 } },
    };
    assert.deepEqual(ruleFor(policy, 'tracking'), {
      rule: { perSecond: 5, burst: 5, perDay: 1000 },
      ownCounter: true,
    });
    assert.deepEqual(ruleFor(policy, 'orders'), {
      rule: { perSecond: 20, burst: 40, perDay: 1000 },
      ownCounter: false,
    });
    assert.deepEqual(ruleFor(undefined, 'orders'), { rule: DEFAULT_CLIENT_RULE, ownCounter: false });
    const groupsOnly = { routes: { edi: { perMinute: 30 } } };
    assert.deepEqual(ruleFor(groupsOnly, 'orders'), { rule: DEFAULT_CLIENT_RULE, ownCounter: false });
    assert.deepEqual(ruleFor(groupsOnly, 'edi'), {
      rule: { ...DEFAULT_CLIENT_RULE, perMinute: 30 },
      ownCounter: true,
    });
  });

  test('route templates map to groups; probes are exempt', () => {
    assert.equal(groupOfRoute('/v1/tracking-events'), 'tracking');
    assert.equal(groupOfRoute('/v1/shipment-notices/:id'), 'shipments');
    assert.equal(groupOfRoute('/v1/audit-events/export'), 'audit');
    assert.equal(groupOfRoute('/oauth/token'), 'token');
    assert.equal(groupOfRoute('/v1/me'), 'default');
    assert.equal(groupOfRoute(undefined), 'default');
    assert.equal(groupOfRoute('/health/live'), null);
    assert.equal(groupOfRoute('/metrics'), null);
  });
});
