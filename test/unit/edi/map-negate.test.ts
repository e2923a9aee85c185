import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNegativeDecimal, negateDecimal } from '../../../src/edi/implied-decimal.js';
import { loadMaps, type MapLoadError } from '../../../src/edi/map-loader.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { renderDocument, translateBuffer } from '../../../src/edi/translate.js';
import { fixture } from './edifact-fixture-support.js';
import { copyOfMaps, freightInvoice, MAPS_DIR } from './x12-fixture-support.js';

const NOW = new Date('2026-11-27T10:00:00Z');

test('negateDecimal turns the sign over digit for digit; a zero stays unsigned', () => {
  const pairs: [string, string][] = [
    ['5.00', '-5.00'],
    ['-5.00', '5.00'],
    ['+5', '-5'],
    ['0', '0'],
    ['0.00', '0.00'],
    ['-0', '0'],
    ['-0.00', '0.00'],
    ['0.000000000000000000001', '-0.000000000000000000001'],
    // Far beyond a float's 15-17 digits: a Number would round these.
    ['123456789012345678901234567890.123456789', '-123456789012345678901234567890.123456789'],
    ['9007199254740993', '-9007199254740993'],
  ];
  for (const [value, negated] of pairs) assert.equal(negateDecimal(value), negated, value);
  for (const value of ['5.00', '-5.00', '0.10', '-123456789012345678901234567890.123456789'])
    assert.equal(negateDecimal(negateDecimal(value)!), value, value);
  for (const bad of ['', '-', '.', 'abc', '1e3', '1.2.3', '--5', ' 5'])
    assert.equal(negateDecimal(bad), undefined, bad);
  assert.deepEqual(['-0.01', '-0', '-0.00', '0', '12', '-x'].map(isNegativeDecimal), [
    true,
    false,
    false,
    false,
    false,
    false,
  ]);
});

/** The shipped maps, with the D96A INVOIC map's text changed by `edit`; the load errors for it. */
function invoicLoadErrors(edit: (yaml: string) => string): string[][] {
  const dir = copyOfMaps();
  const file = join(dir, 'edifact', 'D96A', 'invoic.map.yaml');
  const yaml = readFileSync(file, 'utf8');
  const edited = edit(yaml);
  assert.notEqual(edited, yaml, 'the edit must change the map');
  writeFileSync(file, edited);
  const set = loadMaps({ mapsDir: dir });
  assert.equal(
    set.maps.some((m) => m.definition.name === 'edifact-invoic'),
    false,
    'a broken map is left out',
  );
  return set.errors.map((e: MapLoadError) => [e.file, e.path, e.message]);
}

const MAP_FILE = join('edifact', 'D96A', 'invoic.map.yaml');
const AMOUNT =
  "          - { el: 1, comp: 2, to: amount.amount, transform: decimal, negate: { seg: ALC, when: { '1': A } } }";
/** Rule 13 is the LIN loop, its rule 3 the line's MOA. */
const LINE_NEGATE = '/rules/13/rules/3/elements/0/negate';

test('a misused negate is a map error naming the file and the path', () => {
  // The header's amount element reads the same; the line's is the last.
  const at = (yaml: string, replacement: string): string => {
    const i = yaml.lastIndexOf(AMOUNT);
    return i < 0 ? yaml : yaml.slice(0, i) + replacement + yaml.slice(i + AMOUNT.length);
  };

  assert.deepEqual(
    invoicLoadErrors((y) =>
      at(y, "          - { el: 1, comp: 2, to: amount.amount, negate: { seg: ALC, when: { '1': A } } }"),
    ),
    [[MAP_FILE, LINE_NEGATE, 'negate needs a decimal value: transform decimal or n0–n3']],
  );
  assert.deepEqual(
    invoicLoadErrors((y) =>
      at(
        y,
        "          - { el: 1, comp: 2, to: amount.amount, transform: decimal, negate: { seg: PCD, when: { '1': A } } }",
      ),
    ),
    [
      [
        MAP_FILE,
        LINE_NEGATE,
        'no rule for PCD in the same rule list writes it with {"1":"A"}: the sign would be lost on output',
      ],
    ],
  );
  // The line's ALC rule taking C only: its ALC+A would be read by the rejecting rule alone.
  assert.deepEqual(
    invoicLoadErrors((y) =>
      y.replace(
        "      - id: charge-code\n        seg: ALC\n        when: { '1': [C, A] }",
        "      - id: charge-code\n        seg: ALC\n        when: { '1': C }",
      ),
    ),
    [
      [
        MAP_FILE,
        LINE_NEGATE,
        'no rule for ALC in the same rule list writes it with {"1":"A"}: the sign would be lost on output',
      ],
    ],
  );
  assert.deepEqual(
    invoicLoadErrors((y) =>
      at(
        y,
        '          - { el: 1, comp: 2, to: amount.amount, transform: decimal, negate: { seg: ALC, when: {} } }',
      ),
    ),
    [[MAP_FILE, `${LINE_NEGATE}/when`, 'must NOT have fewer than 1 properties']],
  );
});

