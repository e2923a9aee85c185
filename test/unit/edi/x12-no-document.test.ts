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
    errors.map((d) => [d.rule, d.code, d.segmentId, d.segmentPosition, d.loopId]),
    [
      ['STATUS_SEGMENT_MISSING', '3', 'AT7', 4, '0205'],
      ['NO_DOCUMENT', '5', 'ST', 1, undefined],
    ],
  );
  assert.match(errors[1]!.message, /yields no TrackingEvent/);
  // AK502 5 "one or more segments in error" names the segment: the AT7 the LX lacks, where it
  // belongs (after LX, position 4), in its loop (0205), AK304 3 "required segment missing".
  assert.match(r.acks.join(''), /AK2\*214\*0001~AK3\*AT7\*4\*0205\*3~AK5\*R\*5~AK9\*R\*1\*1\*0~/);
});

test('each LX without AT7 is named, at the segment after its LX', async () => {
  const text =
    `${ISA}GS*QM*SENDERID*RECEIVERID*20261127*0930*1*X*004010~` +
    'ST*214*0001~B10*PRO1*SHP1*ABCD~LX*1~L11*BOL9*BM~LX*2~SE*6*0001~GE*1*1~IEA*1*000000001~';
  const r = await translateBuffer(text, goldenOptions());
  assert.deepEqual(r.documents, []);
  assert.match(
    r.acks.join(''),
    /AK2\*214\*0001~AK3\*AT7\*4\*0205\*3~AK3\*AT7\*6\*0205\*3~AK5\*R\*5~AK9\*R\*1\*1\*0~/,
  );
});

test('in a 999 the missing AT7 is IK3 I6: the standard makes it optional, this implementation needs it', async () => {
  const text =
    'ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*^*00501*000000001*0*P*>~' +
    'GS*QM*SENDERID*RECEIVERID*20261127*0930*1*X*005010~' +
    'ST*214*0001~B10*PRO1*SHP1*ABCD~LX*1~L11*BOL9*BM~SE*5*0001~GE*1*1~IEA*1*000000001~';
  const r = await translateBuffer(text, goldenOptions());
  assert.deepEqual(r.documents, []);
  assert.match(
    r.acks.join(''),
    /~AK2\*214\*0001~IK3\*AT7\*4\*0205\*I6~(CTX\*[^~]*~)?IK5\*R\*5~AK9\*R\*1\*1\*0~/,
  );
});
