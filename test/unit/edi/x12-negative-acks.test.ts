import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { translateBuffer } from '../../../src/edi/translate.js';
import {
  goldenOptions,
  listX12Fixtures,
  X12_FIXTURES,
  x12Fixture,
  x12FixtureText,
} from './x12-fixture-support.js';

/** The precise code each negative fixture must be acknowledged with (EDI-RULES.md). */
const EXPECTED: Record<string, RegExp> = {
  'isa-iea-control-mismatch': /TA1\*000000100\*261127\*0930\*R\*001~/,
  'iea-group-count': /TA1\*000000100\*261127\*0930\*R\*021~/,
  'iea-missing': /TA1\*000000100\*261127\*0930\*R\*023~/,
  'isa-invalid-date': /TA1\*000000100\*261340\*0930\*R\*014~/,
  'isa-invalid-time': /TA1\*000000100\*261127\*2561\*R\*015~/,
  'isa-invalid-version': /TA1\*000000100\*261127\*0930\*R\*017~/,
  'isa-invalid-usage': /TA1\*000000100\*261127\*0930\*R\*020~/,
  'isa-invalid-sender-qualifier': /TA1\*000000100\*261127\*0930\*R\*005~/,
  'isa-invalid-control-number': /TA1\*00000010A\*261127\*0930\*R\*018~/,
  'gs-ge-control-mismatch': /AK9\*R\*1\*1\*1\*4~/,
  'ge-set-count': /AK9\*R\*3\*1\*1\*5~/,
  'ge-missing': /AK9\*R\*1\*1\*1\*3~/,
  'gs-functional-id-unsupported': /AK1\*XX\*100~.*AK9\*R\*1\*1\*1\*1~/,
  'st-se-control-mismatch': /AK2\*856\*0100~AK5\*R\*3~AK9\*R\*1\*1\*0~/,
  'se-segment-count': /AK2\*856\*0100~AK5\*R\*4~/,
  'se-missing': /AK2\*856\*0100~AK5\*R\*2~/,
  'st-control-duplicate': /AK2\*856\*0100~AK5\*A~AK2\*856\*0100~AK5\*R\*23~AK9\*P\*2\*2\*1~/,
  'bsn-missing': /AK3\*BSN\*2\*\*3~AK5\*R\*5~/,
  // AK404/IK404 copy the element in error.
  'bsn-invalid-code': /AK3\*BSN\*2\*\*8~AK4\*1\*\*7\*99~AK5\*R\*5~/,
  'bsn-invalid-date': /AK3\*BSN\*2\*\*8~AK4\*3\*\*8\*20261332~AK5\*R\*5~/,
  '5010-bsn-invalid-date-time-999':
    /ST\*999\*0001\*005010X231A1~AK1\*SH\*100\*005010~AK2\*856\*0100~IK3\*BSN\*2\*\*8~CTX\*BSN02>SHP-REPL-1~IK4\*3\*\*8\*20261301~IK4\*4\*\*9\*2399~IK5\*R\*5~AK9\*R\*1\*1\*0~/,
  'hl-parent-missing': /AK3\*HL\*8\*\*8~AK4\*2\*\*8~AK5\*R\*5~/,
  // Syntax notes: DTM C0403 (a time code without a time), N1 P0304 (a qualifier without its id).
  'conditional-element-missing': /AK3\*DTM\*3\*\*8~AK4\*3\*\*2~AK3\*N1\*6\*\*8~AK4\*4\*\*2~AK5\*R\*5~/,
  // The same errors in 5010: each IK4 followed by the CTX naming what triggered the requirement
  // (CTX04 the loop id, CTX05 the element, CTX06 its reference number: DTM04 623, N103 66).
  '5010-situational-trigger-999':
    /IK3\*DTM\*3\*\*8~CTX\*BSN02>SHP-CTX-1~IK4\*3\*\*2~CTX\*SITUATIONAL TRIGGER\*DTM\*3\*\*4\*623~IK3\*N1\*6\*\*8~CTX\*BSN02>SHP-CTX-1~IK4\*4\*\*2~CTX\*SITUATIONAL TRIGGER\*N1\*6\*N1\*3\*66~IK5\*R\*5~/,
  // N4 E0207: a state and a country subdivision together; IK4 code 10 with the excluded N407
  // copied, triggered by N402 (156).
  '5010-exclusion-violated-999':
    /IK3\*N4\*6\*\*8~CTX\*BSN02>SHP-CTX-2~IK4\*7\*\*10\*IL~CTX\*SITUATIONAL TRIGGER\*N4\*6\*N1\*2\*156~IK5\*R\*5~/,
};

test('every negative fixture has an expected code', () => {
  assert.deepEqual(
    listX12Fixtures('negative')
      .map((f) => f.slice(0, -4))
      .sort(),
    Object.keys(EXPECTED).sort(),
  );
});

for (const file of listX12Fixtures('negative')) {
  const name = file.slice(0, -4);
  test(`negative ${name}: exact ack and an error diagnostic`, async () => {
    const r = await translateBuffer(x12Fixture(`negative/${file}`), goldenOptions());
    const ack = r.acks.join('');
    if (process.env['UPDATE_GOLDEN'] === '1')
      writeFileSync(join(X12_FIXTURES, 'negative', `${name}.ack.edi`), ack);
    assert.equal(ack, x12FixtureText(`negative/${name}.ack.edi`));
    assert.match(ack, EXPECTED[name]!);
    assert.equal(r.ok, false);
    // The acknowledgement goes back to the sender: the envelope is reversed.
    assert.match(ack, /^ISA\*00\* {10}\*00\* {10}\*ZZ\*RECEIVERID {5}\*ZZ\*SENDERID {7}\*/);
  });
}

test('an interchange whose ISA is broken is not processed: TA1 only, no 997, no documents', async () => {
  const r = await translateBuffer(x12Fixture('negative/isa-invalid-version.edi'), goldenOptions());
  assert.equal(r.documents.length, 0);
  assert.doesNotMatch(r.acks.join(''), /ST\*997/);
});
