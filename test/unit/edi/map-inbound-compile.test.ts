import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Segment } from '../../../src/edi/edi-types.js';
import type { LoadedMap, Rule } from '../../../src/edi/map-definition.js';
import { mapInbound } from '../../../src/edi/map-inbound.js';

// Maps compile to generated JavaScript (map-inbound-compile.ts); the shipped maps are pinned by
// the golden tests. These maps have shapes the shipped ones do not.

const seg = (tag: string, ...elements: (string | string[])[]): Segment => ({
  tag,
  elements: elements.map((e) => (Array.isArray(e) ? e : [e])),
  offset: 0,
  index: 1,
});

const loaded = (rules: readonly Rule[], tables: Record<string, Record<string, string>> = {}): LoadedMap => ({
  definition: { name: 'unusual', standard: 'x12', message: 'T', documentType: 'Test', rules },
  file: 'unusual.map.yaml',
  tables: new Map(Object.entries(tables)),
  timeZone: 'UTC',
});

/** Everything a map can name, with what would break generated source if it were spliced in raw. */
const ODD = 'a"b\\c */ \n\u2028${x}`';

test('a segment writes its date-times in the order their first part was read, not in rule order', () => {
  const map = loaded([
    {
      seg: 'DTM',
      elements: [
        { el: 1, to: 'shippedAt', transform: 'date' },
        { el: 2, to: 'deliveredAt', transform: 'date' },
        { el: 3, to: 'shippedAt', transform: 'time' },
        { el: 4, to: 'shippedAt', transform: 'timeCode' },
        { el: 5, to: 'deliveredAt', transform: 'timeCode' },
        { el: 6, to: 'shippedAt', transform: 'date' },
      ],
    },
  ]);
  const r = mapInbound(map, [seg('DTM', '', '20260102', '0930', 'ET', 'PT', '20260103')]);
  assert.equal(
    JSON.stringify(r.documents),
    '[{"deliveredAt":"2026-01-02T00:00:00-08:00","shippedAt":"2026-01-03T09:30:00-05:00","documentType":"Test"}]',
  );
  const bad = mapInbound(map, [seg('DTM', '20260101', '', '0800', 'XX')], { firstPosition: 2 });
  assert.deepEqual(bad.documents, [{ documentType: 'Test' }]);
  assert.deepEqual(bad.diagnostics, [
    {
      level: 'element',
      segmentId: 'DTM',
      offset: 0,
      segmentPosition: 2,
      severity: 'error',
      code: '7',
      rule: 'UNKNOWN_TIME_CODE',
      message: 'unknown time code "XX" for shippedAt',
      elementPosition: 1,
    },
  ]);
});

test('tags, codes, table values and defaults with quotes, comment ends and line separators are data, never code', () => {
  const map = loaded(
    [
      { seg: 'REF', repeat: '$.refs[]', elements: [{ el: 1, to: '.', table: 'codes', tableDefault: ODD }] },
      {
        seg: 'LIN',
        repeat: 'lines[]',
        init: { ids: [] },
        elements: [
          { el: 1, to: 'ids', pairs: { promote: { BP: 'item.sku', [ODD]: '$.odd' } } },
          { el: 9, to: 'quantity', default: 0 },
          { el: 10, to: 'note', default: ODD },
          { el: 11, to: 'flags[1]', default: ODD },
          { el: 1, to: 'first', onlyIfUnset: true },
          { el: 3, to: 'first', onlyIfUnset: true },
        ],
      },
      { seg: ODD, when: { '1': ODD, '2.2': [ODD, 'Y'] }, elements: [{ el: 3, to: 'odd' }] },
    ],
    { codes: { [ODD]: 'weird', ZZ: ODD } },
  );
  const r = mapInbound(map, [
    seg('REF', ODD),
    seg('REF', 'ZZ'),
    seg('REF', 'Q'),
    seg('LIN', 'VP', 'V1', 'BP', 'S1', 'BP', 'S2', ODD, 'O1'),
    seg(ODD, ODD, ['X', 'Y'], 'mapped'),
    seg(ODD, ODD, ['X', 'N'], 'not mapped'),
  ]);
  // The segment no rule's `when` takes is not kept, and said so with its tag as sent.
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.segmentPosition]),
    [['warning', 'SEGMENT_NOT_KEPT', ODD, 7]],
  );
  assert.ok(r.diagnostics[0]!.message.endsWith(`no rule of map unusual reads this ${ODD} here`));
  // The promoted ODD qualifier writes $.odd first; the ODD segment overwrites it in place.
  assert.equal(
    JSON.stringify(r.documents),
    JSON.stringify([
      {
        refs: ['weird', ODD, ODD],
        lines: [
          {
            ids: [
              { qualifier: 'VP', value: 'V1' },
              { qualifier: 'BP', value: 'S2' },
            ],
            item: { sku: 'S1' },
            quantity: 0,
            note: ODD,
            flags: [null, ODD],
            first: 'VP',
          },
        ],
        odd: 'mapped',
        documentType: 'Test',
      },
    ]),
  );
});

