import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryWindowCounter } from '../../../src/rate-limit/memory-window-counter.js';

test('a window starts at the first request of a key, counts per key and starts over once it has passed', () => {
  const counter = new MemoryWindowCounter();
  try {
    const t0 = 1_000_000;
    assert.deepEqual(counter.consume('a', 10, t0), { consumed: 1, msBeforeNext: 10_000 });
    assert.deepEqual(counter.consume('a', 10, t0 + 2_500), { consumed: 2, msBeforeNext: 7_500 });
    assert.deepEqual(counter.consume('b', 10, t0 + 2_500), { consumed: 1, msBeforeNext: 10_000 });
    assert.deepEqual(counter.consume('a', 10, t0 + 9_999), { consumed: 3, msBeforeNext: 1 });
    assert.deepEqual(counter.consume('a', 10, t0 + 10_000), { consumed: 1, msBeforeNext: 10_000 });
  } finally {
    counter.close();
  }
});
