import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDocument } from '../../../src/edi/render-document.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { checkEdifactSegment } from '../../../src/edi/edifact-segment-rules.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { MAPS_DIR } from './x12-fixture-support.js';
import { canonicalDocuments } from './edifact-fixture-support.js';

/*
 * What render hands on is EDI a strict partner reads as we meant it: bytes in the declared
 * character set, values within their data element's length, no raw control characters, one
 * currency per invoice. What cannot be, is refused with the reason.
 */

const NOW = new Date('2026-11-27T10:00:00Z');
const options = { mapsDir: MAPS_DIR, now: NOW };
const desadv = (): JsonObject => canonicalDocuments('desadv-d96a-release-char')[0] as JsonObject;
/** INVOIC (D96A) with "R-ÄÖÜ-1" and "Spedition Müller & Söhne": Latin-1 text. */
const latinInvoice = (): JsonObject => canonicalDocuments('invoic-unoc-cp1252')[0] as JsonObject;

const freightInvoice = (overrides: JsonObject = {}): JsonObject => ({
  documentType: 'FreightInvoice',
  schemaVersion: '1',
  id: 'inv-1',
  tenantId: 't',
  partnerId: 'P',
  createdAt: '2026-11-27T10:00:00Z',
  source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'm' },
  correlationId: 'c',
  references: [],
  invoiceNumber: 'INV-1',
  paymentMethod: 'prepaid',
  invoiceDate: '2026-11-27',
  carrier: { scac: 'ABCD' },
  netAmountDue: { amount: '12.50', currency: 'USD' },
  charges: [{ lineNumber: '1', amount: { amount: '12.50', currency: 'USD' }, code: '400' }],
  parties: [],
  ...overrides,
});

