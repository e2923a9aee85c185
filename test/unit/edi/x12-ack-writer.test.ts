import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeWindows1252 } from '../../../src/edi/edi-character-sets.js';
import { ackFor, translateBuffer } from '../../../src/edi/translate.js';
import { StreamDecoder } from '../../../src/edi/x12-tokenizer.js';
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

/**
 * The bsn-invalid-code fixture with BSN01 (353, ID 2/2) replaced by the bytes `code`: the AK404/IK404
 * copy of it is the non-ASCII data the ack sends back.
 */
function badCode(code: Buffer, version: '004010' | '005010' = '004010'): Buffer {
  let text = x12Fixture('negative/bsn-invalid-code.edi').toString('latin1');
  if (version === '005010') text = text.replace('*U*00401*', '*^*00501*').replace('*X*004010~', '*X*005010~');
  const [head, tail] = text.split('BSN*99*');
  return Buffer.concat([Buffer.from(`${head}BSN*`, 'latin1'), code, Buffer.from(`*${tail}`, 'latin1')]);
}

// "€é": Windows-1252 0x80 0xE9 (not UTF-8: the reader falls back to Windows-1252), or UTF-8.
const CP1252 = Buffer.from([0x80, 0xe9]);
const UTF8 = Buffer.from('€é', 'utf8');

test("an ack answers in the bytes the interchange came in: the AK404/IK404 copy is the partner's own bytes", async () => {
  for (const version of ['004010', '005010'] as const) {
    const single = await translateBuffer(badCode(CP1252, version), goldenOptions());
    const [bytes] = single.ackBytes;
    const copy = version === '005010' ? 'IK4*1*353*7*' : 'AK4*1*353*7*';
    assert.ok(single.acks[0]!.includes(`${copy}€é~`), single.acks[0]);
    assert.ok(bytes!.includes(Buffer.concat([Buffer.from(copy), CP1252, Buffer.from('~')])), version);
    assert.ok(!bytes!.includes(UTF8), `${version}: no UTF-8 for a Windows-1252 interchange`);
    // One byte per character: the bytes are the text, in the partner's character set.
    assert.equal(bytes!.length, single.acks[0]!.length);

    const utf8 = await translateBuffer(badCode(UTF8, version), goldenOptions());
    assert.ok(
      utf8.ackBytes[0]!.includes(Buffer.concat([Buffer.from(copy), UTF8, Buffer.from('~')])),
      version,
    );
    assert.deepEqual(utf8.ackBytes[0], Buffer.from(utf8.acks[0]!, 'utf8'));
  }
  const viaAckFor = await ackFor(badCode(CP1252), goldenOptions());
  assert.ok(viaAckFor.bytes.includes(Buffer.from([0x2a, 0x80, 0xe9, 0x7e])));
});

test("a copy of bad data holds no character the ack's bytes cannot carry (an interchange of two encodings)", async () => {
  // "Ω" arrives in UTF-8, then an invalid UTF-8 byte turns the rest of the input to Windows-1252:
  // the interchange is answered in Windows-1252, which has no Ω; its copy becomes a space.
  const input = Buffer.concat([
    badCode(Buffer.from('Ωx', 'utf8')).subarray(0, -1),
    Buffer.from([0xe9, 0x0a]),
  ]);
  const r = await translateBuffer([input.subarray(0, 200), input.subarray(200)], goldenOptions());
  const ack = r.acks[0]!;
  assert.match(ack, /AK4\*1\*353\*7\* x~/, ack);
  assert.equal(r.ackBytes[0]!.length, ack.length);
});

// The compiled CLI module, wherever the tests were compiled to (dist/ or elsewhere).
const commands = fileURLToPath(new URL('../../../src/cli/edi-commands.js', import.meta.url));
const script = `import { Command } from 'commander'; import { registerEdiCommands } from ${JSON.stringify(commands)};
const p = new Command('crossdock'); registerEdiCommands(p); await p.parseAsync(process.argv.slice(1), { from: 'user' });`;

test('crossdock ack writes an X12 ack in the bytes the interchange came in (Windows-1252 stays one byte)', () => {
  for (const [input, copy] of [
    [badCode(CP1252), CP1252],
    [badCode(UTF8), UTF8],
  ] as const) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', 'ack', '-'], {
      input,
      cwd: process.cwd(),
    });
    assert.equal(r.status, 1, r.stderr.toString());
    assert.ok(r.stdout.includes(Buffer.concat([Buffer.from('AK4*1*353*7*'), copy, Buffer.from('~')])));
  }
});

test('every byte a Windows-1252 input can hold is written back as itself', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const decoder = new StreamDecoder();
  const text = decoder.write(all) + decoder.end();
  assert.equal(decoder.singleByte, true);
  assert.deepEqual(encodeWindows1252(text), all);
});
