import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { X12Parser, type X12Interchange } from 'node-x12';
import { tokenizeX12 } from '../../../src/edi/x12-tokenizer.js';

/**
 * Differential test: on valid X12, our segmenting must agree with node-x12's full parser
 * (`new X12Parser(true).parse`) on every segment tag and element value.
 */
const value = fc.stringMatching(/^[A-Z0-9 .,-]{0,12}$/).map((s) => s.trimEnd());
const tag = fc
  .stringMatching(/^[A-Z][A-Z0-9]{1,2}$/)
  .filter((t) => !['ISA', 'IEA', 'GS', 'GE', 'ST', 'SE'].includes(t));
const segment = fc
  .tuple(tag, fc.array(value, { minLength: 1, maxLength: 8 }))
  .map(([t, els]) => [t, ...els.slice(0, -1), els.at(-1) || 'X']);
const delimiters = fc.constantFrom(
  { element: '*', component: ':', segment: '~', suffix: '' },
  { element: '*', component: '>', segment: '~', suffix: '\n' },
  { element: '|', component: '\\', segment: '~', suffix: '\r\n' },
  { element: '^', component: ':', segment: "'", suffix: '' },
);

function interchange(
  sets: string[][][],
  d: { element: string; component: string; segment: string; suffix: string },
): string {
  const isa = [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    'ZZ',
    'SENDER'.padEnd(15),
    'ZZ',
    'RECEIVER'.padEnd(15),
    '261127',
    '0930',
    'U',
    '00401',
    '000000001',
    '0',
    'P',
    d.component,
  ].join(d.element);
  const lines: string[][] = [['GS', 'SH', 'SENDER', 'RECEIVER', '20261127', '0930', '1', 'X', '004010']];
  sets.forEach((body, i) => {
    const ctl = String(i + 1).padStart(4, '0');
    lines.push(['ST', '856', ctl], ...body, ['SE', String(body.length + 2), ctl]);
  });
  lines.push(['GE', String(sets.length), '1'], ['IEA', '1', '000000001']);
  return isa + d.segment + d.suffix + lines.map((l) => l.join(d.element) + d.segment + d.suffix).join('');
}

function nodeX12Segments(text: string): string[][] {
  const parsed = new X12Parser(true).parse(text);
  const interchanges: X12Interchange[] =
    'interchanges' in parsed
      ? (parsed as { interchanges: X12Interchange[] }).interchanges
      : [parsed as X12Interchange];
  const out: string[][] = [];
  const add = (s: { tag: string; elements: { value: string }[] }): void =>
    void out.push([s.tag, ...s.elements.map((e) => e.value)]);
  for (const ic of interchanges) {
    add(ic.header);
    for (const g of ic.functionalGroups) {
      add(g.header);
      for (const t of g.transactions) {
        add(t.header);
        for (const s of t.segments) add(s);
        add(t.trailer);
      }
      add(g.trailer);
    }
    add(ic.trailer);
  }
  return out;
}

async function ourSegments(text: string, component: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const t of tokenizeX12([text])) {
    if (t.type === 'diagnostic') throw new Error(t.diagnostic.message);
    // node-x12 keeps composites as one value; join our components back for the comparison.
    out.push([t.segment.tag, ...t.segment.elements.map((e) => e.join(component))]);
  }
  return out;
}

/** node-x12 reads the interchange control number as a number (000000001 → 1); compare it that way. */
function normalizeControl(segments: string[][]): string[][] {
  return segments.map((s) => {
    const i = s[0] === 'ISA' ? 13 : s[0] === 'IEA' ? 2 : -1;
    return i < 0 ? s : s.map((v, k) => (k === i ? String(Number(v)) : v));
  });
}

test('segments and elements agree with node-x12 on valid interchanges', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(segment, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }),
      delimiters,
      async (sets, d) => {
        const text = interchange(sets, d);
        assert.deepEqual(
          normalizeControl(await ourSegments(text, d.component)),
          normalizeControl(nodeX12Segments(text)),
        );
      },
    ),
    { numRuns: 150 },
  );
});
