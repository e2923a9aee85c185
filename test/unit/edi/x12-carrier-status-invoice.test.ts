/**
 * 214 and 210 as carriers send them: references, remarks, equipment and weights where the
 * standard puts them, not only where the map's first author did. Each case is data that was lost,
 * overwritten or misread without a word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMaps } from '../../../src/edi/map-loader.js';
import { renderDocument, translateBuffer, type RenderTarget } from '../../../src/edi/translate.js';
import type { Diagnostic } from '../../../src/edi/edi-types.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { freightInvoice, goldenOptions, MAPS_DIR, x12Fixture } from './x12-fixture-support.js';

/** One interchange with one set of `setId` in version `version` (004010 or 005010). */
function x12(setId: '214' | '210', version: string, body: readonly string[]): string {
  const v5 = version.startsWith('005');
  const gs = setId === '214' ? 'QM' : 'IM';
  return [
    `ISA*00*          *00*          *ZZ*CARRIER1       *ZZ*CROSSDOCK      *261127*2215*${v5 ? '^' : 'U'}*${v5 ? '00501' : '00401'}*000000101*0*P*>`,
    `GS*${gs}*CARRIER1*CROSSDOCK*20261127*2215*101*X*${version}`,
    `ST*${setId}*0001`,
    ...body,
    `SE*${body.length + 2}*0001`,
    'GE*1*101',
    'IEA*1*000000101',
  ]
    .map((s) => `${s}~\n`)
    .join('');
}

const notKept = (diagnostics: readonly Diagnostic[]): string[] =>
  diagnostics.filter((d) => d.rule === 'SEGMENT_NOT_KEPT').map((d) => `${d.segmentId}@${d.segmentPosition}`);

