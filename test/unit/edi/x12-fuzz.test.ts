import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { translateBuffer } from '../../../src/edi/translate.js';
import { validateCanonical } from '../../../src/canonical/canonical-validator.js';
import { goldenOptions, listX12Fixtures, x12Fixture } from './x12-fixture-support.js';

const fixtures = [
  ...listX12Fixtures().map((f) => x12Fixture(f)),
  ...listX12Fixtures('negative').map((f) => x12Fixture(`negative/${f}`)),
];
const DELIMITERS = [
  '*',
  '~',
  '>',
  '^',
  '\n',
  '\r',
  ' ',
  'ISA',
  'IEA',
  'GS*',
  'SE*',
  'HL*1*',
  '\u2026',
  '\u0000',
  '\u00ff',
];

/** A mutation of a valid file: what transmission, hand editing and buggy mappers do to EDI. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...DELIMITERS), fc.string({ maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(buf: Buffer, m: Mutation): Buffer {
  const at = buf.length === 0 ? 0 : m.at % buf.length;
  switch (m.kind) {
    case 'delete':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.len)]);
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.text, 'utf8'), buf.subarray(at)]);
    case 'flip': {
      const copy = Buffer.from(buf);
      if (copy.length > 0) copy[at] = m.byte;
      return copy;
    }
    case 'truncate':
      return buf.subarray(0, at);
    case 'duplicate':
      return Buffer.concat([buf.subarray(0, at + m.len), buf.subarray(at)]);
  }
}

test('mutated fixtures never throw and always end in documents or diagnostics', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: fixtures.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      async (which, mutations) => {
        const input = mutations.reduce(apply, fixtures[which]!);
        const r = await translateBuffer(input, goldenOptions());
        assert.ok(r.documents.length > 0 || r.diagnostics.length > 0 || r.interchanges.length > 0);
        // Whatever comes out as a document is a valid canonical document.
        for (const doc of r.documents)
          assert.equal(validateCanonical(String(doc['documentType']), doc).valid, true);
        // And an input with errors never reports success.
        if (r.diagnostics.some((d) => d.severity === 'error')) assert.equal(r.ok, false);
      },
    ),
    { numRuns: 300 },
  );
});

test('random bytes and random chunking never throw', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 600 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 10 }),
      async (bytes, cuts) => {
        const prefixed = Buffer.concat([Buffer.from('ISA*'), Buffer.from(bytes)]);
        const chunks: Buffer[] = [];
        let pos = 0;
        for (const c of cuts) {
          chunks.push(prefixed.subarray(pos, pos + c));
          pos += c;
        }
        chunks.push(prefixed.subarray(pos));
        const r = await translateBuffer(chunks, goldenOptions());
        assert.ok(r.diagnostics.length > 0 || r.interchanges.length > 0);
      },
    ),
    { numRuns: 300 },
  );
});

test('splitting a valid file into arbitrary chunks does not change the translation', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: fixtures.length - 1 }),
      fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 30 }),
      async (which, cuts) => {
        const whole = fixtures[which]!;
        const chunks: Buffer[] = [];
        let pos = 0;
        for (const c of cuts) {
          chunks.push(whole.subarray(pos, pos + c));
          pos += c;
        }
        chunks.push(whole.subarray(pos));
        assert.deepEqual(
          await translateBuffer(chunks, goldenOptions()),
          await translateBuffer(whole, goldenOptions()),
        );
      },
    ),
    { numRuns: 60 },
  );
});
