/**
 * A segment the message structure or set schema allows where it stands, but that no rule of the
 * map reads (no rule for its tag there, or none whose codes take it: a DESADV PIA+3), is not kept
 * in the canonical document. That is said with a SEGMENT_NOT_KEPT warning naming the segment, its
 * position and its segment group (EDIFACT) or loop (X12), never dropped in silence; the set is
 * still accepted (no ack error).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../src/edi/edi-types.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { edifactMessage } from './edifact-fixture-support.js';
import { goldenOptions, x12FixtureText } from './x12-fixture-support.js';

const OPTIONS = goldenOptions();

const notKept = (diagnostics: readonly Diagnostic[]): [string | undefined, number | undefined][] =>
  diagnostics.filter((d) => d.rule === 'SEGMENT_NOT_KEPT').map((d) => [d.segmentId, d.segmentPosition]);

const messageAt = (diagnostics: readonly Diagnostic[], position: number): string =>
  diagnostics.find((d) => d.rule === 'SEGMENT_NOT_KEPT' && d.segmentPosition === position)?.message ?? '';

for (const directory of ['D96A', 'D01B']) {
  test(`${directory} DESADV: a PIA whose 4347 no rule takes (3) and an ALI, in the header and in a line, are each said to be left out`, async () => {
    const r = await translateBuffer(
      edifactMessage('DESADV', directory, [
        'BGM+351+ASN-1+9',
        'DTM+137:202403051412:203',
        'ALI+DE',
        'RFF+ON:PO-1',
        'CPS+1',
        'LIN+1++4000862141404:EN',
        'PIA+3+ALT-7:SA',
        'PIA+1+ACME-200:SA',
        'ALI+CN',
        'QTY+12:4:PCE',
      ]),
      OPTIONS,
    );
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const line = ((r.documents[0]!['orders'] as JsonObject[])[0]!['lines'] as JsonObject[])[0]!;
    assert.deepEqual(line['ids'], [{ value: 'ACME-200', qualifier: 'SA' }]);
    assert.deepEqual(notKept(r.diagnostics), [
      ['ALI', 4],
      ['PIA', 8],
      ['ALI', 10],
    ]);
    for (const d of r.diagnostics) assert.equal(d.severity, 'warning');
    assert.equal(
      messageAt(r.diagnostics, 8),
      'PIA*3*ALT-7:SA at position 8 (segment group CPS/LIN) is not kept: no rule of map ' +
        `${directory === 'D96A' ? 'edifact-desadv' : 'edifact-desadv-d01b'} reads this PIA here`,
    );
    assert.match(messageAt(r.diagnostics, 4), /^ALI\*DE at position 4 is not kept: /);
    // The message is valid: acknowledged, not rejected.
    assert.match(r.acks.join(''), /UCI\+REF1\+SENDER:ZZ\+RECEIVER:ZZ\+7'/);
  });

  test(`${directory} IFTSTA: a header TSR and an event's GID group, which the map does not read, are said to be left out`, async () => {
    const r = await translateBuffer(
      edifactMessage('IFTSTA', directory, [
        'BGM+23+STAT-1+9',
        'TSR+27',
        'CNI+1+SHP-1',
        'STS+1+13',
        'DTM+334:202402090815:203',
        'GID+1+2:CT',
      ]),
      OPTIONS,
    );
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(r.documents.length, 1);
    assert.deepEqual(notKept(r.diagnostics), [
      ['TSR', 3],
      ['GID', 7],
    ]);
    assert.match(
      messageAt(r.diagnostics, 7),
      /^GID\*1\*2:CT at position 7 \(segment group CNI\/STS\/GID\) is not kept/,
    );
  });

  test(`${directory} INVOIC: payment instructions (PAI) and a line's GIN, which the map does not read, are said to be left out`, async () => {
    const r = await translateBuffer(
      edifactMessage('INVOIC', directory, [
        'BGM+380+INV-1+9',
        'DTM+137:20240312:102',
        'PAI+::42',
        'NAD+SU+CARRIER::ZZZ++Carrier Co',
        'CUX+2:USD:4',
        'LIN+1',
        'IMD+F++:::Linehaul',
        'GIN+BX+BATCH-1',
        'MOA+203:100.00',
        'UNS+S',
        'MOA+77:100.00',
      ]),
      OPTIONS,
    );
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.deepEqual(
      (r.documents[0]!['charges'] as JsonObject[]).map((c) => c['description']),
      ['Linehaul'],
    );
    assert.deepEqual(notKept(r.diagnostics), [
      ['PAI', 4],
      ['GIN', 9],
    ]);
    assert.match(messageAt(r.diagnostics, 9), /\(segment group LIN\) is not kept/);
  });
}

test('856: segments the set schema allows but the map does not read (TD3, an item PO4 and REF) are said to be left out, in their loop', async () => {
  const text = x12FixtureText('856-4010-soi-crlf.edi')
    .replace('TD5**2*FDEG*U*FEDEX GROUND', 'TD5**2*FDEG*U*FEDEX GROUND\r\n  TD3*TL**TRAILER1')
    .replace('SN1**1*CA', 'SN1**1*CA\r\n  PO4*1*6*EA\r\n  REF*LT*LOT7')
    .replace('SE*15*', 'SE*18*');
  const r = await translateBuffer(text, OPTIONS);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(r.documents.length, 1);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.segmentPosition, d.loopId]),
    [
      ['warning', 'SEGMENT_NOT_KEPT', 'TD3', 5, 'HL'],
      ['warning', 'SEGMENT_NOT_KEPT', 'PO4', 15, 'HL'],
      ['warning', 'SEGMENT_NOT_KEPT', 'REF', 16, 'HL'],
    ],
  );
  assert.equal(
    messageAt(r.diagnostics, 16),
    'REF*LT*LOT7 at position 16 is not kept: no rule of map x12-856 reads this REF here',
  );
  // No ack error: the set is valid X12.
  assert.match(r.acks.join(''), /AK5\*A~/);
});

test('856: a segment the schema does not know is said to be ignored once, by the schema, not again by the map', async () => {
  const text = x12FixtureText('856-4010-soi-crlf.edi')
    .replace('MAN*CP*781234567890', 'MAN*CP*781234567890\r\n  ZZZ*1')
    .replace('SE*15*', 'SE*16*');
  const r = await translateBuffer(text, OPTIONS);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.segmentPosition]),
    [['warning', 'UNRECOGNIZED_SEGMENT', 'ZZZ', 6]],
  );
});

test("214: a party's REF (N1 loop), which the map does not read, is said to be left out", async () => {
  const text = x12FixtureText('214-4010-two-k1.edi')
    .replace('N4*NEWARK*NJ*07102*US~', 'N4*NEWARK*NJ*07102*US~\nREF*DK*DOCK 7~')
    .replace('SE*12*', 'SE*13*');
  const r = await translateBuffer(text, OPTIONS);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const dock = r.diagnostics.filter((d) => d.segmentId === 'REF');
  assert.deepEqual(
    dock.map((d) => [d.severity, d.rule, d.segmentPosition, d.loopId]),
    [['warning', 'SEGMENT_NOT_KEPT', 7, '0100']],
  );
});