test("a partner override that stops reading the sign segment's codes is a partner error", () => {
  const dir = copyOfMaps();
  mkdirSync(join(dir, 'partners', 'acme'));
  writeFileSync(
    join(dir, 'partners', 'acme', 'partner.yaml'),
    "maps:\n  edifact-invoic:\n    rules:\n      charge-code:\n        when: { '1': C }\n",
  );
  const set = loadMaps({ mapsDir: dir, partnerId: 'acme' });
  assert.deepEqual(
    set.partnerErrors.map((e) => [e.file, e.path, e.message]),
    [
      [
        join('partners', 'acme', 'partner.yaml'),
        `/maps/edifact-invoic(merged)${LINE_NEGATE}`,
        'no rule for ALC in the same rule list writes it with {"1":"A"}: the sign would be lost on output',
      ],
    ],
  );
});

const invoice = (charges: JsonObject[]): JsonObject =>
  freightInvoice({ partnerId: 'SND', netAmountDue: { amount: '887.50', currency: 'EUR' }, charges });

const money = (amount: string): JsonObject => ({ amount, currency: 'EUR' });

test('INVOIC out: a negative charge is ALC+A with its size, a positive one ALC+C; parse(render(doc)) == doc', async () => {
  const doc = invoice([
    // codeNormalized is read back from the code (the L108 table; another code as it is).
    {
      lineNumber: '1',
      code: '400',
      codeNormalized: 'FREIGHT',
      description: 'Linehaul',
      amount: money('1000.00'),
    },
    { lineNumber: '2', code: 'DI', codeNormalized: 'DI', description: 'Discount', amount: money('-100.00') },
    // No code: the ALC is written all the same, for it carries the sign.
    { lineNumber: '3', amount: money('-12.5') },
    { lineNumber: '4', code: 'EAB', codeNormalized: 'EAB', amount: money('0') },
  ]);
  for (const version of ['D96A', 'D01B']) {
    const rendered = renderDocument(doc, 'edifact-invoic', { mapsDir: MAPS_DIR, version, now: NOW });
    assert.deepEqual(rendered.diagnostics, []);
    const lines = rendered.text.split("'").filter((s) => /^(LIN|MOA\+203|ALC)/.test(s));
    assert.deepEqual(lines, [
      'LIN+1',
      'MOA+203:1000.00',
      'ALC+C++++400',
      'LIN+2',
      'MOA+203:100.00',
      'ALC+A++++DI',
      'LIN+3',
      'MOA+203:12.5',
      'ALC+A',
      'LIN+4',
      'MOA+203:0',
      'ALC+C++++EAB',
    ]);
    const again = await translateBuffer(rendered.text, { now: () => NOW, mapsDir: MAPS_DIR });
    assert.deepEqual(again.diagnostics, [], rendered.text);
    assert.deepEqual(again.documents[0]!['charges'], doc['charges']);
  }
});

test('INVOIC out: a negative zero is written as a zero charge (ALC+C), never as an allowance', () => {
  const rendered = renderDocument(
    invoice([{ lineNumber: '1', code: 'DI', amount: money('-0.00') }]),
    'edifact-invoic',
    { mapsDir: MAPS_DIR, version: 'D96A', now: NOW },
  );
  assert.deepEqual(rendered.diagnostics, []);
  assert.match(rendered.text, /'LIN\+1'MOA\+203:0\.00'ALC\+C\+\+\+\+DI'/);
});

test('INVOIC in: the sign is read from the ALC of its own group, before the amount (header) or after it (line)', async () => {
  const result = await translateBuffer(
    readFileSync(fixture('maps', 'invoic-d01b-charges-and-allowances.edi')),
    {
      now: () => NOW,
      mapsDir: MAPS_DIR,
    },
  );
  assert.deepEqual(result.diagnostics, []);
  const charges = result.documents[0]!['charges'] as JsonObject[];
  assert.deepEqual(
    charges.map((c) => [c['lineNumber'] ?? '', c['code'] ?? '', (c['amount'] as JsonObject)['amount']]),
    [
      ['', 'FUE', '151.80'],
      ['', 'DI', '-0.05'],
      ['', 'CAD', '-25.125'],
      ['1', '400', '1012.00'],
      ['2', 'EAB', '0'],
      ['3', '', '-12.5'],
    ],
  );
});

test('INVOIC in: an allowance the partner already sent below zero stays below zero, with a warning', async () => {
  const edi =
    "UNA:+.? 'UNB+UNOC:3+SND:ZZ+RCV:ZZ+240312:0900+REF1'UNH+1+INVOIC:D:96A:UN'BGM+380+INV-ALC+9'" +
    "DTM+137:20240312:102'NAD+SU+ODFL::SCA++Old Dominion'CUX+2:USD:4'LIN+1'IMD+F++:::Linehaul'" +
    "MOA+203:1000.00'ALC+C++++400'LIN+2'IMD+F++:::Discount'MOA+204:-100.00'ALC+A++++DI'UNS+S'" +
    "MOA+77:900.00'UNT+16+1'UNZ+1+REF1'";
  const result = await translateBuffer(edi, { now: () => NOW, mapsDir: MAPS_DIR });
  const charges = result.documents[0]!['charges'] as JsonObject[];
  assert.deepEqual(
    charges.map((c) => (c['amount'] as JsonObject)['amount']),
    ['1000.00', '-100.00'],
  );
  assert.deepEqual(
    result.diagnostics.map((d) => [d.severity, d.rule, d.segmentId]),
    [['warning', 'AMOUNT_ALREADY_NEGATIVE', 'MOA']],
  );
});
