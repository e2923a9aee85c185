import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loadConfig } from '../../../src/config/app-config.js';
import { ProblemException } from '../../../src/common/problem/problem-details.js';
import {
  LOCKOUT_SECONDS,
  LoginThrottle,
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