test('hierarchy parent ids that point in a circle: the node whose parent comes later is cut off, an error', () => {
  // EDIFACT CPS hierarchies reach the map without a set validator checking their parents.
  const map = loaded([
    {
      hierarchy: { seg: 'HL', id: 1, parent: 2, level: 3, root: 'S' },
      levels: {
        S: { children: [{ level: 'O', path: 'orders' }], rules: [] },
        O: {
          children: [{ level: 'P', path: 'packs' }],
          rules: [{ seg: 'PRF', elements: [{ el: 1, to: 'po' }] }],
        },
        P: { rules: [{ seg: 'MAN', elements: [{ el: 1, to: 'sscc' }] }] },
      },
    },
  ]);
  const r = mapInbound(
    map,
    [seg('HL', '1', '2', 'O'), seg('PRF', 'PO1'), seg('HL', '2', '1', 'P'), seg('MAN', 'M1')],
    {
      firstPosition: 2,
    },
  );
  assert.deepEqual(r.documents, [{ documentType: 'Test' }]);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.severity, d.segmentPosition, d.message]),
    [
      [
        'HL_PARENT_NOT_BEFORE',
        'error',
        2,
        'HL 1 points at parent "2", which comes after it (a parent comes before its children)',
      ],
    ],
  );
});

test('an HL that no node can hold (a second root) is an error: its data would be lost', () => {
  const map = loaded([
    {
      hierarchy: { seg: 'HL', id: 1, parent: 2, level: 3, root: 'S' },
      levels: {
        S: { children: [{ level: 'O', path: 'orders' }], rules: [] },
        O: { rules: [{ seg: 'PRF', elements: [{ el: 1, to: 'po' }] }] },
      },
    },
  ]);
  const r = mapInbound(map, [seg('HL', '1', '', 'S'), seg('HL', '2', '', 'O'), seg('PRF', 'PO1')], {
    firstPosition: 2,
  });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.severity, d.segmentPosition, d.elementPosition, d.badData]),
    [['HL_UNATTACHED', 'error', 3, 3, 'O']],
  );
});

test('tableOnly: a code the table lacks is an error on its element, not a raw value; without it the code is kept', () => {
  const rules = (tableOnly: boolean): Rule[] => [
    {
      seg: 'B3',
      elements: [{ el: 4, to: 'paymentMethod', table: 'pay', ...(tableOnly ? { tableOnly } : {}) }],
    },
  ];
  const tables = { pay: { PP: 'prepaid' } };
  const segs = [seg('B3', '', 'INV', '', 'MX')];
  const strict = mapInbound(loaded(rules(true), tables), segs, { firstPosition: 2 });
  assert.deepEqual(strict.documents, [{ documentType: 'Test' }]);
  assert.deepEqual(
    strict.diagnostics.map((d) => [
      d.rule,
      d.severity,
      d.segmentId,
      d.segmentPosition,
      d.elementPosition,
      d.code,
      d.implementationCode,
      d.badData,
    ]),
    [['CODE_NOT_MAPPED', 'error', 'B3', 2, 4, '7', 'I6', 'MX']],
  );
  const kept = mapInbound(loaded(rules(false), tables), segs, { firstPosition: 2 });
  assert.deepEqual(kept.documents, [{ paymentMethod: 'MX', documentType: 'Test' }]);
  assert.deepEqual(kept.diagnostics, []);
  const known = mapInbound(loaded(rules(true), tables), [seg('B3', '', 'INV', '', 'PP')]);
  assert.deepEqual(known.documents, [{ paymentMethod: 'prepaid', documentType: 'Test' }]);
});

test('tableOnly with a transform: the missing code is reported once, the transform is not run on nothing', () => {
  for (const transform of ['upper', 'decimal', 'integer'] as const) {
    const map = loaded(
      [{ seg: 'B3', elements: [{ el: 4, to: 'paymentMethod', table: 'pay', tableOnly: true, transform }] }],
      { pay: { PP: 'prepaid' } },
    );
    const r = mapInbound(map, [seg('B3', '', 'INV', '', 'MX')], { firstPosition: 2 });
    assert.deepEqual(
      r.diagnostics.map((d) => d.rule),
      ['CODE_NOT_MAPPED'],
      transform,
    );
  }
});

