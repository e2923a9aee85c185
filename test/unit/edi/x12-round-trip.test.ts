import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDocument, translateBuffer, type RenderTarget } from '../../../src/edi/translate.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { goldenOptions, x12Fixture } from './x12-fixture-support.js';

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

test('money is rendered from the decimal string without floating point', () => {
  const invoice: JsonObject = {
    documentType: 'FreightInvoice',
    schemaVersion: '1',
    id: 'inv-1',
    tenantId: 't',
    partnerId: 'p',
    createdAt: '2026-11-27T10:00:00Z',
    source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'm' },
    correlationId: 'c',
    references: [],
    invoiceNumber: 'INV-1',
    invoiceDate: '2026-11-27',
    // 1111111111.11 × 100 is 111111111110.99998 in floating point: truncated, one cent short.
    netAmountDue: { amount: '1111111111.11', currency: 'USD' },
    paymentMethod: 'prepaid',
    carrier: { scac: 'ABCD' },
    charges: [{ lineNumber: '1', amount: { amount: '0.1', currency: 'USD' }, code: '400' }],
    parties: [],
  };
  const r = renderDocument(invoice, 'x12-210', {});
  assert.deepEqual(r.diagnostics, []);
  assert.match(r.text, /B3\*\*INV-1\*\*PP\*\*20261127\*111111111111\*\*\*\*ABCD~/);
  assert.match(r.text, /L1\*1\*\*\*10\*\*\*\*400~/);
});

test('210: the delivery date B309 goes out with its qualifier B310 (P0910), and the set validates clean', async () => {
  const invoice: JsonObject = {
    documentType: 'FreightInvoice',
    schemaVersion: '1',
    id: 'inv-2',
    tenantId: 't',
    partnerId: 'SENDERID',
    createdAt: '2026-11-27T10:00:00Z',
    source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'm' },
    correlationId: 'c',
    references: [],
    invoiceNumber: 'INV-2',
    paymentMethod: 'prepaid',
    invoiceDate: '2026-11-27',
    deliveredAt: '2026-11-29',
    carrier: { scac: 'ABCD' },
    netAmountDue: { amount: '12.50', currency: 'USD' },
    charges: [{ lineNumber: '1', amount: { amount: '12.50', currency: 'USD' }, code: '400' }],
    parties: [],
  };
  for (const version of ['004010', '005010']) {
    const r = renderDocument(invoice, 'x12-210', {
      sender: 'ZZ:SENDERID',
      receiver: 'ZZ:RECEIVERID',
      version,
      now: new Date('2026-11-27T10:00:00Z'),
    });
    assert.deepEqual(r.diagnostics, []);
    assert.match(r.text, /~B3\*\*INV-2\*\*PP\*\*20261127\*1250\*\*20261129\*035\*ABCD~/);
    const again = await translateBuffer(r.text, goldenOptions({ partnerId: 'SENDERID' }));
    assert.deepEqual(again.diagnostics, [], r.text);
    assert.equal(again.documents[0]!['deliveredAt'], '2026-11-29');
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
