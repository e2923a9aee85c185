import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDocument, translateBuffer, type RenderTarget } from '../../../src/edi/translate.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { freightInvoice, goldenOptions, x12Fixture } from './x12-fixture-support.js';

const TARGET: Record<string, RenderTarget> = {
  ShipmentNotice: 'x12-856',
  TrackingEvent: 'x12-214',
  FreightInvoice: 'x12-210',
};

/** Fields that belong to the transport, not the business document: they change with any new envelope. */
function business(doc: JsonObject): JsonObject {
  const { id: _id, source: _source, correlationId: _correlationId, ...rest } = doc;
  return rest;
}

const FIXTURES = [
  '856-4010-sopi-tilde-newline.edi',
  '856-5010-soip-newline-terminator.edi',
  '856-4010-soi-crlf.edi',
  '856-5010-spoi-nonprintable.edi',
  '214-4010-dot-terminator-space-before.edi',
  '214-5010-appointment-crlf.edi',
  '210-4010-wrapped-80.edi',
  '210-4010-shipped-date-qualifier.edi',
  '210-5010-tilde-element-ellipsis-terminator.edi',
  '210-4010-several-l1-per-lx.edi',
  '214-4010-two-at7-per-lx.edi',
  '856-4010-repeated-segments.edi',
  '856-4010-sotpi-tare.edi',
  '856-4010-repeats-and-party-details.edi',
  '856-4010-td5-without-qualifier.edi',
  '210-4010-two-n3-two-l5.edi',
  '214-4010-two-k1.edi',
  '214-5010-b10-shipper-reference.edi',
];

