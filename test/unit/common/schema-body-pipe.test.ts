import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaBodyPipe } from '../../../src/common/http/schema-body.pipe.js';
import { ValidationProblem } from '../../../src/common/problem/problem-details.js';

const pipe = new SchemaBodyPipe<Record<string, unknown>>({
  type: 'object',
  required: ['state'],
  properties: { state: { type: 'string' }, partnerId: { type: 'string' }, tags: { type: 'array' } },
});

function pointers(body: unknown): string[] {
  try {
    pipe.transform(body);
    return [];
  } catch (error) {
    assert.ok(error instanceof ValidationProblem, String(error));
    assert.equal(error.status, 422);
    return (error.extensions['errors'] as { pointer: string }[]).map((e) => e.pointer);
  }
}

test('a JSON body with a NUL or a lone surrogate in any string is refused by pointer, not passed to a query', () => {
  assert.deepEqual(pointers({ state: 'rejected', partnerId: 'a\u0000b' }), ['/partnerId']);
  assert.deepEqual(pointers({ state: 'rejected', tags: ['ok', 'x\uD800'] }), ['/tags/1']);
  assert.deepEqual(pointers({ state: 'rejected', partnerId: 'demo-edi', tags: ['é', '\uD83D\uDE00'] }), []);
});

test('schema errors and unstorable text are reported together', () => {
  assert.deepEqual(pointers({ partnerId: '\u0000' }).sort(), ['/partnerId', '/state']);
});

test('a field the schema already refuses is named once', () => {
  const strict = new SchemaBodyPipe<Record<string, unknown>>({
    type: 'object',
    properties: { url: { type: 'string', pattern: '^[^\\u0000-\\u001f]*$' } },
  });
  try {
    strict.transform({ url: 'https://example.com/ho\u0000ok' });
    assert.fail('refused');
  } catch (error) {
    assert.ok(error instanceof ValidationProblem);
    assert.deepEqual(
      (error.extensions['errors'] as { pointer: string }[]).map((e) => e.pointer),
      ['/url'],
    );
  }
});