test('a value a transform cannot read is reported on its element with a copy of it (AK404)', () => {
  const map = loaded([
    {
      seg: 'L3',
      elements: [
        { el: 1, to: 'count', transform: 'integer' },
        { el: 2, to: 'day', transform: 'dateOnly' },
      ],
    },
  ]);
  const r = mapInbound(map, [seg('L3', '1.5', '20261340')], { firstPosition: 2 });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition, d.elementPosition, d.code, d.badData]),
    [
      ['INVALID_NUMBER', 'L3', 2, 1, '6', '1.5'],
      ['INVALID_DATE', 'L3', 2, 2, '8', '20261340'],
    ],
  );
});

test('hierarchy ids are compared as trimmed text: " 2" is 2, "02" is another node', () => {
  const map = loaded([
    {
      hierarchy: { seg: 'HL', id: 1, parent: 2, level: 3, root: 'S' },
      levels: {
        S: { children: [{ level: 'I', path: 'lines' }], rules: [] },
        I: { rules: [{ seg: 'LIN', elements: [{ el: 1, to: 'n' }] }] },
      },
    },
  ]);
  const r = mapInbound(map, [
    seg('HL', '1', '', 'S'),
    seg('HL', ' 2', '1', 'I'),
    seg('LIN', 'a'),
    seg('HL', '02', '1', 'I'),
    seg('LIN', 'b'),
    seg('HL', '2', '1', 'I'),
    seg('LIN', 'c'),
    seg('HL', '9', '02', 'I'),
    seg('LIN', 'd'),
  ]);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.badData]),
    [['HL_DUPLICATE_ID', '2']],
  );
  assert.deepEqual(r.documents, [
    { lines: [{ n: 'a' }, { n: 'b' }, { n: 'c' }, { n: 'd' }], documentType: 'Test' },
  ]);
});

test('splitsItem: each repeat of the segment in one loop pass is a new item with the context before the first', () => {
  const map = loaded([
    {
      loop: 'LX',
      repeat: 'charges[]',
      init: { tags: [] },
      rules: [
        { seg: 'LX', elements: [] },
        { seg: 'L5', elements: [{ el: 1, to: 'description' }] },
        { seg: 'L1', splitsItem: true, elements: [{ el: 1, to: 'amount' }] },
        { seg: 'L7', elements: [{ el: 1, to: 'tariff' }] },
      ],
    },
  ]);
  const r = mapInbound(map, [
    seg('LX', '1'),
    seg('L5', 'FREIGHT'),
    seg('L1', '100'),
    seg('L7', 'T1'),
    seg('L1', '20'),
    seg('L1', '3'),
    seg('LX', '2'),
    seg('L1', '4'),
  ]);
  assert.deepEqual(r.diagnostics, []);
  // The L7 after the first L1 belongs to that charge only; each copy has its own tags array.
  assert.deepEqual(r.documents[0]!['charges'], [
    { tags: [], description: 'FREIGHT', amount: '100', tariff: 'T1' },
    { tags: [], description: 'FREIGHT', amount: '20' },
    { tags: [], description: 'FREIGHT', amount: '3' },
    { tags: [], amount: '4' },
  ]);
  const charges = r.documents[0]!['charges'] as { tags: unknown[] }[];
  assert.notEqual(charges[1]!.tags, charges[2]!.tags);
});

test('splitsItem counts only segments its own `when` takes', () => {
  const map = loaded([
    {
      loop: 'LX',
      repeat: 'events[]',
      rules: [
        { seg: 'LX', elements: [] },
        { seg: 'AT7', when: { '1': ['X3', 'AF'] }, splitsItem: true, elements: [{ el: 1, to: 'status' }] },
        { seg: 'MS1', elements: [{ el: 1, to: 'city' }] },
      ],
    },
  ]);
  const r = mapInbound(map, [
    seg('LX', '1'),
    seg('AT7', 'X3'),
    seg('MS1', 'DALLAS'),
    seg('AT7', 'ZZ'),
    seg('AT7', 'AF'),
    seg('MS1', 'AUSTIN'),
  ]);
  assert.deepEqual(r.documents[0]!['events'], [
    { status: 'X3', city: 'DALLAS' },
    { status: 'AF', city: 'AUSTIN' },
  ]);
});

test('a splitsItem segment that a nested loop reads is a map error, not a silent mis-split', () => {
  const map = loaded([
    {
      loop: 'LX',
      repeat: 'events[]',
      rules: [
        { seg: 'LX', elements: [] },
        { seg: 'AT7', splitsItem: true, elements: [{ el: 1, to: 'status' }] },
        {
          loop: 'N1',
          rules: [
            { seg: 'N1', elements: [] },
            { seg: 'AT7', elements: [] },
          ],
        },
      ],
    },
  ]);
  const r = mapInbound(map, [seg('LX', '1'), seg('AT7', 'X3')]);
  assert.deepEqual(r.documents, []);
  assert.equal(r.diagnostics[0]!.rule, 'MAP_ENGINE_FAILURE');
  assert.match(r.diagnostics[0]!.message, /splitsItem segment AT7 must belong to the loop itself/);
});

