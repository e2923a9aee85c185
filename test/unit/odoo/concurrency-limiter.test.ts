import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { ConcurrencyLimiter } from '../../../src/odoo/concurrency-limiter.js';

describe('ConcurrencyLimiter', () => {
  test('never runs more than the limit, and runs everything in arrival order', async () => {
    const limiter = new ConcurrencyLimiter(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          running += 1;
          peak = Math.max(peak, running);
          await sleep(5);
          running -= 1;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(started, [...Array(12).keys()]);
    assert.equal(limiter.inFlight, 0);
  });

  test('a failing task frees its slot', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await assert.rejects(
      limiter.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await limiter.run(async () => 'next'), 'next');
  });
});
