import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { loadConfig } from '../../../src/config/app-config.js';
import { ANONYMOUS_RULE, TOKEN_PER_CLIENT_RULE } from '../../../src/rate-limit/rate-limit-policy.js';
import { TOKEN_GROUP } from '../../../src/rate-limit/rate-limit-route-groups.js';
import { limitSubjects } from '../../../src/rate-limit/rate-limit-subjects.js';
import { RateLimiterStore } from '../../../src/rate-limit/rate-limiter-store.js';
import { TenantRegistry } from '../../../src/tenancy/tenant-registry.js';

const tenants = new TenantRegistry([]);

function tokenRequest(ip: string, clientId: string, secret: string): FastifyRequest {
  return {
    ip,
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: { grant_type: 'client_credentials' },
  } as unknown as FastifyRequest;
}

describe('token endpoint limits: who a request counts against', () => {
  const store = new RateLimiterStore(loadConfig({}));
  after(() => store.onApplicationShutdown());

  const refused = (request: FastifyRequest): boolean => {
    const states = limitSubjects(request, TOKEN_GROUP, tenants).flatMap((subject) => {
      const counted = store.consume(subject.key, subject.windows);
      assert.ok(Array.isArray(counted), 'the memory store answers synchronously');
      return counted;
    });
    return states.some((s) => s.exceeded);
  };

  test("one address spending a client id's quota does not refuse that client from its own address", () => {
    const burst = TOKEN_PER_CLIENT_RULE.burst!;
    const attempts = Array.from({ length: burst + 5 }, (_, i) =>
      refused(tokenRequest('198.51.100.66', 'demo-carrier', `guess-${i}`)),
    );
    assert.deepEqual(
      attempts.slice(0, burst),
      Array.from({ length: burst }, () => false),
    );
    assert.ok(attempts.slice(burst).every(Boolean), 'the flooding address is limited');
    assert.equal(refused(tokenRequest('203.0.113.20', 'demo-carrier', 'demo-carrier-secret')), false);
    // Other client ids from the flooding address still have their own quota (up to the IP's).
    assert.equal(refused(tokenRequest('198.51.100.66', 'demo-3pl', 'demo-3pl-secret')), false);
  });

  test('a whole IPv6 /64 shares one quota; an IPv4-mapped address shares its IPv4 quota', () => {
    const burst = TOKEN_PER_CLIENT_RULE.burst!;
    // Every attempt from another address of one /64: still one source.
    const attempts = Array.from({ length: burst + 3 }, (_, i) =>
      refused(tokenRequest(`2001:db8:66:1::${(i + 1).toString(16)}`, 'demo-carrier', `guess-${i}`)),
    );
    assert.ok(attempts.slice(burst).every(Boolean), attempts.join(' '));
    assert.equal(refused(tokenRequest('2001:db8:66:2::1', 'demo-carrier', 'demo-carrier-secret')), false);

    const mapped = Array.from({ length: burst + 3 }, (_, i) =>
      refused(tokenRequest(i % 2 ? '::ffff:192.0.2.66' : '192.0.2.66', 'demo-3pl', `guess-${i}`)),
    );
    assert.ok(mapped.slice(burst).every(Boolean), mapped.join(' '));
  });

  test('anonymous routes count a whole IPv6 /64 as one source', () => {
    const burst = ANONYMOUS_RULE.burst!;
    const request = (ip: string) => ({ ip, headers: {} }) as unknown as FastifyRequest;
    const anonymousRefused = (ip: string) =>
      limitSubjects(request(ip), 'jwks', tenants).some((subject) =>
        (store.consume(subject.key, subject.windows) as { exceeded: boolean }[]).some((s) => s.exceeded),
      );
    const answers = Array.from({ length: burst + 2 }, (_, i) =>
      anonymousRefused(`2001:db8:77:1:${i + 1}::1`),
    );
    assert.ok(answers.slice(burst).every(Boolean), answers.join(' '));
    assert.equal(anonymousRefused('2001:db8:77:2::1'), false);
  });
});
