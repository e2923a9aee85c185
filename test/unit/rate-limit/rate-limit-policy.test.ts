import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CLIENT_RULE, ruleFor, windowsOf } from '../../../src/rate-limit/rate-limit-policy.js';
import { groupOfRoute } from '../../../src/rate-limit/rate-limit-route-groups.js';
import { limitSubjects } from '../../../src/rate-limit/rate-limit-subjects.js';
import type { RateLimitPolicy } from '../../../src/tenancy/tenant-definition.js';
import type { TenantRegistry } from '../../../src/tenancy/tenant-registry.js';
import type { FastifyRequest } from 'fastify';

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

describe('who a request counts against', () => {
  const principal = { tenantId: 'demo', partnerId: 'demo-carrier', clientId: 'demo-carrier', scopes: [] };
  const request = (partnerPolicy: RateLimitPolicy | undefined) => ({
    registry: { partner: () => ({ rateLimit: partnerPolicy }) } as unknown as TenantRegistry,
    request: { principal, ip: '203.0.113.7' } as unknown as FastifyRequest,
  });

  test("a partner's route group with its own rule has its own counter; others share the partner's", () => {
    const policy = { perSecond: 20, burst: 40, routes: { tracking: { burst: 5 } } };
    const { registry, request: req } = request(policy);
    const [tracking] = limitSubjects(req, 'tracking', registry);
    const [orders] = limitSubjects(req, 'orders', registry);
    assert.equal(tracking!.key, 't:demo:p:demo-carrier:g:tracking');
    assert.deepEqual(tracking!.windows, windowsOf({ perSecond: 20, burst: 5 }));
    assert.equal(orders!.key, 't:demo:p:demo-carrier');
    assert.deepEqual(orders!.windows, windowsOf({ perSecond: 20, burst: 40 }));
  });

  test('a tenant file reloaded with a new limit is counted under the new windows at once', () => {
    const before = request({ perSecond: 20 });
    const after = request({ perSecond: 2 });
    assert.deepEqual(limitSubjects(before.request, 'orders', before.registry)[0]!.windows, [
      { name: 'burst', points: 20, seconds: 1 },
    ]);
    assert.deepEqual(limitSubjects(after.request, 'orders', after.registry)[0]!.windows, [
      { name: 'burst', points: 2, seconds: 1 },
    ]);
    const none = request(undefined);
    assert.deepEqual(
      limitSubjects(none.request, 'orders', none.registry)[0]!.windows,
      windowsOf(DEFAULT_CLIENT_RULE),
    );
  });

  test('anonymous callers count per IP; the token endpoint per IP and per claimed client from that IP', () => {
    const anonymous = { ip: '203.0.113.7', headers: {} } as unknown as FastifyRequest;
    const registry = {} as TenantRegistry;
    assert.deepEqual(
      limitSubjects(anonymous, 'default', registry).map((s) => s.key),
      ['ip:203.0.113.7'],
    );
    const login = {
      ip: '203.0.113.7',
      headers: { authorization: `Basic ${Buffer.from('demo-3pl:pw').toString('base64')}` },
    } as unknown as FastifyRequest;
    assert.deepEqual(
      limitSubjects(login, 'token', registry).map((s) => s.key),
      ['token-ip:203.0.113.7', 'token-client:203.0.113.7|demo-3pl'],
    );
  });
});
