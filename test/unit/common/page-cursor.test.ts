import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePageCursor, encodePageCursor } from '../../../src/common/page-cursor.js';
import { ProblemException } from '../../../src/common/problem/problem-details.js';

const isInvalidCursor = (error: unknown): boolean =>
  error instanceof ProblemException && error.status === 400 && error.code === 'invalid-cursor';

describe('page cursors', () => {
  test('a cursor gives back the position it was made from, whatever the id holds', () => {
    for (const position of [
      { at: '1795779322589123', id: '0b1c7a52-53a4-4d3e-9a63-0d9b1f0b7c11' },
      { at: '0', id: 'SHIP.42|part/2 é' },
    ]) {
      const cursor = encodePageCursor(position);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/, 'opaque and URL-safe');
      assert.deepEqual(decodePageCursor(cursor), position);
    }
  });

  test('anything this API did not make is a 400 invalid-cursor, never a crash', () => {
    for (const cursor of ['', 'bm9wZQ', Buffer.from('abc.id').toString('base64url'), '%%%']) {
      assert.throws(() => decodePageCursor(cursor), isInvalidCursor, cursor);
    }
    const tooLong = encodePageCursor({ at: '1', id: 'x'.repeat(201) });
    assert.throws(() => decodePageCursor(tooLong), isInvalidCursor);
  });

  test('a list can narrow the ids it accepts', () => {
    const uuid = /^[0-9a-f-]{36}$/;
    const ok = encodePageCursor({ at: '5', id: '0b1c7a52-53a4-4d3e-9a63-0d9b1f0b7c11' });
    assert.equal(decodePageCursor(ok, uuid).at, '5');
    assert.throws(
      () => decodePageCursor(encodePageCursor({ at: '5', id: 'not-a-uuid' }), uuid),
      isInvalidCursor,
    );
  });
});
