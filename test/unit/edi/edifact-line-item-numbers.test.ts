/**
 * A DESADV or INVOIC line names its item with up to five item numbers in one PIA (C212 in PIA02 to
 * PIA06) and describes it in up to two IMD description parts (C273 7008, twice). What the canonical
 * model has a place for is kept (a DESADV line's ids), the rest is left out with a warning: never
 * lost without a word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Diagnostic } from '../../../src/edi/edi-types.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { renderDocument, translateBuffer } from '../../../src/edi/translate.js';
import { edifactMessage } from './edifact-fixture-support.js';

const OPTIONS = { now: () => new Date('2026-11-27T10:00:00Z'), mapsDir: join(process.cwd(), 'edi-maps') };

const notKept = (diagnostics: readonly Diagnostic[]): string[] =>
  diagnostics
    .filter((d) => d.severity === 'warning' && d.rule === 'VALUE_NOT_KEPT')
    .map(
      (d) =>
        `${d.segmentId}${String(d.elementPosition).padStart(2, '0')}${d.componentPosition ? `:${d.componentPosition}` : ''}`,
    );

for (const directory of ['D96A', 'D01B']) {
  test(`${directory} DESADV: every item number of a PIA is one of the line's ids; a second IMD part is left out, said so`, async () => {
    const r = await translateBuffer(
      edifactMessage('DESADV', directory, [
        'BGM+351+ASN-1+9',
        'DTM+137:202403051412:203',
        'RFF+ON:PO-1',
        'CPS+1',
        'LIN+1++4000862141404:EN',
        'PIA+5+ACME-200:SA+ACME-201:BP++ACME-203:MF',
        'IMD+F++:::Lamp base:brushed steel',
        'QTY+12:4:PCE',
      ]),
      OPTIONS,
    );
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const line = ((r.documents[0]!['orders'] as JsonObject[])[0]!['lines'] as JsonObject[])[0]!;
    assert.deepEqual(line['ids'], [
      { value: 'ACME-200', qualifier: 'SA' },
      { value: 'ACME-201', qualifier: 'BP' },
      // PIA04 is empty: no id.
      { value: 'ACME-203', qualifier: 'MF' },
    ]);
    assert.equal(line['description'], 'Lamp base');
    assert.deepEqual(notKept(r.diagnostics), ['IMD03:5']);
    assert.match(
      r.diagnostics.find((d) => d.segmentId === 'IMD')!.message,
      /IMD03:5 "brushed steel" .*not kept: the canonical line has one description/,
    );
    // Each id goes out as a PIA of its own, and reads back the same.
    const rendered = renderDocument(r.documents[0], 'edifact-desadv', {
      mapsDir: OPTIONS.mapsDir,
      version: directory,
      now: new Date('2026-11-27T10:00:00Z'),
    });
    assert.deepEqual(rendered.diagnostics, []);
    assert.match(rendered.text, /PIA\+1\+ACME-200:SA'PIA\+1\+ACME-201:BP'PIA\+1\+ACME-203:MF'/);
    const again = await translateBuffer(rendered.text, OPTIONS);
    const lineAgain = ((again.documents[0]!['orders'] as JsonObject[])[0]!['lines'] as JsonObject[])[0]!;
    assert.deepEqual(lineAgain['ids'], line['ids']);
  });

  test(`${directory} INVOIC: a charge has no item numbers and one description: PIA and a second IMD part are left out, said so`, async () => {
    const r = await translateBuffer(
      edifactMessage('INVOIC', directory, [
        'BGM+380+INV-1+9',
        'DTM+137:20240312:102',
        'NAD+SU+CARRIER::ZZZ++Carrier Co',
        'CUX+2:USD:4',
        'LIN+1',
        'PIA+1+LH-1:SA+LH-2:BP',
        'IMD+F++:::Linehaul:long haul',
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
    const charge = (r.documents[0]!['charges'] as JsonObject[])[0]!;
    assert.equal(charge['description'], 'Linehaul');
    assert.deepEqual(
      r.diagnostics
        .filter((d) => d.severity === 'warning')
        .map((d) => [d.rule, d.segmentId, d.elementPosition, d.componentPosition]),
      [
        ['SEGMENT_NOT_KEPT', 'PIA', undefined, undefined],
        ['VALUE_NOT_KEPT', 'IMD', 3, 5],
      ],
    );
  });
}
