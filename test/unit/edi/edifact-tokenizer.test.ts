import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Segment } from '../../../src/edi/edi-types.js';
import { tokenizeEdifact, type EdifactToken } from '../../../src/edi/edifact-tokenizer.js';
import { chunked, fixture, toJson } from './edifact-fixture-support.js';

async function tokens(
  data: Buffer | string,
  chunkSize?: number,
  maxSegmentLength?: number,
): Promise<EdifactToken[]> {
  const out: EdifactToken[] = [];
  const options = maxSegmentLength === undefined ? {} : { maxSegmentLength };
  for await (const token of tokenizeEdifact(chunked(data, chunkSize), options)) out.push(token);
  return out;
}
const segmentsOf = (list: EdifactToken[]): Segment[] =>
  list.flatMap((t) => (t.kind === 'segment' ? [t.segment] : []));
const rulesOf = (list: EdifactToken[]): string[] =>
  list.flatMap((t) => (t.kind === 'diagnostic' ? [t.diagnostic.rule] : []));
const simple = (list: EdifactToken[]) => segmentsOf(list).map((s) => [s.tag, ...s.elements]);

describe('EDIFACT tokenizer', () => {
  it('default delimiters :+.? and the release character', async () => {
    const list = await tokens("UNH+1+X:Y'FTX+AAI+++a?+b?:c???'d'");
    assert.deepEqual(simple(list), [
      ['UNH', ['1'], ['X', 'Y']],
      ['FTX', ['AAI'], [''], [''], ["a+b:c?'d"]],
    ]);
    assert.deepEqual(rulesOf(list), []);
  });

  it('gives the same segments for every split of the input into two chunks', async () => {
    const data = readFileSync(fixture('valid', 'desadv-syntax4-unoy-utf8.edi'));
    const whole = toJson(segmentsOf(await tokens(data)));
    for (let at = 1; at < data.length; at++) {
      async function* two(): AsyncGenerator<Buffer> {
        yield data.subarray(0, at);
        yield data.subarray(at);
      }
      const list: EdifactToken[] = [];
      for await (const token of tokenizeEdifact(two())) list.push(token);
      assert.deepEqual(toJson(segmentsOf(list)), whole, `split at byte ${at}`);
    }
  });

  it('offsets are byte offsets, also after multi-byte UTF-8 characters; index counts segments', async () => {
    const text = "UNH+1+X:Y'FTX+AAI+++ÄÖÜ'UNT+3+1'";
    const segments = segmentsOf(await tokens(text, 1));
    assert.deepEqual(
      segments.map((s) => [s.tag, s.offset, s.index]),
      [
        ['UNH', 0, 1],
        ['FTX', 10, 2],
        ['UNT', Buffer.byteLength("UNH+1+X:Y'FTX+AAI+++ÄÖÜ'"), 3],
      ],
    );
  });

  it('a release character before a character that is no delimiter is kept as data, with a warning', async () => {
    const list = await tokens("UNH+1+X:Y'RFF+ON:PO?A1'FTX+AAI+++WHAT?? NOW?+THEN'");
    assert.deepEqual(simple(list), [
      ['UNH', ['1'], ['X', 'Y']],
      ['RFF', ['ON', 'PO?A1']],
      ['FTX', ['AAI'], [''], [''], ['WHAT? NOW+THEN']],
    ]);
    const warnings = list.flatMap((t) => (t.kind === 'diagnostic' ? [t.diagnostic] : []));
    assert.deepEqual(
      warnings.map((d) => [d.rule, d.severity, d.segmentId, d.elementPosition, d.componentPosition]),
      [['RELEASE_CHARACTER_NOT_BEFORE_DELIMITER', 'warning', 'RFF', 1, 2]],
    );
  });

  it('UNA with a space as release character means no release character', async () => {
    const segments = segmentsOf(await tokens("UNA:+. *'UNH+1?+2+X'"));
    assert.deepEqual(segments[0]?.elements, [['1?'], ['2'], ['X']]);
  });

  it('syntax 4 without UNA uses * as repetition separator; syntax 3 does not', async () => {
    const v4 = segmentsOf(await tokens("UNB+UNOC:4+S+R+20240101:1200+1'NAD+SU+++a*b'"));
    assert.deepEqual(v4[1]?.elements[3], ['a']);
    assert.deepEqual(v4[1]?.repetitions?.get(4), [['a'], ['b']]);
    const v3 = segmentsOf(await tokens("UNB+UNOC:3+S+R+240101:1200+1'NAD+SU+++a*b'"));
    assert.deepEqual(v3[1]?.elements[3], ['a*b']);
  });

  it('a line break right after the release character still releases the next character', async () => {
    const segments = segmentsOf(await tokens("UNH+1+X'FTX+AAI+++a?\r\n+b'"));
    assert.deepEqual(segments[1]?.elements[3], ['a+b']);
  });

  it('newline as segment terminator (UNA) keeps working with CRLF files', async () => {
    const segments = segmentsOf(await tokens('UNA:+.? \nUNH+1+X\r\nBGM+351+A\r\nUNT+3+1\r\n'));
    assert.deepEqual(
      segments.map((s) => s.tag),
      ['UNH', 'BGM', 'UNT'],
    );
    assert.deepEqual(segments[1]?.elements, [['351'], ['A']]);
  });

  it('a UTF-8 byte order mark, indentation and a DOS end-of-file mark are not data', async () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("  UNH+1+X'\n\tUNT+2+1'\x1a")]);
    assert.deepEqual(simple(await tokens(data, 2)), [
      ['UNH', ['1'], ['X']],
      ['UNT', ['2'], ['1']],
    ]);
  });

  it('a missing last terminator is a warning; the segment is still read', async () => {
    const list = await tokens("UNH+1+X'UNT+2+1");
    assert.deepEqual(simple(list).at(-1), ['UNT', ['2'], ['1']]);
    assert.deepEqual(rulesOf(list), ['SEGMENT_TERMINATOR_MISSING']);
  });

  it('a segment longer than the limit is reported and skipped, the next one is read', async () => {
    const list = await tokens(`UNH+1+X'FTX+AAI+++${'x'.repeat(5000)}'UNT+3+1'`, 512, 1024);
    assert.deepEqual(
      segmentsOf(list).map((s) => s.tag),
      ['UNH', 'UNT'],
    );
    assert.deepEqual(rulesOf(list), ['SEGMENT_TOO_LONG']);
  });

  it('control characters in data are flagged once per interchange', async () => {
    const list = await tokens("UNB+UNOC:3+S+R+240101:1200+1'FTX+AAI+++a\x07b'FTX+AAI+++c\x07d'");
    assert.deepEqual(rulesOf(list), ['CONTROL_CHARACTER_IN_DATA']);
  });

  it('8-bit data under UNOA/UNOB is flagged (warning) and decoded', async () => {
    const list = await tokens(Buffer.from("UNB+UNOA:3+S+R+240101:1200+1'FTX+AAI+++café'", 'utf8'));
    assert.deepEqual(segmentsOf(list)[1]?.elements[3], ['café']);
    assert.deepEqual(
      list.flatMap((t) =>
        t.kind === 'diagnostic' ? [[t.diagnostic.severity, t.diagnostic.code, t.diagnostic.rule]] : [],
      ),
      [['warning', '21', 'CHARACTER_OUTSIDE_SYNTAX_LEVEL']],
    );
  });

  it('ISO 8859-2 (UNOD) bytes that are not UTF-8 decode with the declared character set', async () => {
    const data = Buffer.concat([
      Buffer.from("UNB+UNOD:3+S+R+240101:1200+1'FTX+AAI+++"),
      Buffer.from([0xa3, 0xf3, 0x64, 0xbc]),
      Buffer.from("'"),
    ]);
    assert.deepEqual(segmentsOf(await tokens(data))[1]?.elements[3], ['Łódź']);
  });

  it('never throws on arbitrary bytes', async () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const list = await tokens(noise, 97);
    assert.ok(list.length > 0);
  });

  it('reads every valid fixture without diagnostics other than charset notes', async () => {
    for (const file of readdirSync(fixture('valid')).filter((f) => f.endsWith('.edi'))) {
      const list = await tokens(readFileSync(fixture('valid', file)), 5);
      assert.ok(segmentsOf(list).length > 0, file);
      assert.deepEqual(
        rulesOf(list).filter((r) => r !== 'UTF8_UNDER_SINGLE_BYTE_SYNTAX'),
        [],
        file,
      );
    }
  });
});