test('214: a K1 is the signer only on a delivery; on a delay it is a remark, left out with a warning', async () => {
  const r = await translateBuffer(
    x12('214', '004010', [
      'B10*PRO1*SHP1*ODFL',
      'LX*1',
      'AT7*SD*AH***20261128*0600*CT',
      'K1*WEATHER DELAY*SNOW I-65',
      'LX*2',
      'AT7*D1*NS***20261128*1630*CT',
      'K1*R GARCIA',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  const [delayed, delivered] = r.documents;
  assert.equal(delayed!['milestone'], 'DELAYED');
  assert.equal(delayed!['proofOfDelivery'], undefined);
  assert.deepEqual(delivered!['proofOfDelivery'], { signedBy: 'R GARCIA' });
  assert.deepEqual(notKept(r.diagnostics), ['K1@5']);
  assert.match(r.diagnostics[0]!.message, /K1\*WEATHER DELAY\*SNOW I-65 .* not kept: a remark/);
  assert.match(r.acks.join(''), /AK5\*A~/);
});

test("214 with a partner's own delivered code and K1 layout: the signer is read on its deliveries only", async () => {
  const r = await translateBuffer(
    x12('214', '005010', [
      'B10*PRO1*SHP1*ABCD',
      'LX*1',
      'AT7*SD*AH***20261127*1200',
      'K1*TRUCK BROKE*DOWN',
      'LX*2',
      'AT7*XB*NS***20261128*0900',
      'K1*LEFT AT DOCK*J DOE',
    ]),
    goldenOptions({ partnerId: 'example-carrier' }),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.equal(r.documents[0]!['proofOfDelivery'], undefined);
  assert.equal(r.documents[1]!['milestone'], 'DELIVERED');
  assert.deepEqual(r.documents[1]!['proofOfDelivery'], { note: 'LEFT AT DOCK', signedBy: 'J DOE' });
  assert.equal(r.documents[1]!['occurredAt'], '2026-11-28T09:00:00-06:00');
  assert.deepEqual(notKept(r.diagnostics), ['K1@5']);
});

test('214: MS2 names the equipment and its owner; it never replaces the carrier of B10, and is said to be left out', async () => {
  const r = await translateBuffer(
    x12('214', '004010', [
      'B10*PRO1*SHP1*ODFL',
      'LX*1',
      'AT7*X6*NS***20261127*1200*CT',
      'MS2*XTRA*TRL99',
      'LX*2',
      'AT7*AF*NS***20261127*1300*CT',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(
    r.documents.map((d) => d['carrier']),
    [{ scac: 'ODFL' }, { scac: 'ODFL' }],
  );
  // The trailer number has no canonical field: never dropped without a word.
  assert.deepEqual(notKept(r.diagnostics), ['MS2@5']);
  assert.match(
    r.diagnostics[0]!.message,
    /MS2\*XTRA\*TRL99 at position 5 is not kept: the canonical event has no equipment/,
  );
  assert.match(r.acks.join(''), /AK5\*A~/);
});

test('214: L11 under LX (BM, CN, any qualifier) is kept with the shipment, not dropped', async () => {
  const r = await translateBuffer(
    x12('214', '004010', [
      'B10*PRO1*SHP1*ODFL',
      'L11*QTE88*QN',
      'LX*1',
      'AT7*X6*NS***20261127*1200*CT',
      'L11*BOL-1*BM',
      'L11*7*QN',
      'LX*2',
      'AT7*X1*NS***20261127*1500*CT',
      'L11*BOL-2*BM',
      'L11*PRO-9*CN',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  for (const doc of r.documents) {
    const ref = doc['shipmentRef'] as JsonObject;
    assert.equal(ref['billOfLading'], 'BOL-1');
    assert.equal(ref['proNumber'], 'PRO-9');
    assert.deepEqual(doc['references'], [
      { qualifier: 'QN', value: 'QTE88' },
      { qualifier: 'QN', value: '7' },
      { qualifier: 'BM', value: 'BOL-2' },
    ]);
  }
  assert.deepEqual(r.diagnostics, []);
});

test('214: equipment, weights, handling, lading exceptions, marks, routing and party dates are left out with a warning each', async () => {
  const r = await translateBuffer(
    x12Fixture('214-4010-lx-references-equipment-weights.edi'),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.equal(r.documents.length, 4);
  assert.deepEqual(notKept(r.diagnostics), [
    'MAN@5',
    'K1@6',
    'G62@10',
    'MS3@14',
    'MS2@18',
    'AT8@23',
    'AT5@29',
    'Q7@33',
    'AT8@35',
  ]);
  // None is an error: the set is valid X12, and the 997 accepts it.
  assert.match(r.acks.join(''), /AK5\*A~AK9\*A\*1\*1\*1~/);
});

test("210: an LX's own N9 no longer ends the LX: its L5, L0 and every L1 are read, the N9 joins the references", async () => {
  const r = await translateBuffer(
    x12('210', '005010', [
      'B3**INV1*SHP1*TP**20261127*11500**20261125*035*ABCD',
      'LX*1',
      'N9*PO*PO-77',
      'N9*BM*BOL-1',
      'L5*1*MACHINERY',
      'L0*1*500*LB',
      'L1*1*20*CW*10000****400',
      'LX*2',
      'N9*BM*BOL-2',
      'L1*2***2500****FUE',
      'L1*3***-1000****DSC',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  const invoice = r.documents[0]!;
  assert.equal(invoice['billOfLading'], 'BOL-1');
  assert.deepEqual(invoice['references'], [
    { qualifier: 'PO', value: 'PO-77' },
    { qualifier: 'BM', value: 'BOL-2' },
  ]);
  const charges = invoice['charges'] as JsonObject[];
  assert.deepEqual(
    charges.map((c) => [c['lineNumber'], c['description'], (c['amount'] as JsonObject)['amount']]),
    [
      ['1', 'MACHINERY', '100.00'],
      ['2', undefined, '25.00'],
      ['3', undefined, '-10.00'],
    ],
  );
  assert.deepEqual(charges[0]!['billedQuantity'], { value: 500, unit: 'LB', unitNormalized: 'LB' });
  assert.match(r.acks.join(''), /IK5\*A~/);
});

test('210: terms, dates, routing, remarks, equipment and lading details are left out with a warning each', async () => {
  const r = await translateBuffer(x12Fixture('210-5010-n9-under-lx-and-header-extras.edi'), goldenOptions());
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(notKept(r.diagnostics), [
    'ITD@4',
    'G62@6',
    'R3@7',
    'K1@8',
    'N7@16',
    'H1@21',
    'L4@24',
    'L7@25',
    'K1@26',
  ]);
  const charges = r.documents[0]!['charges'] as JsonObject[];
  assert.equal(charges.length, 5);
  const total = charges.reduce(
    (sum, c) => sum + Math.round(Number((c['amount'] as JsonObject)['amount']) * 100),
    0,
  );
  assert.equal(total, 63547);
  assert.deepEqual(r.documents[0]!['netAmountDue'], { amount: '635.47', currency: 'USD' });
});

const TARGET: Record<string, RenderTarget> = { TrackingEvent: 'x12-214', FreightInvoice: 'x12-210' };

for (const file of [
  '214-4010-lx-references-equipment-weights.edi',
  '210-5010-n9-under-lx-and-header-extras.edi',
]) {
  test(`parse(render(doc)) == doc for ${file}`, async () => {
    const first = await translateBuffer(x12Fixture(file), goldenOptions());
    assert.ok(first.documents.length > 0);
    for (const doc of first.documents) {
      const version = String((doc['source'] as JsonObject)['format']).split('/')[1]!;
      const rendered = renderDocument(doc, TARGET[String(doc['documentType'])]!, {
        sender: 'ZZ:SENDERID',
        receiver: 'ZZ:RECEIVERID',
        version,
        now: new Date('2026-11-27T10:00:00Z'),
      });
      assert.deepEqual(rendered.diagnostics, []);
      const again = await translateBuffer(
        rendered.text,
        goldenOptions({ partnerId: String(doc['partnerId']) }),
      );
      assert.deepEqual(again.diagnostics, [], rendered.text);
      const { id: _a, source: _b, correlationId: _c, ...want } = doc;
      const { id: _d, source: _e, correlationId: _f, ...got } = again.documents[0]!;
      assert.deepEqual(got, want);
    }
  });
}

test('214 AT7: a status and an appointment status together break E0103 (AK4/IK4 10), never a status with the reason of the appointment', async () => {
  for (const version of ['004010', '005010']) {
    const r = await translateBuffer(
      x12('214', version, ['B10*PRO1*SHP1*ABCD', 'LX*1', 'AT7*X1*NS*AB*NA*20261127*1200*CT']),
      goldenOptions(),
    );
    assert.equal(r.documents.length, 0, version);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.rule, d.code, d.segmentId, d.elementPosition]),
      [['EXCLUSION_VIOLATED', '10', 'AT7', 3]],
      version,
    );
    assert.match(r.acks.join(''), version === '004010' ? /AK4\*3\*1652\*10\*AB~/ : /IK4\*3\*1652\*10\*AB~/);
  }
});

test('214 AT7: a time without its date breaks C0605 (AK4 2 on AT705), not a missing mandatory element', async () => {
  const r = await translateBuffer(
    x12('214', '004010', ['B10*PRO1*SHP1*ABCD', 'LX*1', 'AT7*X1*NS****1200*CT']),
    goldenOptions(),
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.code, d.segmentId, d.elementPosition]),
    [['CONDITIONAL_ELEMENT_MISSING', '2', 'AT7', 5]],
  );
  assert.match(r.acks.join(''), /AK3\*AT7\*4\*0205\*8~AK4\*5\*373\*2~AK5\*R\*5~/);
});

test('214: the reference of a B10 without B1001 (B1005/B1006) and the postal code of MS1 (MS108) are kept', async () => {
  const r = await translateBuffer(
    x12('214', '004010', [
      'B10**SHP1*ABCD**BM*BOL77',
      'L11*QTE1*QN',
      'LX*1',
      'AT7*X1*NS***20261127*1200*CT',
      'MS1*NAPERVILLE*IL*US*****60563',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  const event = r.documents[0]!;
  assert.deepEqual(event['references'], [
    { qualifier: 'BM', value: 'BOL77' },
    { qualifier: 'QN', value: 'QTE1' },
  ]);
  assert.deepEqual(event['location'], {
    city: 'NAPERVILLE',
    region: 'IL',
    country: 'US',
    postalCode: '60563',
  });
  // Out, MS108 is written back (B10 needs its B1001 there: the outbound map writes no B1005/B1006).
  const withPro = {
    ...event,
    shipmentRef: { ...(event['shipmentRef'] as JsonObject), carrierReference: 'PRO1' },
  };
  const out = renderDocument(withPro, 'x12-214', {
    sender: 'ZZ:SENDERID',
    receiver: 'ZZ:RECEIVERID',
    version: '004010',
    now: new Date('2026-11-27T10:00:00Z'),
  });
  assert.deepEqual(out.diagnostics, []);
  assert.match(out.text, /MS1\*NAPERVILLE\*IL\*US\*\*\*\*\*60563~/);
});

test('N404 and MS103 as USA, CAN or MEX (element 26 takes 3 characters) are read as the alpha-2 code, not rejected', async () => {
  const status = await translateBuffer(
    x12('214', '004010', [
      'B10*PRO1*SHP1*ABCD',
      'N1*CN*STORE',
      'N4*NAPERVILLE*IL*60563*USA',
      'LX*1',
      'AT7*X1*NS***20261127*1200*CT',
      'MS1*WINDSOR*ON*CAN',
    ]),
    goldenOptions(),
  );
  assert.equal(status.ok, true, JSON.stringify(status.diagnostics));
  const event = status.documents[0]!;
  assert.equal(((event['parties'] as JsonObject[])[0]!['address'] as JsonObject)['country'], 'US');
  assert.equal((event['location'] as JsonObject)['country'], 'CA');
  const invoice = await translateBuffer(
    x12('210', '004010', [
      'B3**INV1*SHP1*PP**20261127*10000**20261125*035*ABCD',
      'N1*SH*PLANT 4',
      'N4*MONTERREY*NL*64000*MEX',
      'LX*1',
      'L1*1***10000****400',
    ]),
    goldenOptions(),
  );
  assert.equal(invoice.ok, true, JSON.stringify(invoice.diagnostics));
  const parties = invoice.documents[0]!['parties'] as JsonObject[];
  assert.equal((parties[0]!['address'] as JsonObject)['country'], 'MX');
  // Out, the alpha-2 code is written as held.
  const out = renderDocument(invoice.documents[0]!, 'x12-210', {
    sender: 'ZZ:SENDERID',
    receiver: 'ZZ:RECEIVERID',
    version: '004010',
    now: new Date('2026-11-27T10:00:00Z'),
  });
  assert.match(out.text, /N4\*MONTERREY\*NL\*64000\*MX~/);
});

test('210: an LX without L1 (lading alone) is no charge: left out with a warning, the invoice accepted', async () => {
  const r = await translateBuffer(
    x12('210', '004010', [
      'B3**INV1*SHP1*PP**20261127*15000**20261125*035*ABCD',
      'LX*1',
      'L5*1*FAK PALLETS*70*N',
      'L0*1*1250*LB*1250*G***3*PLT',
      'LX*2',
      'L1*1*12*CW*15000****400',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  const charges = r.documents[0]!['charges'] as JsonObject[];
  assert.deepEqual(
    charges.map((c) => [c['lineNumber'], (c['amount'] as JsonObject)['amount'], c['description']]),
    [['1', '150.00', undefined]],
  );
  assert.deepEqual(notKept(r.diagnostics), ['LX@3']);
  assert.match(r.diagnostics[0]!.message, /^LX\*1 at position 3 is not kept: an LX without L1 has no charge/);
  assert.match(r.acks.join(''), /AK5\*A~/);
});

test('214: an LX without AT7 is no event: left out with a warning, its L11 kept, the other events accepted', async () => {
  const r = await translateBuffer(
    x12('214', '004010', [
      'B10*PRO1*SHP1*ODFL',
      'LX*1',
      'AT7*X6*NS***20261127*1200*CT',
      'LX*2',
      'L11*BOL2*BM',
      'LX*3',
      'AT7*AF*NS***20261127*1300*CT',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(
    r.documents.map((d) => [d['statusCode'], (d['shipmentRef'] as JsonObject)['billOfLading']]),
    [
      ['X6', 'BOL2'],
      ['AF', 'BOL2'],
    ],
  );
  assert.deepEqual(notKept(r.diagnostics), ['LX@5']);
});

test('onlyWith needs a repeating loop and a rule of the loop for its segment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  const file = join(dir, 'x12', '210.map.yaml');
  const yaml = readFileSync(file, 'utf8');
  assert.ok(yaml.includes('      seg: L1\n      reason:'));
  writeFileSync(file, yaml.replace('      seg: L1\n      reason:', '      seg: L9\n      reason:'));
  assert.deepEqual(
    loadMaps({ mapsDir: dir }).errors.map((e) => [e.path.replace(/\d+/g, 'n'), e.message]),
    [['/rules/n/onlyWith', 'onlyWith needs repeat and a rule of the loop for its segment']],
  );
});

test('210 out: a charge with a category and no L108 code of its own goes out with the category code', async () => {
  const invoice = freightInvoice({
    netAmountDue: { amount: '112.50', currency: 'USD' },
    charges: [
      { lineNumber: '1', amount: { amount: '100.00', currency: 'USD' }, codeNormalized: 'FREIGHT' },
      { lineNumber: '2', amount: { amount: '12.50', currency: 'USD' }, codeNormalized: 'FUEL_SURCHARGE' },
      { lineNumber: '3', amount: { amount: '0.00', currency: 'USD' }, codeNormalized: 'NOT_A_CATEGORY' },
    ],
  });
  const out = renderDocument(invoice, 'x12-210', {
    sender: 'ZZ:SENDERID',
    receiver: 'ZZ:RECEIVERID',
    version: '005010',
    now: new Date('2026-11-27T10:00:00Z'),
  });
  assert.match(out.text, /L1\*1\*\*\*10000\*\*\*\*400~LX\*2~L1\*2\*\*\*1250\*\*\*\*FUE~LX\*3~L1\*3\*\*\*0~/);
  // One without a code is said so, not dropped silently.
  assert.deepEqual(
    out.diagnostics.map((d) => [d.severity, d.rule]),
    [['warning', 'VALUE_TOO_LONG']],
  );
  const back = await translateBuffer(out.text, goldenOptions());
  const charges = back.documents[0]!['charges'] as JsonObject[];
  assert.deepEqual(
    charges.map((c) => [c['code'], c['codeNormalized']]),
    [
      ['400', 'FREIGHT'],
      ['FUE', 'FUEL_SURCHARGE'],
      [undefined, undefined],
    ],
  );
});

test('214 AT701 OO is "paperwork received, no shipment": never out for delivery, in or out', async () => {
  const r = await translateBuffer(
    x12('214', '004010', [
      'B10*PRO1*SHP1*ABCD',
      'LX*1',
      'AT7*OO*NS***20261127*1200*CT',
      'LX*2',
      'AT7*A7*AK***20261127*1300*CT',
      'LX*3',
      'AT7*X5*NS***20261127*1400*CT',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(
    r.documents.map((d) => [d['statusCode'], d['milestone']]),
    [
      ['OO', 'OTHER'],
      ['A7', 'EXCEPTION'],
      ['X5', 'ARRIVED_AT_DELIVERY'],
    ],
  );
  // An out-for-delivery event (IFTSTA, REST) has no AT7 code: refused, not sent as OO.
  const event = { ...r.documents[0]!, statusCode: 'ZOD', milestone: 'OUT_FOR_DELIVERY' };
  const out = renderDocument(event, 'x12-214', {
    sender: 'ZZ:SENDERID',
    receiver: 'ZZ:RECEIVERID',
    version: '004010',
    now: new Date('2026-11-27T10:00:00Z'),
  });
  assert.doesNotMatch(out.text, /AT7\*OO/);
  assert.ok(out.diagnostics.some((d) => d.rule === 'RENDERED_INVALID'));
});

test('210: a billed quantity sent on the L1 (L117/L118) is kept; an L0 in the LX wins over it', async () => {
  const r = await translateBuffer(
    x12('210', '004010', [
      'B3**INV1*SHP1*PP**20261127*15100**20261125*035*ABCD',
      'LX*1',
      'L1*1*12*CW*15000****400*********1250*LB',
      'LX*2',
      'L0*1*3*PL',
      'L1*2***100****FUE*********9*FR',
    ]),
    goldenOptions(),
  );
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  const charges = r.documents[0]!['charges'] as JsonObject[];
  assert.deepEqual(
    charges.map((c) => c['billedQuantity']),
    [
      { value: 1250, unit: 'LB', unitNormalized: 'LB' },
      { value: 3, unit: 'PL', unitNormalized: 'PL' },
    ],
  );
});

test('214 AT7: a time code without its time breaks C0706 (AK4 2 on AT706), never midnight in that zone', async () => {
  const r = await translateBuffer(
    x12('214', '005010', ['B10*PRO1*SHP1*ABCD', 'LX*1', 'AT7*X1*NS***20261127**CT']),
    goldenOptions(),
  );
  assert.equal(r.documents.length, 0);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.code, d.segmentId, d.elementPosition]),
    [['CONDITIONAL_ELEMENT_MISSING', '2', 'AT7', 6]],
  );
});
