import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readX12 } from '../../../src/edi/x12-envelope-reader.js';
import { ackSetIdFor } from '../../../src/edi/x12-ack-writer.js';
import {
  ackVersion,
  duplicateGroupControlCode,
  duplicateSetControlCode,
} from '../../../src/edi/x12-envelope-checks.js';

const isa = (sender: string, icn: number): string =>
  `ISA*00*          *00*          *ZZ*${sender.padEnd(15)}*ZZ*RECEIVERID     *261127*0930*U*00401*${String(icn).padStart(9, '0')}*0*P*>~`;
const interchange = (sender: string, icn: number): string =>
  `${isa(sender, icn)}GS*SH*S*R*20261127*0930*1*X*004010~GE*0*1~IEA*1*${String(icn).padStart(9, '0')}~\n`;

/** ISA13s (with their sender) the reader rejected as repeats (TA1 025). */
async function repeats(text: string): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of readX12([text]))
    if (ev.type === 'interchange-end' && ev.interchange.diagnostics.some((d) => d.code === '025'))
      out.push(`${ev.interchange.header.senderId}:${ev.interchange.header.controlNumber}`);
  return out;
}

test('a repeated ISA13 is one from the same sender: another sender may use the same number', async () => {
  const text = interchange('SENDERA', 7) + interchange('SENDERB', 7) + interchange('SENDERA', 7);
  assert.deepEqual(await repeats(text), ['SENDERA:000000007']);
});

test('the ISA13s remembered for the repeat check are bounded: past 10,000 the oldest are forgotten', async () => {
  let text = '';
  for (let n = 1; n <= 10_001; n++) text += interchange('SENDERA', n);
  // Number 1 was forgotten when 10,001 came; 10,001 is still remembered.
  text += interchange('SENDERA', 1) + interchange('SENDERA', 10_001);
  assert.deepEqual(await repeats(text), ['SENDERA:000010001']);
});

test('the ack version is GS08 first six characters, else the interchange ISA12: never "4010" as a string', () => {
  assert.equal(ackVersion('004010', '00501'), '004010');
  assert.equal(ackVersion('005010X222A1', '00401'), '005010');
  // A GS08 without its six-digit version is malformed (AK905 2): the ack follows ISA12.
  assert.equal(ackVersion('4010', '00401'), '004010');
  assert.equal(ackVersion('5010', '00501'), '005010');
  assert.equal(ackVersion('', 'X'), '004010');
  assert.equal(ackSetIdFor(ackVersion('4010', '00401')), '997');
  assert.equal(ackSetIdFor(ackVersion('005010X231A1', '00401')), '999');
  // The duplicate-control codes follow the same version: "4010" >= "004050" as strings.
  assert.equal(duplicateSetControlCode(ackVersion('4010', '00401')), '7');
  assert.equal(duplicateGroupControlCode(ackVersion('4010', '00401')), '6');
  assert.equal(duplicateSetControlCode(ackVersion('004050', '00401')), '23');
});
