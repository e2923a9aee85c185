import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loadConfig } from '../../../src/config/app-config.js';
import { ProblemException } from '../../../src/common/problem/problem-details.js';
import {
  LOCKOUT_SECONDS,
  LoginThrottle,
  MAX_CLIENT_FAILURES,
  MAX_IP_FAILURES,
  MAX_PAIR_FAILURES,
} from '../../../src/rate-limit/login-throttle.js';
import { claimedClientId } from '../../../src/rate-limit/rate-limit-subjects.js';
import { RateLimiterStore } from '../../../src/rate-limit/rate-limiter-store.js';

const config: AppConfig = loadConfig({});

describe('LoginThrottle (memory store)', () => {
  test('five failures lock the client id + IP pair out; other pairs are untouched', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    for (let i = 0; i < MAX_PAIR_FAILURES; i += 1) {
      await throttle.check('demo-carrier', '203.0.113.7');
      await throttle.fail('demo-carrier', '203.0.113.7');
    }
    await assert.rejects(throttle.check('demo-carrier', '203.0.113.7'), (error: unknown) => {
      assert.ok(error instanceof ProblemException);
      assert.equal(error.status, 429);
      assert.equal(error.code, 'too-many-requests');
      const retry = Number(error.headers['Retry-After']);
      assert.ok(retry > LOCKOUT_SECONDS - 5 && retry <= LOCKOUT_SECONDS, String(retry));
      return true;
    });
    await throttle.check('demo-carrier', '203.0.113.8');
    await throttle.check('demo-3pl', '203.0.113.7');
  });

  test('a success clears the consecutive failures', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    for (let i = 0; i < MAX_PAIR_FAILURES - 1; i += 1) await throttle.fail('demo-3pl', '198.51.100.1');
    await throttle.succeed('demo-3pl', '198.51.100.1');
    for (let i = 0; i < MAX_PAIR_FAILURES - 1; i += 1) await throttle.fail('demo-3pl', '198.51.100.1');
    await throttle.check('demo-3pl', '198.51.100.1');
  });
});

describe('LoginThrottle against credential stuffing', () => {
  test('an IP failing across many client ids is locked out for every client id', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    for (let i = 0; i < MAX_IP_FAILURES; i += 1) await throttle.fail(`victim-${i}`, '192.0.2.99');
    await assert.rejects(
      throttle.check('never-tried', '192.0.2.99'),
      (error: unknown) => error instanceof ProblemException && error.status === 429,
    );
    await throttle.check('never-tried', '192.0.2.100');
  });
});

const lockedOut = (error: unknown): boolean => {
  assert.ok(error instanceof ProblemException);
  assert.equal(error.status, 429);
  assert.ok(Number(error.headers['Retry-After']) >= 1);
  return true;
};

describe('LoginThrottle over IPv6', () => {
  test('the addresses of one /64 share one pair lockout; the next /64 does not', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    for (let i = 1; i <= MAX_PAIR_FAILURES; i += 1) await throttle.fail('demo-carrier', `2001:db8:a:1::${i}`);
    await assert.rejects(throttle.check('demo-carrier', '2001:db8:a:1:ffff::99'), lockedOut);
    await throttle.check('demo-carrier', '2001:db8:a:2::1');
  });

  test('the addresses of one /64 share one source lockout across client ids', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    for (let i = 0; i < MAX_IP_FAILURES; i += 1)
      await throttle.fail(`victim-${i}`, `2001:db8:b:1:${(i + 1).toString(16)}::1`);
    await assert.rejects(throttle.check('never-tried', '2001:db8:b:1::abcd'), lockedOut);
    await throttle.check('never-tried', '2001:db8:b:2::1');
  });

  test('an IPv4-mapped address shares the lockout of its IPv4', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    for (let i = 0; i < MAX_PAIR_FAILURES; i += 1)
      await throttle.fail('demo-carrier', i % 2 ? '::ffff:198.51.100.9' : '198.51.100.9');
    await assert.rejects(throttle.check('demo-carrier', '198.51.100.9'), lockedOut);
    await assert.rejects(throttle.check('demo-carrier', '::ffff:198.51.100.9'), lockedOut);
  });
});

describe('LoginThrottle against guessing spread over many sources', () => {
  // One failure from each of MAX_CLIENT_FAILURES + 1 addresses: no pair or source lockout anywhere.
  const spreadGuessing = async (throttle: LoginThrottle, clientId: string): Promise<void> => {
    for (let i = 0; i <= MAX_CLIENT_FAILURES; i += 1)
      await throttle.fail(clientId, `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`);
  };

  test('under the limit a source that failed once may still guess', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    for (let i = 0; i < MAX_CLIENT_FAILURES; i += 1)
      await throttle.fail('demo-carrier', `10.1.${i >> 8}.${i & 0xff}`);
    await throttle.check('demo-carrier', '10.1.0.0');
  });

  test('over the limit every source that has failed this hour is refused; a new source gets one guess', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    await spreadGuessing(throttle, 'demo-carrier');
    await assert.rejects(throttle.check('demo-carrier', '10.0.0.1'), lockedOut);
    await throttle.check('demo-carrier', '192.0.2.200');
    await throttle.fail('demo-carrier', '192.0.2.200');
    await assert.rejects(throttle.check('demo-carrier', '192.0.2.200'), lockedOut);
    // An IPv6 attacker gets one guess per /64, not per address.
    await throttle.fail('demo-carrier', '2001:db8:c:1::1');
    await assert.rejects(throttle.check('demo-carrier', '2001:db8:c:1::2'), lockedOut);
    // Other client ids are untouched.
    await throttle.check('demo-3pl', '10.0.0.1');
  });

  test('the client from a clean address, or one whose failure a success cleared, keeps its token', async () => {
    const throttle = new LoginThrottle(new RateLimiterStore(config));
    await throttle.fail('demo-carrier', '203.0.113.20');
    await throttle.succeed('demo-carrier', '203.0.113.20');
    await spreadGuessing(throttle, 'demo-carrier');
    await throttle.check('demo-carrier', '203.0.113.20');
    await throttle.check('demo-carrier', '203.0.113.21');
  });
});

describe('claimed client id of a token request', () => {
  const request = (headers: Record<string, string>, body?: unknown) =>
    ({ headers, body }) as unknown as FastifyRequest;
  test('from HTTP Basic (form-decoded) or the form body, never more than the id', () => {
    const basic = Buffer.from('demo%2Dcarrier:s3cret').toString('base64');
    assert.equal(claimedClientId(request({ authorization: `Basic ${basic}` })), 'demo-carrier');
    assert.equal(claimedClientId(request({}, { client_id: 'demo-3pl', client_secret: 'x' })), 'demo-3pl');
    assert.equal(claimedClientId(request({ authorization: 'Bearer abc' })), undefined);
  });
});