for (const file of FIXTURES) {
  test(`parse(render(doc)) == doc for ${file}`, async () => {
    const first = await translateBuffer(x12Fixture(file), goldenOptions());
    assert.ok(first.documents.length > 0);
    for (const doc of first.documents) {
      const type = String(doc['documentType']);
      const version = String((doc['source'] as JsonObject)['format']).split('/')[1]!;
      const rendered = renderDocument(doc, TARGET[type]!, {
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
      assert.equal(again.documents.length, 1);
      assert.deepEqual(business(again.documents[0]!), business(doc));
    }
  });
}

test('rendering writes the canonical S-O-P-I tree, envelope and counts', async () => {
  const doc = (await translateBuffer(x12Fixture('856-5010-spoi-nonprintable.edi'), goldenOptions()))
    .documents[0]!;
  const r = renderDocument(doc, 'x12-856', {
    sender: 'ZZ:CROSSDOCK',
    receiver: '01:123456789',
    version: '005010',
    now: new Date('2026-11-27T10:00:00Z'),
  });
  const segs = r.text.split('~').filter((s) => s !== '');
  assert.match(
    segs[0]!,
    /^ISA\*00\* {10}\*00\* {10}\*ZZ\*CROSSDOCK {6}\*01\*123456789 {6}\*261127\*1000\*\^\*00501\*000000001\*0\*P\*>$/,
  );
  assert.equal(segs[1], 'GS*SH*CROSSDOCK*123456789*20261127*1000*1*X*005010');
  assert.deepEqual(
    segs.filter((s) => s.startsWith('HL*')),
    ['HL*1**S*1', 'HL*2*1*O*1', 'HL*3*2*P*0', 'HL*4*2*I*0', 'HL*5*1*O*1', 'HL*6*5*P*0', 'HL*7*5*I*0'],
  );
  const st = segs.findIndex((s) => s.startsWith('ST*'));
  const se = segs.findIndex((s) => s.startsWith('SE*'));
  assert.equal(segs[se], `SE*${se - st + 1}*0001`);
  assert.equal(segs.at(-1), 'IEA*1*000000001');
});

/** A 210 of `invoice` for our test partner, as the golden clock has it. */
const render210 = (invoice: JsonObject, version: string) =>
  renderDocument(invoice, 'x12-210', {
    sender: 'ZZ:SENDERID',
    receiver: 'ZZ:RECEIVERID',
    version,
    now: new Date('2026-11-27T10:00:00Z'),
  });

const usd = (amount: string): JsonObject => ({ amount, currency: 'USD' });

test('money is rendered from the decimal string without floating point', () => {
  const invoice = freightInvoice({
    partnerId: 'p',
    // 1111111111.11 × 100 is 111111111110.99998 in floating point: truncated, one cent short.
    netAmountDue: usd('1111111111.11'),
    charges: [{ lineNumber: '1', amount: usd('0.1'), code: '400' }],
  });
  const r = renderDocument(invoice, 'x12-210', {});
  assert.deepEqual(r.diagnostics, []);
  assert.match(r.text, /B3\*\*INV-1\*\*PP\*\*20261127\*111111111111\*\*\*\*ABCD~/);
  assert.match(r.text, /L1\*1\*\*\*10\*\*\*\*400~/);
});

test('210: the delivery date B309 goes out with its qualifier B310 (P0910), and the set validates clean', async () => {
  const invoice = freightInvoice({
    invoiceNumber: 'INV-2',
    deliveredAt: '2026-11-29',
    netAmountDue: usd('12.50'),
    charges: [{ lineNumber: '1', amount: usd('12.50'), code: '400' }],
  });
  for (const version of ['004010', '005010']) {
    const r = render210(invoice, version);
    assert.deepEqual(r.diagnostics, []);
    assert.match(r.text, /~B3\*\*INV-2\*\*PP\*\*20261127\*1250\*\*20261129\*035\*ABCD~/);
    const again = await translateBuffer(r.text, goldenOptions({ partnerId: 'SENDERID' }));
    assert.deepEqual(again.diagnostics, [], r.text);
    assert.equal(again.documents[0]!['deliveredAt'], '2026-11-29');
  }
});

test('210: an allowance (negative L104) keeps its sign and every digit both ways, N2 implied decimals included', async () => {
  const charges: JsonObject[] = [
    { lineNumber: '1', code: '400', amount: usd('1234567890.17') },
    { lineNumber: '2', code: 'DSC', amount: usd('-0.05') },
    // 12 digits, the most L104 takes: the minus sign is not counted.
    { lineNumber: '3', code: 'DSC', amount: usd('-1234567890.12') },
  ];
  const invoice = freightInvoice({ netAmountDue: usd('0.00'), charges });
  for (const version of ['004010', '005010']) {
    const r = render210(invoice, version);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.text.split('~').filter((s) => s.startsWith('L1*')),
      ['L1*1***123456789017****400', 'L1*2***-5****DSC', 'L1*3***-123456789012****DSC'],
    );
    const again = await translateBuffer(r.text, goldenOptions({ partnerId: 'SENDERID' }));
    assert.deepEqual(again.diagnostics, [], r.text);
    assert.deepEqual(
      (again.documents[0]!['charges'] as JsonObject[]).map((c) => [c['code'], c['amount']]),
      charges.map((c) => [c['code'], c['amount']]),
    );
  }
});

test('an invalid canonical document is not rendered; the diagnostic names the field', () => {
  const r = renderDocument({ documentType: 'ShipmentNotice', shipmentId: 'X' }, 'x12-856', {});
  assert.equal(r.text, '');
  assert.ok(
    r.diagnostics.some((d) => d.rule === 'CANONICAL_SCHEMA' && d.message.includes('/purpose is required')),
  );
  assert.equal(renderDocument({}, 'x12-999', {}).diagnostics[0]?.rule, 'RENDER_TARGET');
});

/** The body segments of a rendered set that start with one of `tags`. */
const segmentsOf = (text: string, ...tags: string[]): string[] =>
  text.split('~').filter((s) => tags.some((t) => s.startsWith(`${t}*`)));

test('an address of five lines goes out as two N3 (lines 1-4) and a warning for the fifth, in 856, 210 and 214', async () => {
  const lines = ['100 MAIN ST', 'SUITE 5', 'BUILDING 7', 'GATE 3', 'BACK OFFICE'];
  const cases: [string, RenderTarget][] = [
    ['856-4010-repeats-and-party-details.edi', 'x12-856'],
    ['210-4010-two-n3-two-l5.edi', 'x12-210'],
    ['214-4010-two-k1.edi', 'x12-214'],
  ];
  for (const [file, target] of cases) {
    const doc = (await translateBuffer(x12Fixture(file), goldenOptions())).documents[0]!;
    const party = (doc['parties'] as JsonObject[])[0]!;
    party['address'] = { ...(party['address'] as JsonObject), lines };
    const r = renderDocument(doc, target, { version: '004010', now: new Date('2026-11-27T10:00:00Z') });
    assert.deepEqual(
      segmentsOf(r.text, 'N3').slice(0, 2),
      ['N3*100 MAIN ST*SUITE 5', 'N3*BUILDING 7*GATE 3'],
      file,
    );
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.message]),
      [
        [
          'warning',
          'VALUE_NOT_WRITTEN',
          'N3',
          'address.lines[4] "BACK OFFICE" has no N3 to go in (4 fit); not written',
        ],
      ],
      file,
    );
  }
});

test('856 out: TD502 2 goes with a SCAC only; the SSCC-18 goes out as MAN*GM with its AI 00', async () => {
  const doc = (await translateBuffer(x12Fixture('856-4010-td5-without-qualifier.edi'), goldenOptions()))
    .documents[0]!;
  const r = renderDocument(doc, 'x12-856', { version: '004010', now: new Date('2026-11-27T10:00:00Z') });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(segmentsOf(r.text, 'TD5', 'MAN'), [
    'TD5****M*ABCD FREIGHT',
    'MAN*GM*00012345678901234567',
  ]);
  doc['carrier'] = { scac: 'ABCD', mode: 'motor' };
  const withScac = renderDocument(doc, 'x12-856', {
    version: '004010',
    now: new Date('2026-11-27T10:00:00Z'),
  });
  assert.deepEqual(segmentsOf(withScac.text, 'TD5'), ['TD5**2*ABCD*M']);
});
