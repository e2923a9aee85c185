import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { translateBuffer } from '../../../src/edi/translate.js';
import { sequentialControlNumbers } from '../../../src/edi/x12-writer.js';
import { renumberEnvelopes } from '../../../src/messages/control-numbers.js';

const NOW = () => new Date('2026-11-27T09:30:00Z');

/** Every inbound fixture: X12 with odd delimiters, TA1s and rejections; EDIFACT with release characters. */
function fixtures(): string[] {
  const dirs = [
    'test/fixtures/edi/x12',
    'test/fixtures/edi/x12/negative',
    'test/fixtures/edi/edifact/valid',
    'test/fixtures/edi/edifact/negative',
  ];
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.edi') && !name.endsWith('.ack.edi'))
      .map((name) => join(dir, name)),
  );
}

test('acks written with provisional numbers and renumbered read exactly as acks written with the final numbers', async () => {
  let acks = 0;
  for (const file of fixtures()) {
    const input = readFileSync(file);
    // The pipeline's way: the engine's own numbers (from 1), replaced when stored.
    const provisional = await translateBuffer(input, { acks: true, now: NOW });
    // The reference: the engine handed the final numbers (from 42) while it writes.
    const direct = await translateBuffer(input, {
      acks: true,
      now: NOW,
      controlNumbers: sequentialControlNumbers(42),
    });
    assert.deepEqual(
      provisional.acks.map((ack) => renumberEnvelopes(ack, (_kind, number) => number + 41)),
      direct.acks,
      file,
    );
    acks += direct.acks.length;
  }
  assert.ok(acks > 60, `${acks} acknowledgements compared`);
});

test('a trailer renumbered with the number its header was given, X12 padding kept', () => {
  const ack =
    'ISA*00*          *00*          *ZZ*RECEIVERID     *ZZ*SENDERID       *261127*0930*U*00401*000000001*0*P*>~' +
    'TA1*000000007*261127*0930*A*000~GS*FA*R*S*20261127*0930*1*X*004010~ST*997*0001~AK1*IM*5~AK9*A*1*1*1~SE*4*0001~GE*1*1~' +
    'GS*FA*R*S*20261127*0930*2*X*004010~ST*997*0002~AK1*SH*6~AK9*A*1*1*1~SE*4*0002~GE*1*2~IEA*2*000000001~';
  const drawn: string[] = [];
  const next = { interchange: 1_000_000, group: 77, transaction: 12_344 };
  const finals = new Map<string, number>();
  const text = renumberEnvelopes(ack, (kind, provisional, opens) => {
    const key = `${kind}:${provisional}`;
    if (opens) {
      drawn.push(key);
      finals.set(key, ++next[kind]);
    }
    return finals.get(key)!;
  });
  assert.deepEqual(drawn, ['interchange:1', 'group:1', 'transaction:1', 'group:2', 'transaction:2']);
  assert.equal(
    text,
    'ISA*00*          *00*          *ZZ*RECEIVERID     *ZZ*SENDERID       *261127*0930*U*00401*001000001*0*P*>~' +
      // TA101 and AK1/AK2 name the partner's numbers: untouched.
      'TA1*000000007*261127*0930*A*000~GS*FA*R*S*20261127*0930*78*X*004010~ST*997*12345~AK1*IM*5~AK9*A*1*1*1~SE*4*12345~GE*1*78~' +
      'GS*FA*R*S*20261127*0930*79*X*004010~ST*997*12346~AK1*SH*6~AK9*A*1*1*1~SE*4*12346~GE*1*79~IEA*2*001000001~',
  );
});

test('a CONTRL takes its new UNB/UNZ reference past released separators in the UNB', () => {
  const contrl =
    "UNA:+.? '\nUNB+UNOC:3+A?+B?'C:ZZ+R?:1:ZZ+261127:0930+3'\nUNH+1+CONTRL:D:3:UN'\nUCI+IC1+A:ZZ+R:ZZ+7'\nUNT+3+1'\nUNZ+1+3'\n";
  assert.equal(
    renumberEnvelopes(contrl, () => 1234),
    "UNA:+.? '\nUNB+UNOC:3+A?+B?'C:ZZ+R?:1:ZZ+261127:0930+1234'\nUNH+1+CONTRL:D:3:UN'\nUCI+IC1+A:ZZ+R:ZZ+7'\nUNT+3+1'\nUNZ+1+1234'\n",
  );
});

test('an ack whose segment terminator is an astral character is renumbered whole: header and trailers agree', async () => {
  const isa =
    'ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*U*00401*000000001*0*P*>';
  const t = '\u{1F600}';
  const input = `${isa}${t}GS*SH*SENDERID*RECEIVERID*20261127*0930*1*X*004010${t}ST*856*0001${t}BSN*00*SHP1*20261127*0930*0001${t}HL*1**S*1${t}HL*2*1*O*1${t}PRF*PO1${t}HL*3*2*I*0${t}LIN*1*BP*A${t}SN1**1*EA${t}SE*9*0001${t}GE*1*1${t}IEA*1*000000001${t}`;
  const provisional = await translateBuffer(input, { acks: true, now: NOW });
  const direct = await translateBuffer(input, {
    acks: true,
    now: NOW,
    controlNumbers: sequentialControlNumbers(42),
  });
  assert.equal(provisional.acks.length, 1);
  assert.match(provisional.acks[0]!, /IEA\*1\*000000001\u{1F600}$/u);
  assert.deepEqual(
    provisional.acks.map((ack) => renumberEnvelopes(ack, (_kind, number) => number + 41)),
    direct.acks,
  );
});

test('an ack whose trailers cannot be found is refused, never stored half renumbered', () => {
  const ack =
    'ISA*00*          *00*          *ZZ*R              *ZZ*S              *261127*0930*U*00401*000000001*0*P*>~GS*FA*R*S*20261127*0930*1*X*004010~ST*997*0001~AK1*IM*5~AK9*A*1*1*1~';
  assert.throws(() => renumberEnvelopes(ack, (_kind, number) => number + 1), /not closed as opened/);
});
