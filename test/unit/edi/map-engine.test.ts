import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMap, loadMaps } from '../../../src/edi/map-loader.js';
import { renderOutbound } from '../../../src/edi/map-engine.js';
import { mapInbound } from '../../../src/edi/map-inbound.js';
import type { Segment } from '../../../src/edi/edi-types.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions, MAPS_DIR, x12Fixture } from './x12-fixture-support.js';

const seg = (text: string, index = 1): Segment => {
  const [tag, ...rest] = text.split('*');
  return { tag: tag!, elements: rest.map((e) => e.split('>')), offset: 0, index };
};

test('the shipped maps load without errors', () => {
  const set = loadMaps({ mapsDir: MAPS_DIR });
  assert.deepEqual(set.errors, []);
  for (const name of ['x12-856', 'x12-214', 'x12-210'])
    assert.ok(
      set.maps.some((m) => m.definition.name === name),
      name,
    );
});

test('a broken map is reported with its file and the path of the mistake, and is not used', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  writeFileSync(
    join(dir, 'x12', 'broken.map.yaml'),
    [
      'name: broken',
      'standard: x12',
      "message: '999'",
      'documentType: Acknowledgement',
      'rules:',
      '  - seg: AK1',
      '    elements:',
      '      - { el: 1, to: a..b }',
      '      - { el: 2, table: no-such-table }',
      '      - { el: 0 }',
    ].join('\n'),
  );
  const set = loadMaps({ mapsDir: dir });
  assert.deepEqual(
    set.errors.map((e) => [e.file, e.path]),
    [[join('x12', 'broken.map.yaml'), '/rules/0/elements/2/el']],
  );
  writeFileSync(
    join(dir, 'x12', 'broken.map.yaml'),
    [
      'name: broken',
      'standard: x12',
      "message: '999'",
      'documentType: Acknowledgement',
      'rules:',
      '  - seg: AK1',
      '    elements:',
      '      - { el: 1, to: a..b }',
      '      - { el: 2, table: no-such-table }',
    ].join('\n'),
  );
  const again = loadMaps({ mapsDir: dir, partnerId: 'x' });
  assert.deepEqual(
    again.errors.map((e) => [e.file, e.path]),
    [
      [join('x12', 'broken.map.yaml'), '/rules/0/elements/0/to'],
      [join('x12', 'broken.map.yaml'), '/rules/0/elements/1/table'],
    ],
  );
  assert.ok(again.errors[1]!.message.includes('no-such-table'));
  assert.equal(findMap(again, 'x12', '999', undefined), undefined);
});

test('partner overrides change a code, a rule element, a default and the time zone without copying the map', async () => {
  const edi = x12Fixture('214-4010-dot-terminator-space-before.edi')
    .toString('latin1')
    .replace('AT7*D1*', 'AT7*XB*')
    .replace('K1*J SMITH', 'K1*LEFT AT DOCK*J SMITH');
  const plain = await translateBuffer(edi, goldenOptions());
  const partner = await translateBuffer(edi, goldenOptions({ partnerId: 'example-carrier' }));
  assert.deepEqual(
    plain.documents.map((d) => d['milestone']),
    ['IN_TRANSIT', 'OTHER'],
  );
  assert.deepEqual(
    partner.documents.map((d) => d['milestone']),
    ['IN_TRANSIT', 'DELIVERED'],
  );
  // Without the partner's table XB is no delivery, so its K1 is a remark, not a signer.
  assert.equal(plain.documents[1]!['proofOfDelivery'], undefined);
  assert.deepEqual(partner.documents[1]!['proofOfDelivery'], { note: 'LEFT AT DOCK', signedBy: 'J SMITH' });
  assert.equal(partner.documents[0]!['partnerId'], 'example-carrier');
  // AT707 carries the time code, which wins over the partner's zone.
  assert.equal(partner.documents[0]!['occurredAt'], '2026-11-28T10:15:00-06:00');
  const invoice = x12Fixture('210-5010-tilde-element-ellipsis-terminator.edi');
  const cad = await translateBuffer(invoice, goldenOptions({ partnerId: 'example-carrier' }));
  assert.deepEqual(cad.documents[0]!['netAmountDue'], { amount: '-25.00', currency: 'CAD' });
});

test('dates without a time code use the partner time zone, with DST', () => {
  const map = findMap(loadMaps({ mapsDir: MAPS_DIR }), 'x12', '856', '004010')!;
  const body = [seg('BSN*00*S1*20260115*0800'), seg('HL*1**S'), seg('DTM*011*20260715*0800')];
  const r = mapInbound(map, body, { timeZone: 'America/Chicago' });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.documents[0]!['issuedAt'], '2026-01-15T08:00:00-06:00');
  assert.equal(r.documents[0]!['shippedAt'], '2026-07-15T08:00:00-05:00');
});

test('invalid dates and numbers become diagnostics with element positions, not exceptions', () => {
  const map = findMap(loadMaps({ mapsDir: MAPS_DIR }), 'x12', '210', '004010')!;
  const r = mapInbound(map, [seg('B3**INV*S*PP**20261399*12A45', 1)], {
    diagnosticContext: { transactionControlNumber: '0001' },
  });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.code, d.segmentId, d.segmentPosition, d.elementPosition]),
    [
      ['INVALID_DATE', '8', 'B3', 2, 6],
      ['INVALID_NUMBER', '6', 'B3', 2, 7],
    ],
  );
});

test('outbound walks the same rules: code tables reversed, N2 amounts, computed counts', () => {
  const map = findMap(loadMaps({ mapsDir: MAPS_DIR }), 'x12', '210', '004010')!;
  const r = renderOutbound(map, {
    invoiceNumber: 'I1',
    paymentMethod: 'thirdParty',
    invoiceDate: '2026-11-27',
    netAmountDue: { amount: '12.3', currency: 'USD' },
    charges: [{ lineNumber: '1', amount: { amount: '12.30', currency: 'USD' } }],
    parties: [],
  });
  assert.deepEqual(
    r.segments.map((s) => [s.tag, ...s.elements.map((e) => e.join('>'))].join('*')),
    ['B3**I1**TP**20261127*1230', 'C3*USD', 'LX*1', 'L1*1***1230'],
  );
});
