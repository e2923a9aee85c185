import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import Parser from 'edifact/parser.js';
import { generateContrl, parseContrl } from '../../../src/edi/contrl.js';
import type { EdifactReadEvent } from '../../../src/edi/edifact-reader.js';
import { readEdifact } from '../../../src/edi/edifact-reader.js';
import { tokenizeEdifact } from '../../../src/edi/edifact-tokenizer.js';
import { renderEdifact, type EdifactOutSegment } from '../../../src/edi/edifact-writer.js';
import { chunked, fixture } from './edifact-fixture-support.js';

const VALID = readdirSync(fixture('valid'))
  .filter((f) => f.endsWith('.edi'))
  .map((f) => ({ name: f, data: readFileSync(fixture('valid', f)) }));

async function readAll(data: Buffer, chunkSize: number): Promise<EdifactReadEvent[]> {
  const events: EdifactReadEvent[] = [];
  for await (const e of readEdifact(chunked(data, chunkSize))) events.push(e);
  return events;
}

/** Segments as [tag, elements] per the reference `edifact` package (node-edifact's Parser). */
function referenceSegments(
  text: string,
  delimiters?: { component: string; element: string; release: string; segment: string },
) {
  const parser = new Parser();
  // UNOY: the widest repertoire it knows, so the comparison is about segmenting, not charset policy.
  parser.encoding('UNOY');
  if (delimiters) {
    parser.configure({
      componentDataSeparator: delimiters.component.charCodeAt(0),
      dataElementSeparator: delimiters.element.charCodeAt(0),
      releaseCharacter: delimiters.release.charCodeAt(0),
      segmentTerminator: delimiters.segment.charCodeAt(0),
    });
  }
  const out: [string, string[][]][] = [];
  let elements: string[][] = [];
  let components: string[] = [];
  parser.onopensegment = (tag: string) => {
    elements = [];
    out.push([tag, elements]);
  };
  parser.onelement = () => {
    components = [];
    elements.push(components);
  };
  parser.oncomponent = (value: string) => {
    components.push(value);
  };
  parser.write(text);
  parser.end();
  return out;
}

async function ourSegments(data: Buffer): Promise<[string, string[][]][]> {
  const out: [string, string[][]][] = [];
  for await (const t of tokenizeEdifact(chunked(data, 7))) {
    if (t.kind === 'segment') out.push([t.segment.tag, t.segment.elements.map((e) => [...e])]);
  }
  return out;
}

