import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions, listX12Fixtures, x12Fixture } from './x12-fixture-support.js';

/** A 5010 group of two 856s (0100 with a bad BSN03 date, 0101 clean) whose GE02 does not match GS06. */
function rejectedGroup(version: '004010' | '005010'): Buffer {
  const isa12 = version === '005010' ? '^*00501' : 'U*00401';
  const set = (control: string, date: string): string =>
    `ST*856*${control}~BSN*05*SHP-${control}*${date}*0930*0004~HL*1**S~SE*4*${control}~`;
  return Buffer.from(
    `ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*${isa12}*000000100*0*P*>~` +
      `GS*SH*SENDERID*RECEIVERID*20261127*0930*100*X*${version}~` +
      set('0100', '20261301') +
      set('0101', '20261127') +
      'GE*2*101~IEA*1*000000100~',
  );
}

test('a rejected group: a set with errors of its own keeps its AK2 loop (R, its own codes), a set rejected only with its group has none', async () => {
  for (const [version, ack5] of [
    ['005010', 'IK5'],
    ['004010', 'AK5'],
  ] as const) {
    const r = await translateBuffer(rejectedGroup(version), goldenOptions());
    const ack = r.acks.join('');
    assert.match(ack, new RegExp(`~AK2\\*856\\*0100~.*~${ack5}\\*R\\*5~AK9\\*R\\*2\\*2\\*0\\*4~`), ack);
    assert.doesNotMatch(ack, /AK2\*856\*0101/, ack);
  }
});

test('no AK5/IK5 that does not accept its set goes without a reason code (AK502/IK502)', async () => {
  const silent: string[] = [];
  for (const dir of ['negative', '']) {
    for (const file of listX12Fixtures(dir)) {
      const r = await translateBuffer(x12Fixture(dir ? `${dir}/${file}` : file), goldenOptions());
      for (const ack of r.acks) {
        // The ack's own delimiters: ISA's fourth character, and what follows ISA16 up to the next segment.
        const element = ack[3]!;
        let at = 0;
        for (let n = 0; n < 16; n++) at = ack.indexOf(element, at + 1);
        const terminator = /^(.+?)(?=GS|TA1|IEA)/s.exec(ack.slice(at + 2))![1]!;
        for (const segment of ack.split(terminator)) {
          const [tag, status, code] = segment.split(element);
          if ((tag === 'AK5' || tag === 'IK5') && status !== 'A' && !code) silent.push(`${file}: ${segment}`);
        }
      }
    }
  }
  assert.deepEqual(silent, []);
});

/** One clean 856 in a group whose GS08 is `gs08`, in an interchange of ISA12 `isa12`. */
const groupOf = (gs08: string, isa12: string): Buffer =>
  Buffer.from(
    `ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*${isa12 === '00401' ? 'U' : '^'}*${isa12}*000000100*0*P*>~` +
      `GS*SH*SENDERID*RECEIVERID*20261127*0930*100*X*${gs08}~` +
      'ST*856*0100~BSN*00*SHP-1*20261127*0930*0004~HL*1**S~SE*4*0100~GE*1*100~IEA*1*000000100~',
  );

test("a 999's GS08 and ST03 name the 999's own guide (X231A1) for any 005010 group, never the inbound guide", async () => {
  for (const gs08 of ['005010', '005010X222A1', '005010X214', '005010X231A1']) {
    const ack = (await translateBuffer(groupOf(gs08, '00501'), goldenOptions())).acks.join('');
    // AK103 echoes the group's GS08 as sent (X231A1 AK103), the envelope names the ack's guide.
    assert.match(
      ack,
      new RegExp(
        `~GS\\*FA\\*[^~]*\\*X\\*005010X231A1~ST\\*999\\*0001\\*005010X231A1~AK1\\*SH\\*100\\*${gs08}~`,
      ),
      `${gs08}: ${ack}`,
    );
  }
});

test('a 999 for a later version than 005010 is in that version, with no implementation convention reference', async () => {
  for (const [gs08, isa12, version] of [
    ['006020', '00602', '006020'],
    ['007030', '00703', '007030'],
    ['007030XYZ', '00703', '007030'],
    ['005050', '00505', '005050'],
  ] as const) {
    const ack = (await translateBuffer(groupOf(gs08, isa12), goldenOptions())).acks.join('');
    // X231A1 is a 005010 guide: it cannot name a 006020 999, nor can the inbound GS08 (a version,
    // or the inbound set's guide): ST03 is optional in the standard, so none.
    assert.match(
      ack,
      new RegExp(`~GS\\*FA\\*[^~]*\\*X\\*${version}~ST\\*999\\*0001~AK1\\*SH\\*100\\*${gs08}~`),
      `${gs08}: ${ack}`,
    );
  }
});

test('a 997 keeps echoing the group GS08, an industry identifier included (004010VICS)', async () => {
  const ack = (await translateBuffer(groupOf('004010VICS', '00401'), goldenOptions())).acks.join('');
  assert.match(ack, /~GS\*FA\*[^~]*\*X\*004010VICS~ST\*997\*0001~AK1\*SH\*100~/, ack);
});
