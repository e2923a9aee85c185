import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateBuffer, type TranslationResult } from '../../../src/edi/translate.js';
import { goldenOptions, x12FixtureText } from './x12-fixture-support.js';

/** The translation as a reader sees it; byte offsets move with the line breaks a wrap adds. */
function view(r: TranslationResult): unknown {
  return JSON.parse(
    JSON.stringify({ ...r, acks: r.acks.join('') }, (key, value: unknown) =>
      key === 'offset' ? undefined : value,
    ),
  );
}

/** The fixture as one line: its line breaks all follow a segment terminator. */
const flat = (name: string): string => x12FixtureText(name).replace(/\r?\n/g, '');

function wrap(text: string, width: number, lineBreak: string): string {
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += width) lines.push(text.slice(at, at + width));
  return lines.join(lineBreak);
}

// One interchange, and two with different delimiters in one file (EDI-RULES.md: wrapped files,
// even inside the ISA, and several interchanges per file). Widths 105 and 106 put the wrap right
// before and right after the ISA's terminator; others split the second ISA's tag or land on its
// terminator.
for (const name of ['856-4010-ta1-requested-test.edi', 'multi-interchange-empty-group.edi']) {
  test(`${name} hard-wrapped at every width from 4 to 130 translates like the unwrapped file`, async () => {
    const text = flat(name);
    const expected = view(await translateBuffer(Buffer.from(text), goldenOptions()));
    for (let width = 4; width <= 130; width++) {
      const lineBreak = width % 2 === 0 ? '\n' : '\r\n';
      const wrapped = wrap(text, width, lineBreak);
      const actual = view(await translateBuffer(Buffer.from(wrapped), goldenOptions()));
      assert.deepEqual(actual, expected, `wrapped at ${width} columns`);
    }
  });
}

test('two 214 interchanges wrapped at 80 columns, the second ISA split as IS / A: both translated and acknowledged', async () => {
  const one = (icn: string, pro: string): string =>
    `ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*U*00401*${icn}*0*P*>~` +
    'GS*QM*SENDERID*RECEIVERID*20261127*0930*7*X*004010~ST*214*0007~' +
    `B10*${pro}*SHP12345*ABCD~L11*BOL998877*BM~LX*1~AT7*X6*NS***20261128*1015*CT~` +
    `MS1*INDIANAPOLIS*IN*US~SE*7*0007~GE*1*7~IEA*1*${icn}~`;
  const text = one('000000007', 'PRO44444444444444444444') + one('000000008', 'PRO445566');
  const wrapped = wrap(text, 80, '\n');
  assert.match(wrapped, /~IS\nA\*00/);
  const r = await translateBuffer(Buffer.from(wrapped), goldenOptions());
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    r.interchanges.map((i) => i.controlNumber),
    ['000000007', '000000008'],
  );
  assert.equal(r.documents.length, 2);
  assert.deepEqual(
    r.acks.map((a) => /AK1\*QM\*7~AK2\*214\*0007~AK5\*A~AK9\*A\*1\*1\*1~/.test(a)),
    [true, true],
  );
});

test('a wrapped file fed one byte at a time translates like the whole (the ISA reader waits for the line after ISA16)', async () => {
  const text = flat('multi-interchange-empty-group.edi');
  for (const width of [80, 105, 106]) {
    const wrapped = Buffer.from(wrap(text, width, '\r\n'));
    const bytes = Array.from({ length: wrapped.length }, (_, i) => wrapped.subarray(i, i + 1));
    assert.deepEqual(
      view(await translateBuffer(bytes, goldenOptions())),
      view(await translateBuffer(wrapped, goldenOptions())),
      `wrapped at ${width} columns`,
    );
  }
});
