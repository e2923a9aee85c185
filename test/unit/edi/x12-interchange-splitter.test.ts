import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X12InterchangeSplitter, type InterchangeRun } from '../../../src/edi/x12-interchange-splitter.js';

const isa = (icn: string, sep = '*', term = '~'): string =>
  `ISA${sep}00${sep}          ${sep}00${sep}          ${sep}ZZ${sep}SENDER         ${sep}ZZ${sep}RECEIVER       ${sep}261127${sep}0930${sep}U${sep}00401${sep}${icn}${sep}0${sep}P${sep}>${term}`;
const interchange = (icn: string, sep = '*', term = '~'): string =>
  `${isa(icn, sep, term)}\nGS${sep}SH${sep}S${sep}R${sep}20261127${sep}0930${sep}1${sep}X${sep}004010${term}\n` +
  // `IEA` inside an element is not a segment start.
  `ST${sep}856${sep}0001${term}BSN${sep}00${sep}IEA${sep}NOT A SEGMENT${term}SE${sep}3${sep}0001${term}\n` +
  `GE${sep}1${sep}1${term}IEA${sep}1${sep}${icn}${term}\n`;

function split(
  text: string,
  minBytes: number,
  chunk: number,
): { runs: InterchangeRun[]; failed: boolean; rest: string } {
  const s = new X12InterchangeSplitter(minBytes);
  const bytes = Buffer.from(text, 'latin1');
  const runs: InterchangeRun[] = [];
  for (let i = 0; i < bytes.length; i += chunk) runs.push(...s.push(bytes.subarray(i, i + chunk)));
  return { runs, failed: s.failed, rest: Buffer.concat(s.rest()).toString('latin1') };
}

test('cuts only where an ISA follows an IEA segment, and the runs are the input again', () => {
  const text = interchange('000000001') + interchange('000000002', '|', '^') + interchange('000000003');
  for (const chunk of [1, 7, 64, 100_000]) {
    const s = new X12InterchangeSplitter(1);
    const bytes = Buffer.from(text);
    const runs: InterchangeRun[] = [];
    for (let i = 0; i < bytes.length; i += chunk) runs.push(...s.push(bytes.subarray(i, i + chunk)));
    const last = s.finish();
    if (last) runs.push(last);
    assert.equal(s.failed, false);
    assert.deepEqual(
      runs.map((r) => r.bytes.toString().slice(0, 3)),
      ['ISA', 'ISA', 'ISA'],
    );
    assert.equal(Buffer.concat(runs.map((r) => r.bytes)).toString(), text);
    assert.deepEqual(
      runs.map((r) => r.offset),
      [0, interchange('000000001').length, interchange('000000001').length * 2],
    );
  }
});

test('runs hold at least minBytes of whole interchanges', () => {
  const one = interchange('000000001');
  const s = new X12InterchangeSplitter(one.length * 2);
  const runs = s.push(Buffer.from(one.repeat(5)));
  const last = s.finish();
  assert.deepEqual(
    [...runs, last!].map((r) => r.bytes.length / one.length),
    [2, 2, 1],
  );
});

test('gives up, keeping what it has not handed out, on what it cannot cut safely', () => {
  const first = interchange('000000001');
  const cases: [string, string][] = [
    ['newline terminator', first + interchange('000000002', '*', '\n') + interchange('000000003')],
    ['not 7-bit', first + interchange('000000002').replace('NOT A', 'NOT À') + interchange('000000003')],
    ['data after IEA', first + 'JUNK~' + interchange('000000002')],
    ['wrapped ISA', first + interchange('000000002').replace('*00*', '*0\n0*') + interchange('000000003')],
  ];
  for (const [name, text] of cases) {
    const r = split(text, 1, 50);
    assert.equal(r.failed, true, name);
    assert.equal(Buffer.concat(r.runs.map((x) => x.bytes)).toString('latin1') + r.rest, text, name);
  }
});

test('an interchange longer than maxBytes makes it give up rather than hold it', () => {
  const s = new X12InterchangeSplitter(10, 1000);
  s.push(Buffer.from(interchange('000000001').replace('NOT A SEGMENT', 'X'.repeat(2000))));
  assert.equal(s.failed, true);
});
