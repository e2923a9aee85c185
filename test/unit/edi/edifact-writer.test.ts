import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  buildEdifactInterchange,
  edifactPreparationDateTime,
} from '../../../src/edi/edifact-envelope-writer.js';
import type { Segment } from '../../../src/edi/edi-types.js';
import { tokenizeEdifact } from '../../../src/edi/edifact-tokenizer.js';
import {
  renderEdifact,
  renderEdifactSegment,
  renderServiceStringAdvice,
} from '../../../src/edi/edifact-writer.js';
import { chunked, fixture, toJson } from './edifact-fixture-support.js';

async function segments(data: Buffer | string): Promise<Segment[]> {
  const out: Segment[] = [];
  for await (const t of tokenizeEdifact(chunked(data))) if (t.kind === 'segment') out.push(t.segment);
  return out;
}

describe('EDIFACT writer', () => {
  it('escapes every delimiter and the release character in data', () => {
    assert.equal(
      renderEdifactSegment({ tag: 'FTX', elements: ['AAI', undefined, undefined, ["a+b:c'd?e", 'x']] }),
      "FTX+AAI+++a?+b?:c?'d??e:x",
    );
  });

  it('drops trailing empty components and elements, keeps inner empty ones', () => {
    assert.equal(
      renderEdifactSegment({ tag: 'NAD', elements: ['SU', ['ID', '', '9', ''], '', undefined] }),
      'NAD+SU+ID::9',
    );
    assert.equal(renderEdifactSegment({ tag: 'UNS', elements: [] }), 'UNS');
  });

  it('writes a UNA only when the delimiters differ from the defaults (auto), or when asked', () => {
    const seg = [{ tag: 'UNH', elements: ['1', ['X', 'D']] }];
    assert.equal(renderEdifact(seg), "UNH+1+X:D'");
    assert.equal(renderEdifact(seg, { serviceStringAdvice: true }), "UNA:+.? 'UNH+1+X:D'");
    const unusual = { component: '=', element: '*', decimal: '.', release: '?', segment: '~' };
    assert.equal(renderEdifact(seg, { delimiters: unusual }), 'UNA=*.? ~UNH*1*X=D~');
    assert.equal(renderServiceStringAdvice({ ...unusual, repetition: '^' }), 'UNA=*.?^~');
  });

  it('writes syntax 4 repetitions with the repetition separator and escapes it in data', () => {
    const delimiters = {
      component: ':',
      element: '+',
      decimal: '.',
      release: '?',
      repetition: '*',
      segment: "'",
    };
    const text = renderEdifactSegment(
      {
        tag: 'NAD',
        elements: ['SU', undefined, undefined, undefined, ['a*1']],
        repetitions: new Map([[5, [['a*1'], ['b']]]]),
      },
      delimiters,
    );
    assert.equal(text, 'NAD+SU++++a?*1*b');
  });

  it('is the tokenizer inverse: every valid fixture survives tokenize → render → tokenize', async () => {
    for (const file of readdirSync(fixture('valid')).filter((f) => f.endsWith('.edi'))) {
      const first: { segments: Segment[]; delimiters?: Parameters<typeof renderEdifact>[1] } = {
        segments: [],
      };
      for await (const t of tokenizeEdifact(chunked(readFileSync(fixture('valid', file))))) {
        if (t.kind !== 'segment') continue;
        first.segments.push(t.segment);
        first.delimiters = { delimiters: t.delimiters };
      }
      const text = renderEdifact(first.segments, { ...first.delimiters, serviceStringAdvice: true });
      const again = await segments(Buffer.from(text, 'utf8'));
      const shape = (list: Segment[]) =>
        toJson(
          list.map((s) => [
            s.tag,
            s.elements.map((e) => {
              const kept = [...e];
              while (kept.length > 1 && kept.at(-1) === '') kept.pop();
              return kept;
            }),
          ]),
        );
      // Trailing empties are dropped on output, so compare modulo those.
      const trim = (v: unknown) =>
        (v as [string, string[][]][]).map(([tag, els]) => {
          const kept = [...els];
          while (kept.length > 0 && kept.at(-1)?.every((c) => c === '')) kept.pop();
          return [tag, kept];
        });
      assert.deepEqual(trim(shape(again)), trim(shape(first.segments)), file);
    }
  });
});

describe('EDIFACT envelope writer', () => {
  it('counts segments in UNT and messages in UNZ; dates follow the syntax version', () => {
    const segs = buildEdifactInterchange({
      sender: { id: 'CROSSDOCK', qualifier: 'ZZ' },
      recipient: { id: 'PARTNER', qualifier: '14' },
      preparedAt: new Date('2026-11-27T10:05:00Z'),
      interchangeControlNumber: '42',
      testIndicator: true,
      messages: [
        {
          messageReference: 'M1',
          identifier: { type: 'IFTSTA', version: 'D', release: '96A', controllingAgency: 'UN' },
          body: [{ tag: 'BGM', elements: ['23', 'X', '9'] }],
        },
        {
          messageReference: 'M2',
          identifier: { type: 'IFTSTA', version: 'D', release: '96A', controllingAgency: 'UN' },
          body: [],
        },
      ],
    });
    assert.equal(
      renderEdifact(segs, { segmentSuffix: '\n' }),
      [
        "UNB+UNOC:3+CROSSDOCK:ZZ+PARTNER:14+261127:1005+42++++++1'",
        "UNH+M1+IFTSTA:D:96A:UN'",
        "BGM+23+X+9'",
        "UNT+3+M1'",
        "UNH+M2+IFTSTA:D:96A:UN'",
        "UNT+2+M2'",
        "UNZ+2+42'",
        '',
      ].join('\n'),
    );
    assert.deepEqual(edifactPreparationDateTime(new Date('2026-01-02T03:04:00Z'), '4'), ['20260102', '0304']);
  });
});
