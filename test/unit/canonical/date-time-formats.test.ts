import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAjv, referenceFormat } from '../../../src/canonical/ajv-factory.js';
import { isDate, isDateTime, isTime } from '../../../src/canonical/date-time-formats.js';

const checkers = { date: isDate, time: isTime, 'date-time': isDateTime } as const;
type Name = keyof typeof checkers;
const NAMES = Object.keys(checkers) as Name[];

/** ajv-formats' answer for `value`: the reference the checkers must match. */
const reference = (name: Name, value: string): boolean => referenceFormat(name).validate(value);

const sameAsReference = (name: Name, value: string): void =>
  assert.equal(checkers[name](value), reference(name, value), `${name} ${JSON.stringify(value)}`);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
/** Two digits, mostly from `min`-`max` (just around the valid range), sometimes anything. */
const twoChars = (min: number, max: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min, max }).map((n) => pad(n, 2)) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 99 }).map((n) => pad(n, 2)) },
    { weight: 1, arbitrary: fc.constantFrom('', '1', '123', 'a1', '1a', '\u0663\u0663', ' 1', '-1') },
  );
const dateText = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 9999 }).map((n) => pad(n, 4)) },
      { weight: 2, arbitrary: fc.constantFrom('1900', '2000', '2024', '2100') },
      { weight: 1, arbitrary: fc.constantFrom('', '200', '20000', '+2000', '2k00') },
    ),
    fc.constantFrom('-', '-', '-', '-', '-', '/', ''),
    twoChars(0, 13),
    fc.constantFrom('-', '-', '-', '-', '-', '.'),
    twoChars(0, 32),
  )
  .map((parts) => parts.join(''));
const fraction = fc.oneof(
  fc.constant(''),
  fc.constant('.'),
  fc.stringMatching(/^\.\d{1,12}$/),
  fc.constantFrom('.999999999999999999', '.99999999999999999999999', '.5', '.x'),
);
const zone = fc.oneof(
  fc.constantFrom('Z', 'z', '+00:00', '-05:00', '+0530', '+05'),
  fc.constantFrom('', 'ZZ', 'Z ', '+00:00', '-05:00', '+0530', '+05', '+05:', '+05:3', '+0:00', '+05:30:00'),
  fc
    .tuple(
      fc.constantFrom('+', '-'),
      twoChars(0, 24),
      fc.constantFrom('', ':', ':', '::', ';'),
      twoChars(0, 60),
    )
    .map((p) => p.join('')),
);
const timeText = fc
  .tuple(
    twoChars(0, 24),
    fc.constantFrom(':', ':', ':', ':', '.'),
    twoChars(0, 60),
    fc.constantFrom(':', ':', ':', ':', ''),
    twoChars(0, 61),
    fraction,
    zone,
  )
  .map((parts) => parts.join(''));
/** `/t|\s/i` characters and some look-alikes that are not. */
const separator = fc.constantFrom(
  'T',
  't',
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u200b',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u180e',
  '\u0085',
  'TT',
  'T ',
  '',
  'x',
);
const instant = fc.date({
  min: new Date('0000-01-01T00:00:00Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});
/** Instants as toISOString writes them (createdAt), with other separators, fractions and zones. */
const instantText = fc.tuple(instant, separator, fraction, zone).map(([d, sep, frac, z]) => {
  const iso = d.toISOString();
  return `${iso.slice(0, -15)}${sep}${iso.slice(-13, -5)}${frac}${z}`;
});
const dateTimeText = fc.oneof(
  fc.tuple(dateText, separator, timeText).map((parts) => parts.join('')),
  instant.map((d) => d.toISOString()),
  instantText,
);

/** A string with one character inserted, deleted or replaced: near misses of valid values. */
function mutated(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      text,
      fc.nat(),
      fc.constantFrom('insert', 'delete', 'replace'),
      fc.string({ minLength: 1, maxLength: 1 }),
    )
    .map(([s, at, how, c]) => {
      const i = s.length === 0 ? 0 : at % s.length;
      if (how === 'insert') return s.slice(0, i) + c + s.slice(i);
      if (how === 'delete') return s.slice(0, i) + s.slice(i + 1);
      return s.slice(0, i) + c + s.slice(i + 1);
    });
}

const examples: Record<Name, string[]> = {
  date: ['2026-11-27', '2024-02-29', '2023-02-29', '2000-02-29', '1900-02-29', '2026-04-31', '2026-00-10'],
  time: [
    '09:30:00Z',
    '09:30:00.123+05:30',
    '23:59:60Z',
    '23:59:60.5Z',
    '00:59:60+01:00',
    '22:59:60-01:00',
    '23:59:60+01:00',
    '23:59:59.99999999999999999Z',
    '23:59:60.99999999999999999Z',
    '24:00:00Z',
    '09:30:00',
    '09:30:00+24:00',
    '09:30:00+23:60',
  ],
  'date-time': [
    '2026-11-27T09:30:00+00:00',
    '2026-11-27T15:56:30.976Z',
    '2026-11-27t09:30:00z',
    '2026-11-27 09:30:00-05:00',
    '2026-11-27\u300009:30:00Z',
    '2026-11-27T09:30:00',
    '2026-11-27TT09:30:00Z',
    '2026-11-27T09:30:00Z ',
    '2026-02-30T09:30:00Z',
    '2016-12-31T23:59:60Z',
  ],
};

test('the date, time and date-time checkers give ajv-formats’ answers on hand-picked values', () => {
  for (const name of NAMES) for (const value of examples[name]) sameAsReference(name, value);
  assert.equal(isDateTime('2026-11-27T15:56:30.976Z'), true);
  assert.equal(isDate('2023-02-29'), false);
  assert.equal(isTime('23:59:60Z'), true);
  assert.equal(isTime('09:30:00'), false, 'a time needs its zone');
});

const RUNS = 20_000;

test('the checkers give ajv-formats’ answers on generated values and near misses', () => {
  const shapes: Record<Name, fc.Arbitrary<string>> = {
    date: dateText,
    time: timeText,
    'date-time': dateTimeText,
  };
  for (const name of NAMES) {
    const values = fc.oneof(
      { weight: 4, arbitrary: shapes[name] },
      { weight: 2, arbitrary: mutated(shapes[name]) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
      { weight: 1, arbitrary: dateTimeText },
      { weight: 1, arbitrary: timeText },
    );
    let valid = 0;
    fc.assert(
      fc.property(values, (value) => {
        if (reference(name, value)) valid++;
        sameAsReference(name, value);
      }),
      { numRuns: RUNS },
    );
    // Both answers are exercised, not only the easy "no".
    assert.ok(valid > RUNS / 20, `${name}: ${valid} of ${RUNS} generated values are valid`);
  }
});

test('createAjv validates date, time and date-time with the checkers and keeps ajv-formats’ compare', () => {
  const ajv = createAjv();
  for (const name of NAMES) {
    const format = ajv.formats[name] as { validate: unknown; compare: unknown };
    assert.equal(format.validate, checkers[name]);
    assert.equal(format.compare, referenceFormat(name).compare);
  }
  const validate = ajv.compile({
    type: 'string',
    format: 'date-time',
    formatMinimum: '2026-01-01T00:00:00Z',
  });
  assert.equal(validate('2026-11-27T09:30:00+00:00'), true);
  assert.equal(validate('2025-11-27T09:30:00+00:00'), false);
  assert.equal(validate('2026-11-27T09:30:00'), false);
});