const errors = (r: ReturnType<typeof renderDocument>): string[] =>
  r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.rule}: ${d.message}`);

test('UNOC goes out as ISO 8859-1 bytes and reads back without a charset complaint', async () => {
  const r = renderDocument(latinInvoice(), 'edifact-invoic', options);
  assert.deepEqual(errors(r), []);
  assert.match(r.text, /^UNB\+UNOC:3\+/);
  assert.match(r.text, /BGM\+380\+R-ÄÖÜ-1\+9'/);
  // One byte per character: Ä is 0xC4, not UTF-8's C3 84.
  const bgm = r.bytes.indexOf(Buffer.from('BGM+380+R-', 'latin1')) + 'BGM+380+R-'.length;
  assert.deepEqual([...r.bytes.subarray(bgm, bgm + 3)], [0xc4, 0xd6, 0xdc]);
  assert.equal(r.bytes.length, r.text.length);
  const back = await translateBuffer(r.bytes, { mapsDir: MAPS_DIR });
  assert.deepEqual(
    back.diagnostics.map((d) => d.rule),
    [],
  );
  assert.equal(back.documents[0]?.['invoiceNumber'], 'R-ÄÖÜ-1');
  assert.equal((back.documents[0]?.['parties'] as JsonObject[])[0]?.['name'], 'Spedition Müller & Söhne');
});

test('a character UNOC cannot hold is refused with where it is; UNOW writes it as UTF-8 in syntax 4', async () => {
  const doc = desadv();
  const parties = doc['parties'] as JsonObject[];
  parties[0] = { ...parties[0], name: 'Łódź 中国' };
  const refused = renderDocument(doc, 'edifact-desadv', options);
  assert.equal(refused.text, '');
  assert.equal(refused.bytes.length, 0);
  const nad = refused.diagnostics.find((d) => d.rule === 'CHARACTER_NOT_IN_SYNTAX');
  assert.deepEqual([nad?.severity, nad?.segmentId, nad?.elementPosition], ['error', 'NAD', 4]);
  assert.match(nad?.message ?? '', /"Łódź 中国": U\+0141 "Ł" is not in syntax identifier UNOC/);

  const utf8 = renderDocument(doc, 'edifact-desadv', { ...options, syntaxIdentifier: 'UNOW' });
  assert.deepEqual(errors(utf8), []);
  assert.match(utf8.text, /^UNA:\+\.\?\*'UNB\+UNOW:4\+CROSSDOCK\+PARTNER\+20261127:1000\+/);
  assert.ok(utf8.bytes.equals(Buffer.from(utf8.text, 'utf8')));
  const back = await translateBuffer(utf8.bytes, { mapsDir: MAPS_DIR });
  assert.deepEqual(
    back.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.rule),
    [],
  );
  assert.ok(
    (back.documents[0]?.['parties'] as JsonObject[]).some((p) => p['name'] === 'Łódź 中国'),
    JSON.stringify(back.documents[0]?.['parties']),
  );
});

test('syntax 4 releases the repetition separator: a `*` in data reads back as data, not as a repetition', async () => {
  const doc = desadv();
  const parties = doc['parties'] as JsonObject[];
  parties[0] = { ...parties[0], name: 'BIG*STORE 42' };
  const r = renderDocument(doc, 'edifact-desadv', { ...options, syntaxIdentifier: 'UNOY' });
  assert.deepEqual(errors(r), []);
  assert.match(r.text, /^UNA:\+\.\?\*'/, 'the UNA names `*` as the repetition separator');
  assert.match(r.text, /BIG\?\*STORE 42/);
  const back = await translateBuffer(r.bytes, { mapsDir: MAPS_DIR });
  assert.deepEqual(
    back.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.rule),
    [],
  );
  assert.equal((back.documents[0]?.['parties'] as JsonObject[])[0]?.['name'], 'BIG*STORE 42');
  // Syntax 3 has no repetition separator: `*` is plain data there and stays unreleased.
  const v3 = renderDocument(doc, 'edifact-desadv', options);
  assert.match(v3.text, /\+BIG\*STORE 42/);
});

test('UNOA takes upper case only; an unknown syntax identifier is refused', () => {
  const r = renderDocument(desadv(), 'edifact-desadv', { ...options, syntaxIdentifier: 'UNOA' });
  assert.equal(r.text, '');
  assert.ok(
    r.diagnostics.some(
      (d) => d.rule === 'CHARACTER_NOT_IN_SYNTAX' && /not in syntax identifier UNOA/.test(d.message),
    ),
    JSON.stringify(r.diagnostics),
  );
  const unknown = renderDocument(desadv(), 'edifact-desadv', { ...options, syntaxIdentifier: 'UNOZ' });
  assert.deepEqual(errors(unknown), [
    'RENDER_SYNTAX: syntax identifier "UNOZ" is not one render writes (UNOA, UNOB, UNOC, UNOW, UNOY)',
  ]);
});

test('X12 carries printable ASCII only: a name is folded to ASCII with a warning, what has no ASCII form is refused', () => {
  const shipper = (name: string): JsonObject =>
    freightInvoice({
      parties: [{ role: 'shipper', name, ids: [], address: { lines: [], city: 'CHICAGO', country: 'US' } }],
    });
  const folded = renderDocument(shipper('Müller & Søn, Łódź “Nord”'), 'x12-210', options);
  assert.deepEqual(errors(folded), []);
  assert.match(folded.text, /~N1\*SH\*Muller & Son, Lodz "Nord"~/);
  assert.ok(folded.bytes.equals(Buffer.from(folded.text, 'ascii')));
  const warning = folded.diagnostics.find((d) => d.rule === 'CHARACTER_FOLDED_TO_ASCII');
  assert.deepEqual([warning?.severity, warning?.segmentId, warning?.elementPosition], ['warning', 'N1', 2]);
  assert.match(
    warning?.message ?? '',
    /N1 element 2 "Müller & Søn, Łódź “Nord”" is written as "Muller & Son, Lodz "Nord""/,
  );

  const r = renderDocument(shipper('北京 Müller'), 'x12-210', options);
  assert.equal(r.text, '');
  const problem = r.diagnostics.find((d) => d.rule === 'CHARACTER_NOT_IN_SYNTAX');
  assert.deepEqual([problem?.segmentId, problem?.elementPosition], ['N1', 2]);
  assert.match(problem?.message ?? '', /"北京 Muller": U\+5317 "北" is not in the X12 character set/);
  assert.match(
    errors(renderDocument(freightInvoice(), 'x12-210', { ...options, receiver: 'ZZ:PÄRTNER' })).join(),
    /receiver id "PÄRTNER": U\+00C4 "Ä" is not a printable ASCII character/,
  );
  const ok = renderDocument(freightInvoice(), 'x12-210', options);
  assert.deepEqual(errors(ok), []);
  assert.ok(ok.bytes.equals(Buffer.from(ok.text, 'ascii')));
});

test('a line break in data is written as a space, with a warning, in X12 and in EDIFACT', async () => {
  const doc = desadv();
  const parties = doc['parties'] as JsonObject[];
  parties[0] = { ...parties[0], name: 'ACME\r\nWARE\tHOUSE' };
  const edifact = renderDocument(doc, 'edifact-desadv', options);
  assert.deepEqual(errors(edifact), []);
  assert.doesNotMatch(edifact.text, /[\r\n\t]/);
  assert.match(edifact.text, /NAD\+SU\+[^']*\+ACME {2}WARE HOUSE'/);
  assert.deepEqual(
    edifact.diagnostics
      .filter((d) => d.rule === 'CONTROL_CHARACTER_REPLACED')
      .map((d) => [d.severity, d.segmentId, d.elementPosition]),
    [['warning', 'NAD', 4]],
  );

  const x12Doc = freightInvoice({
    parties: [
      {
        role: 'shipper',
        name: 'ACME\nWAREHOUSE',
        ids: [],
        address: { lines: [], city: 'CHICAGO', country: 'US' },
      },
    ],
  });
  const x12 = renderDocument(x12Doc, 'x12-210', options);
  assert.deepEqual(errors(x12), []);
  assert.doesNotMatch(x12.text, /[\r\n]/);
  assert.match(x12.text, /~N1\*SH\*ACME WAREHOUSE~/);
  assert.deepEqual(
    x12.diagnostics.filter((d) => d.rule === 'CONTROL_CHARACTER_REPLACED').map((d) => d.segmentId),
    ['N1'],
  );
  const back = await translateBuffer(x12.bytes, { mapsDir: MAPS_DIR });
  assert.equal((back.documents[0]?.['parties'] as JsonObject[])[0]?.['name'], 'ACME WAREHOUSE');
});

test('an invoice with a charge in a second currency is refused: 210 and INVOIC state one currency', () => {
  const doc = freightInvoice({
    charges: [
      { lineNumber: '1', amount: { amount: '10.00', currency: 'USD' }, code: '400' },
      { lineNumber: '2', amount: { amount: '2.50', currency: 'CAD' }, code: 'FUE' },
    ],
  });
  const expected =
    'MIXED_CURRENCY: document: /charges/1/amount is in CAD, but TARGET states one currency for the whole message (USD, from /netAmountDue); amounts are not converted';
  for (const to of ['x12-210', 'edifact-invoic']) {
    const r = renderDocument(doc, to, options);
    assert.equal(r.text, '');
    assert.deepEqual(errors(r), [expected.replace('TARGET', to)]);
  }
});

test('EDIFACT lengths follow the directory: a 100-character party name, a 26-digit amount in D96A', () => {
  const invoice = latinInvoice();
  const longName = {
    ...invoice,
    parties: [{ ...(invoice['parties'] as JsonObject[])[0], name: 'N'.repeat(100) }],
  };
  assert.deepEqual(errors(renderDocument(longName, 'edifact-invoic', options)), [
    'RENDERED_INVALID: the rendered message 1 would be rejected (VALUE_TOO_LONG): NAD element 4 component 1 is 100 long, format an..35',
  ]);
  const big = { ...invoice, netAmountDue: { amount: '1234567890123456789012345.99', currency: 'EUR' } };
  assert.deepEqual(errors(renderDocument(big, 'edifact-invoic', options)), [
    'RENDERED_INVALID: the rendered message 1 would be rejected (VALUE_TOO_LONG): MOA element 1 component 2 is 27 long, format n..18',
  ]);
});

test('segment rules: D96A and D01B formats of the elements our maps write', () => {
  const check = (release: string, tag: string, elements: string[][]): string[] =>
    checkEdifactSegment(
      { tag, elements, offset: 0, index: 2 },
      { segmentPosition: 2, version: 'D', release },
    ).map((d) => `${d.rule} ${d.elementPosition}.${d.componentPosition ?? ''}`);
  const digits = (n: number): string => '1'.repeat(n);
  // MOA 5004: n..18 in D96A, n..35 in D01B.
  assert.deepEqual(check('96A', 'MOA', [['77', digits(19)]]), ['VALUE_TOO_LONG 1.2']);
  assert.deepEqual(check('96A', 'MOA', [['77', digits(18)]]), []);
  assert.deepEqual(check('01B', 'MOA', [['77', digits(26)]]), []);
  assert.deepEqual(check('01B', 'MOA', [['77', 'ABC']]), ['NON_NUMERIC_VALUE 1.2']);
  // QTY 6060 n..15 in D96A.
  assert.deepEqual(check('96A', 'QTY', [['12', digits(16)]]), ['VALUE_TOO_LONG 1.2']);
  // RFF 1154 an..35 in D96A, an..70 in D01B.
  assert.deepEqual(check('96A', 'RFF', [['ON', 'R'.repeat(36)]]), ['VALUE_TOO_LONG 1.2']);
  assert.deepEqual(check('01B', 'RFF', [['ON', 'R'.repeat(36)]]), []);
  // NAD C080 party name (an..35 each), C059 street, 3164 city, 3251 postcode an..9 in both.
  for (const release of ['96A', '01B']) {
    assert.deepEqual(check(release, 'NAD', [['SU'], [], [], ['N'.repeat(36), 'N'.repeat(35)]]), [
      'VALUE_TOO_LONG 4.1',
    ]);
    assert.deepEqual(
      check(release, 'NAD', [
        ['SU'],
        [],
        [],
        ['NAME'],
        ['S'.repeat(36)],
        ['C'.repeat(36)],
        [],
        ['1234567890'],
      ]),
      ['VALUE_TOO_LONG 5.1', 'VALUE_TOO_LONG 6.1', 'VALUE_TOO_LONG 8.1'],
    );
  }
  // Segments the package table lacks: INVOIC ALC (C214 7161 an..3), IFTSTA STS (codes an..3) and CNI (1490 n..4).
  assert.deepEqual(check('96A', 'ALC', [['C'], [], [], [], ['FREIGHT']]), ['VALUE_TOO_LONG 5.1']);
  assert.deepEqual(check('96A', 'STS', [['1'], ['DELIVERED']]), ['VALUE_TOO_LONG 2.1']);
  assert.deepEqual(check('01B', 'CNI', [['1X'], ['SHP1']]), ['NON_NUMERIC_VALUE 1.1']);
  assert.deepEqual(check('01B', 'STS', [['1'], ['21'], ['ZZZ', '', '', 'R'.repeat(69)]]), []);
  // DTM 2380 an..35, CPS 7164 an..12 in D96A.
  assert.deepEqual(check('96A', 'DTM', [['137', 'D'.repeat(36), '102']]), ['VALUE_TOO_LONG 1.2']);
  assert.deepEqual(check('96A', 'CPS', [[digits(13)]]), ['VALUE_TOO_LONG 1.1']);
  assert.deepEqual(check('96A', 'CPS', [['1'], [digits(13)]]), ['VALUE_TOO_LONG 2.1']);
  assert.deepEqual(check('01B', 'CPS', [[digits(13)], [digits(13)]]), []);
});

test('validate reads what render refuses as invalid too: NAD name and MOA amount lengths', async () => {
  const text =
    "UNB+UNOC:3+S+R+261127:1000+1'UNH+1+INVOIC:D:96A:UN'BGM+380+I1+9'DTM+137:20261127:102'" +
    `NAD+SU+++${'N'.repeat(40)}'CUX+2:EUR:4'UNS+S'MOA+77:${'9'.repeat(20)}'UNT+8+1'UNZ+1+1'`;
  const result = await translateBuffer(Buffer.from(text, 'latin1'), { mapsDir: MAPS_DIR });
  assert.deepEqual(
    result.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.rule, d.segmentId]),
    [
      ['VALUE_TOO_LONG', 'NAD'],
      ['VALUE_TOO_LONG', 'MOA'],
    ],
  );
});
