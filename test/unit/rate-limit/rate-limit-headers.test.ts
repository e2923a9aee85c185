import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rateLimitHeaders, type WindowState } from '../../../src/rate-limit/rate-limit-headers.js';

const burst = { name: 'burst', points: 40, seconds: 1 };
const daily = { name: 'daily', points: 200_000, seconds: 86_400 };

describe('RateLimit headers (draft-ietf-httpapi-ratelimit-headers-11)', () => {
  test('an allowed request: every policy, and the one closest to refusing', () => {
    const states: WindowState[] = [
      { window: burst, remaining: 12, resetSeconds: 1, exceeded: false },
      { window: daily, remaining: 199_000, resetSeconds: 80_000, exceeded: false },
    ];
    assert.deepEqual(rateLimitHeaders(states), {
      'RateLimit-Policy': '"burst";q=40;w=1, "daily";q=200000;w=86400',
      RateLimit: '"burst";r=12;t=1',
    });
  });

  test('a refused request names the exceeded window and how long to wait', () => {
    const states: WindowState[] = [
      { window: burst, remaining: 3, resetSeconds: 1, exceeded: false },
      { window: daily, remaining: 0, resetSeconds: 3600, exceeded: true },
    ];
    assert.deepEqual(rateLimitHeaders(states), {
      'RateLimit-Policy': '"burst";q=40;w=1, "daily";q=200000;w=86400',
      RateLimit: '"daily";r=0;t=3600',
      'Retry-After': '3600',
    });
    assert.deepEqual(rateLimitHeaders([]), {});
  });
});
