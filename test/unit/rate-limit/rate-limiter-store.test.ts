import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { loadConfig } from '../../../src/config/app-config.js';
import type { LimitWindow } from '../../../src/rate-limit/rate-limit-policy.js';
import { RateLimiterStore } from '../../../src/rate-limit/rate-limiter-store.js';

const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const burst: LimitWindow = { name: 'burst', points: 3, seconds: 2 };
const daily: LimitWindow = { name: 'daily', points: 5, seconds: 86_400 };

describe('RateLimiterStore with Redis', () => {
  const prefix = `crossdock-test-${randomBytes(4).toString('hex')}`;
  const store = new RateLimiterStore({ ...loadConfig({}), redisUrl: REDIS_URL, redisKeyPrefix: prefix });
  const redis = new Redis(REDIS_URL);
  // Until its connection is ready the store counts in memory (the insurance): wait for Redis.
  before(async () => {
    for (let i = 0; i < 100; i += 1) {
      await store.consume('warm-up', [burst]);
      if ((await redis.exists(`${prefix}:req:2:3:{warm-up}`)) === 1) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the store never reached Redis');
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await store.onApplicationShutdown();
  });

  test('counts every window in one script, as rate-limiter-flexible counts each (the reference)', async () => {
    const reference = [burst, daily].map(
      (w) =>
        new RateLimiterRedis({
          storeClient: redis,
          points: w.points,
          duration: w.seconds,
          keyPrefix: `${prefix}-reference:${w.name}`,
        }),
    );
    for (let i = 1; i <= 7; i += 1) {
      const ours = await store.consume('partner-a', [burst, daily]);
      const theirs = await Promise.all(
        reference.map((limiter) =>
          limiter.consume('partner-a').then(
            (res) => ({ res, exceeded: false }),
            (res: RateLimiterRes) => ({ res, exceeded: true }),
          ),
        ),
      );
      assert.deepEqual(
        ours.map((s) => [s.window.name, s.remaining, s.exceeded]),
        theirs.map((t, w) => [[burst, daily][w]!.name, Math.max(0, t.res.remainingPoints), t.exceeded]),
        `request ${i}`,
      );
      assert.deepEqual(
        ours.map((s) => s.resetSeconds),
        theirs.map((t) => Math.max(1, Math.ceil(t.res.msBeforeNext / 1000))),
      );
    }
    // Another subject has its own counters; all of a subject's windows share one cluster slot.
    const other = await store.consume('partner-b', [burst, daily]);
    assert.deepEqual(
      other.map((s) => [s.remaining, s.exceeded]),
      [
        [2, false],
        [4, false],
      ],
    );
    assert.deepEqual((await redis.keys(`${prefix}:req:*{partner-a}`)).sort(), [
      `${prefix}:req:2:3:{partner-a}`,
      `${prefix}:req:86400:5:{partner-a}`,
    ]);
  });

  test('a window starts at its first request and ends after its duration', async () => {
    const short: LimitWindow = { name: 'short', points: 1, seconds: 1 };
    assert.equal((await store.consume('partner-c', [short]))[0]!.exceeded, false);
    assert.equal((await store.consume('partner-c', [short]))[0]!.exceeded, true);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await store.consume('partner-c', [short]))[0]!.exceeded, false);
  });

  test('a counter left without an expiry gets one instead of limiting for ever', async () => {
    await redis.set(`${prefix}:req:1:1:{partner-d}`, '5');
    const [state] = await store.consume('partner-d', [{ name: 'short', points: 1, seconds: 1 }]);
    assert.equal(state!.exceeded, true);
    const ttl = await redis.pttl(`${prefix}:req:1:1:{partner-d}`);
    assert.ok(ttl > 0 && ttl <= 1000, String(ttl));
  });
});

describe('RateLimiterStore when Redis cannot be reached', () => {
  test('counts on this node alone (insurance), still refusing over the limit', async () => {
    const store = new RateLimiterStore({ ...loadConfig({}), redisUrl: 'redis://127.0.0.1:1' });
    try {
      const states = [];
      for (let i = 0; i < 4; i += 1) states.push((await store.consume('partner-e', [burst]))[0]!);
      assert.deepEqual(
        states.map((s) => [s.remaining, s.exceeded]),
        [
          [2, false],
          [1, false],
          [0, false],
          [0, true],
        ],
      );
    } finally {
      await store.onApplicationShutdown();
    }
  });
});
