import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationProblem } from '../../../src/common/problem/problem-details.js';
import { MESSAGE_STATES, parseMessageListQuery } from '../../../src/messages/message-list-query.js';

function pointersOf(query: Record<string, string>): string[] {
  try {
    parseMessageListQuery(query);
    return [];
  } catch (error) {
    assert.ok(error instanceof ValidationProblem, String(error));
    assert.equal(error.status, 422);
    return (error.extensions['errors'] as { pointer: string }[]).map((e) => e.pointer);
  }
}

describe('GET /v1/messages query', () => {
  test('a state no message can be in is named, not answered with an empty page', () => {
    assert.deepEqual(pointersOf({ state: 'shipped' }), ['/state']);
    assert.deepEqual(pointersOf({ state: 'DELIVERED' }), ['/state']);
    for (const state of ['received', 'delivered', 'dead_lettered', 'queued', 'acknowledged', 'ack_overdue']) {
      assert.ok(MESSAGE_STATES.includes(state), state);
      assert.deepEqual(pointersOf({ state }), [], state);
      assert.equal(parseMessageListQuery({ state }).state, state);
    }
  });

  test('limit is a plain number of digits', () => {
    for (const limit of ['1e2', '0x10', ' 7', '7 ', '+7', '7.0', '', '0', '201']) {
      assert.deepEqual(pointersOf({ limit }), ['/limit'], JSON.stringify(limit));
    }
    assert.equal(parseMessageListQuery({ limit: '200' }).limit, 200);
    assert.equal(parseMessageListQuery({ limit: '007' }).limit, 7);
    assert.equal(parseMessageListQuery({}).limit, 50);
  });
});