describe('differential: our segmenting vs the edifact package parser', () => {
  // Fixtures the reference parser can read: one UNA at most, at the very start, syntax 3.
  const comparable = [
    'desadv-d96a-release-char.edi',
    'desadv-d01b-no-una-crlf.edi',
    'iftsta-una-equals-star-tilde.edi',
    'invoic-d96a-wrapped-80.edi',
    'invoic-unoc-cp1252.edi',
    'groups-ung-une.edi',
    'message-only.edi',
  ];
  for (const name of comparable) {
    it(`${name}: identical segments`, async () => {
      const data = readFileSync(fixture('valid', name));
      // The reference takes a JS string; decode the way the interchange declares (cp1252 for that fixture).
      const text = name.includes('cp1252')
        ? new TextDecoder('windows-1252').decode(data)
        : data.toString('utf8');
      assert.deepEqual(await ourSegments(data), referenceSegments(text));
    });
  }

  it('generated segments with separators and release characters in data segment identically', async () => {
    const textChar = fc.constantFrom(..."AZaz09 .,-/()+:'?*".split(''));
    const value = fc.array(textChar, { maxLength: 8 }).map((cs) => cs.join(''));
    const element = fc.array(value, { minLength: 1, maxLength: 3 });
    const segment = fc.record({
      tag: fc.constantFrom('BGM', 'DTM', 'NAD', 'RFF', 'FTX', 'LIN', 'QTY'),
      elements: fc.array(element, { minLength: 1, maxLength: 5 }),
    });
    const delimiterSets = fc.constantFrom(
      { component: ':', element: '+', decimal: '.', release: '?', segment: "'" },
      { component: '=', element: '*', decimal: '.', release: '?', segment: '~' },
      // (The reference builds a regex character class from the delimiters and breaks on `^` or `]`.)
      { component: '>', element: '|', decimal: ',', release: '!', segment: '#' },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 12 }),
        delimiterSets,
        async (segments, delimiters) => {
          const text = renderEdifact(segments as EdifactOutSegment[], {
            delimiters,
            serviceStringAdvice: true,
          });
          const ours = await ourSegments(Buffer.from(text, 'utf8'));
          assert.deepEqual(ours, referenceSegments(text));
          // And ours gives back what was written, modulo the trailing empties the writer drops.
          assert.equal(ours.length, segments.length);
          ours.forEach(([tag, elements], i) => {
            const original = segments[i];
            assert.equal(tag, original?.tag);
            elements.forEach((components, e) => {
              assert.deepEqual(components, original?.elements[e]?.slice(0, components.length));
            });
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

interface Mutation {
  readonly kind: 'insert' | 'delete' | 'replace' | 'truncate' | 'duplicate';
  readonly at: number;
  readonly byte?: number;
  readonly length?: number;
}

describe('property: mutated partner files never throw and always end in messages or diagnostics', () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 40 }),
    }),
    fc.record({
      kind: fc.constant('replace' as const),
      at: fc.nat(),
      byte: fc.constantFrom(0x27, 0x2b, 0x3a, 0x3f, 0x0a, 0x55, 0x80, 0xff, 0x00),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('duplicate' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 80 }),
    }),
  );

  // eslint-disable-next-line no-control-regex
  const CONTROL_CHARACTERS = /[\x00-\x1f\x7f-\x9f]/g;

  function mutate(data: Buffer, mutations: readonly Mutation[]): Buffer {
    let bytes = Buffer.from(data);
    for (const m of mutations) {
      const at = bytes.length === 0 ? 0 : m.at % bytes.length;
      if (m.kind === 'insert')
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte ?? 0]), bytes.subarray(at)]);
      else if (m.kind === 'delete')
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + (m.length ?? 1))]);
      else if (m.kind === 'replace' && bytes.length > 0) bytes[at] = m.byte ?? 0;
      else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
      else if (m.kind === 'duplicate') {
        const piece = bytes.subarray(at, at + (m.length ?? 1));
        bytes = Buffer.concat([bytes.subarray(0, at), piece, piece, bytes.subarray(at)]);
      }
    }
    return bytes;
  }

  it('readEdifact + CONTRL on mutations of every valid fixture', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VALID),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 64 }),
        async (file, mutations, chunkSize) => {
          const events = await readAll(mutate(file.data, mutations), chunkSize);
          assert.ok(events.length > 0, 'at least one event');
          // Text after the last UNZ is reported when it ends, after that interchange's summary.
          assert.equal(
            events.filter((e) => e.type !== 'diagnostic').at(-1)?.type,
            'interchange-end',
            'the stream ends with an interchange summary',
          );
          let messages = 0;
          let diagnostics = 0;
          for (const e of events) {
            if (e.type === 'message') {
              messages++;
              diagnostics += e.message.diagnostics.length;
              // A message is rejected exactly when one of its diagnostics is an error.
              assert.equal(
                e.message.status === 'rejected',
                e.message.diagnostics.some((d) => d.severity === 'error'),
              );
            } else if (e.type === 'diagnostic') {
              // The one problem outside any interchange: text (no segment) after a UNZ.
              assert.deepEqual(
                [e.diagnostic.severity, e.diagnostic.rule],
                ['warning', 'TEXT_OUTSIDE_INTERCHANGE'],
              );
              diagnostics++;
            } else {
              diagnostics +=
                e.interchange.diagnostics.length +
                e.interchange.groups.reduce((n, g) => n + g.diagnostics.length, 0);
              const contrl = await generateContrl(e.interchange, {
                nextControlReference: () => 'C1',
                now: new Date(0),
              });
              // Message-only input has no UNB to answer: no CONTRL, a diagnostic instead.
              if ('diagnostic' in contrl) {
                assert.equal(e.interchange.header.messageOnly, true);
                continue;
              }
              // Our own CONTRL always reads back as a CONTRL for the same interchange.
              const back: EdifactReadEvent[] = [];
              for await (const b of readEdifact(chunked(contrl.text))) back.push(b);
              const message = back.find((b) => b.type === 'message');
              assert.ok(message && message.type === 'message', contrl.text);
              assert.equal(message.message.status, 'accepted', contrl.text);
              const ack = parseContrl(message.message).acknowledgement;
              // The writer sends no raw control character: one in the received reference is echoed as a space.
              assert.equal(
                ack?.refersTo.interchangeControlNumber,
                (e.interchange.header.interchangeControlNumber ?? '').replace(CONTROL_CHARACTERS, ' '),
              );
            }
          }
          assert.ok(messages + diagnostics > 0, 'ends in messages or diagnostics');
        },
      ),
      { numRuns: 400 },
    );
  });
});
