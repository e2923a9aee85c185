import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storableJson, storableText } from '../../../src/common/storable-text.js';

test('U+0000 is shown as U+2400 and a lone surrogate as U+FFFD; other text is unchanged', () => {
  assert.equal(storableText('A\u0000B\u0000'), 'A\u2400B\u2400');
  assert.equal(storableText('x\uD800y'), 'x\uFFFDy');
  assert.equal(storableText('\uDC00'), '\uFFFD');
  assert.equal(storableText('paired \uD83D\uDE00 ok, é €'), 'paired \uD83D\uDE00 ok, é €');
  assert.equal(storableText('\\u0000 written out'), '\\u0000 written out');
});

test('storableJson reaches every string, keys included, and keeps the shape', () => {
  const value = {
    message: 'BSN01 "\u0000\u0000"',
    list: ['\uD800', 1, null, true],
    ['k\u0000']: { deep: '\u0000' },
  };
  const json = storableJson(value);
  assert.ok(!json.includes('\\u0000'), json);
  assert.deepEqual(JSON.parse(json), {
    message: 'BSN01 "\u2400\u2400"',
    list: ['\uFFFD', 1, null, true],
    'k\u2400': { deep: '\u2400' },
  });
  assert.equal(storableJson({ plain: 'text', n: 1.5 }), JSON.stringify({ plain: 'text', n: 1.5 }));
});