test('whileUnset: a repeat goes to the next rule for its tag, or is not kept with a warning the ack does not carry', () => {
  const map = loaded([
    {
      seg: 'REF',
      when: { '1': 'BM' },
      whileUnset: 'billOfLading',
      elements: [{ el: 2, to: 'billOfLading' }],
    },
    {
      seg: 'REF',
      repeat: 'references[]',
      elements: [
        { el: 1, to: 'qualifier' },
        { el: 2, to: 'value' },
      ],
    },
    { seg: 'TD5', whileUnset: 'carrier.scac', elements: [{ el: 3, to: 'carrier.scac' }] },
  ]);
  const r = mapInbound(
    map,
    [
      seg('REF', 'BM', 'BOL1'),
      seg('TD5', '', '2', 'ABCD'),
      seg('REF', 'BM', 'BOL2'),
      seg('TD5', '', '2', 'WXYZ'),
    ],
    { firstPosition: 2 },
  );
  assert.deepEqual(r.documents, [
    {
      billOfLading: 'BOL1',
      carrier: { scac: 'ABCD' },
      references: [{ qualifier: 'BM', value: 'BOL2' }],
      documentType: 'Test',
    },
  ]);
  assert.deepEqual(r.diagnostics, [
    {
      level: 'transaction',
      segmentId: 'TD5',
      offset: 0,
      segmentPosition: 5,
      severity: 'warning',
      code: '',
      rule: 'SEGMENT_NOT_KEPT',
      message:
        'TD5**2*WXYZ at position 5 is not kept: carrier.scac has one value, set ("ABCD") by an earlier TD5',
    },
  ]);
});

const shipmentTree = (): LoadedMap =>
  loaded([
    {
      hierarchy: { seg: 'HL', id: 1, parent: 2, level: 3, root: 'S' },
      levels: {
        S: {
          children: [{ level: 'O', path: 'orders' }],
          rules: [{ seg: 'TD5', elements: [{ el: 3, to: 'scac' }] }],
        },
        O: {
          init: { packs: [] },
          children: [{ level: 'P', path: 'packs' }],
          rules: [{ seg: 'PRF', elements: [{ el: 1, to: 'po' }] }],
        },
        P: { rules: [{ seg: 'MAN', elements: [{ el: 2, to: 'sscc' }] }] },
      },
    },
  ]);

test('a second root (a second 856 shipment HL) is an error on its level code; its fields never mix into the first', () => {
  const r = mapInbound(
    shipmentTree(),
    [
      seg('HL', '1', '', 'S'),
      seg('TD5', '', '2', 'ABCD'),
      seg('HL', '2', '1', 'O'),
      seg('PRF', 'PO1'),
      seg('HL', '3', '', 'S'),
      seg('TD5', '', '2', 'EFGH'),
      seg('HL', '4', '3', 'O'),
      seg('PRF', 'PO2'),
    ],
    { firstPosition: 2 },
  );
  assert.deepEqual(r.documents, [{ scac: 'ABCD', orders: [{ packs: [], po: 'PO1' }], documentType: 'Test' }]);
  assert.deepEqual(
    r.diagnostics.map((d) => [
      d.rule,
      d.severity,
      d.level,
      d.code,
      d.implementationCode,
      d.segmentPosition,
      d.elementPosition,
      d.badData,
    ]),
    [['HL_SECOND_ROOT', 'error', 'element', '7', 'I6', 6, 3, 'S']],
  );
});

test('a level the map does not model (T tare) passes its children through to the nearest holder, with a warning outside the ack', () => {
  const r = mapInbound(
    shipmentTree(),
    [
      seg('HL', '1', '', 'S'),
      seg('HL', '2', '1', 'O'),
      seg('PRF', 'PO1'),
      seg('HL', '3', '2', 'T'),
      seg('MAN', 'GM', '00000000000000000001'),
      seg('HL', '4', '3', 'P'),
      seg('MAN', 'GM', '00012345678901234567'),
      seg('HL', '5', '2', 'Q'),
    ],
    { firstPosition: 2 },
  );
  assert.deepEqual(r.documents, [
    { orders: [{ packs: [{ sscc: '00012345678901234567' }], po: 'PO1' }], documentType: 'Test' },
  ]);
  // Not an element error (AK4 7 would tell the partner a valid code is invalid).
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.severity, d.level, d.code, d.segmentPosition, d.elementPosition]),
    [
      ['HL_LEVEL_NOT_MAPPED', 'warning', 'transaction', '', 5, undefined],
      ['HL_LEVEL_NOT_MAPPED', 'info', 'transaction', '', 9, undefined],
    ],
  );
  assert.match(r.diagnostics[0]!.message, /HL 3 level "T" is not in the map.*1 segment\(s\) are not kept/);
});
