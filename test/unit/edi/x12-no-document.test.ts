import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions } from './x12-fixture-support.js';

const ISA =
  'ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*U*00401*000000001*0*P*>~';

test('a 214 whose LX loops have no AT7 is rejected (NO_DOCUMENT), not acknowledged with its data lost', async () => {
  const text =
    `${ISA}GS*QM*SENDERID*RECEIVERID*20261127*0930*1*X*004010~` +
    'ST*214*0001~B10*PRO1*SHP1*ABCD~LX*1~L11*BOL9*BM~SE*5*0001~GE*1*1~IEA*1*000000001~';
  const r = await translateBuffer(text, goldenOptions());
  assert.deepEqual(r.documents, []);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => [d.rule, d.code, d.segmentId]),
    [['NO_DOCUMENT', '5', 'ST']],
  );
  assert.match(errors[0]!.message, /yields no TrackingEvent/);
  // No segment to name, yet AK502 says why: 5, content in error (no AK3 claims a segment).
  assert.match(r.acks.join(''), /AK2\*214\*0001~AK5\*R\*5~AK9\*R\*1\*1\*0~/);
});

test('in a 999 the same rejection is IK5 R with IK502 I5: the set is valid X12, its content fails the implementation', async () => {
  const text =
    'ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*^*00501*000000001*0*P*>~' +
    'GS*QM*SENDERID*RECEIVERID*20261127*0930*1*X*005010~' +
    'ST*214*0001~B10*PRO1*SHP1*ABCD~LX*1~L11*BOL9*BM~SE*5*0001~GE*1*1~IEA*1*000000001~';
  const r = await translateBuffer(text, goldenOptions());
  assert.deepEqual(r.documents, []);
  assert.match(r.acks.join(''), /~AK2\*214\*0001~IK5\*R\*I5~AK9\*R\*1\*1\*0~/);
});
