import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ssccFromGs1, ssccToGs1 } from '../../../src/edi/gs1-sscc.js';

test('MAN*GM: the AI 00 comes off an SSCC on the way in and goes back on the way out; other values pass', () => {
  assert.equal(ssccFromGs1('00012345678901234567'), '012345678901234567');
  assert.equal(ssccToGs1('012345678901234567'), '00012345678901234567');
  // Partners that send the SSCC-18 without its AI, or something else, are read as sent.
  assert.equal(ssccFromGs1('012345678901234567'), '012345678901234567');
  assert.equal(ssccFromGs1('10012345678901234567'), '10012345678901234567');
  assert.equal(ssccToGs1('PALLET-7'), 'PALLET-7');
});
