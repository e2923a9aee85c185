import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../../src/edi/edi-types.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import {
  goldenOptions,
  listX12Fixtures,
  X12_FIXTURES,
  x12Fixture,
  x12FixtureText,
} from './x12-fixture-support.js';

// Every inbound fixture (each a quirk of real partner files, see test/fixtures/edi/x12/README.md)
// translates to exactly its golden canonical JSON and acknowledgement.
for (const file of listX12Fixtures()) {
  const base = file.slice(0, -'.edi'.length);
  const variants: [string, boolean][] = [['', false]];
  if (existsSync(join(X12_FIXTURES, `${base}.lenient.golden.json`))) variants.push(['.lenient', true]);
  for (const [suffix, lenient] of variants) {
    test(`${file}${lenient ? ' (lenient ISA)' : ''} matches its golden documents and ack`, async () => {
      const r = await translateBuffer(x12Fixture(file), goldenOptions(lenient ? { lenientIsa: true } : {}));
      if (process.env['UPDATE_GOLDEN'] === '1') {
        // Regenerate after an intended change, then review the diff like code.
        const json = { interchanges: r.interchanges, documents: r.documents, diagnostics: r.diagnostics };
        writeFileSync(
          join(X12_FIXTURES, `${base}${suffix}.golden.json`),
          `${JSON.stringify(json, null, 2)}\n`,
        );
        writeFileSync(join(X12_FIXTURES, `${base}${suffix}.ack.edi`), r.acks.join(''));
      }
      const golden: unknown = JSON.parse(x12FixtureText(`${base}${suffix}.golden.json`));
      assert.deepEqual(
        { interchanges: r.interchanges, documents: r.documents, diagnostics: r.diagnostics },
        golden,
      );
      assert.equal(r.acks.join(''), x12FixtureText(`${base}${suffix}.ack.edi`));
    });
  }
}

test('the quirky fixtures all produce documents', async () => {
  const expected: Record<string, number> = {
    '856-4010-sopi-tilde-newline.edi': 1,
    '856-5010-soip-newline-terminator.edi': 1,
    '856-4010-soi-crlf.edi': 1,
    '856-5010-spoi-nonprintable.edi': 1,
    '210-4010-wrapped-80.edi': 1,
    '210-5010-tilde-element-ellipsis-terminator.edi': 1,
    '214-4010-dot-terminator-space-before.edi': 2,
    '214-5010-appointment-crlf.edi': 2,
    'multi-interchange-empty-group.edi': 3,
  };
  for (const [file, count] of Object.entries(expected)) {
    const r = await translateBuffer(x12Fixture(file), goldenOptions());
    assert.equal(r.documents.length, count, file);
    assert.equal(r.ok, true, `${file}: ${JSON.stringify(r.diagnostics)}`);
  }
});

test('a trimmed ISA is rejected with TA1 024 unless lenient', async () => {
  const strict = await translateBuffer(x12Fixture('214-4010-trimmed-isa.edi'), goldenOptions());
  assert.equal(strict.documents.length, 0);
  assert.match(strict.acks.join(''), /TA1\*000000011\*261127\*0930\*R\*024~/);
  const lenient = await translateBuffer(
    x12Fixture('214-4010-trimmed-isa.edi'),
    goldenOptions({ lenientIsa: true }),
  );
  assert.equal(lenient.documents.length, 2);
  assert.match(lenient.acks.join(''), /TA1\*000000011\*261127\*0930\*E\*024~/);
});

test('the 856 HL tree is followed by parent pointers in every arrangement', async () => {
  const sopi = (await translateBuffer(x12Fixture('856-4010-sopi-tilde-newline.edi'), goldenOptions()))
    .documents[0]!;
  const orders = sopi['orders'] as {
    packages: { sscc: string; lines: { sku: string }[] }[];
    lines: unknown[];
  }[];
  assert.equal(orders[0]!.packages[0]!.sscc, '012345678901234567');
  assert.deepEqual(
    orders[0]!.packages[0]!.lines.map((l) => l.sku),
    ['SKU-001', 'SKU-002'],
  );
  // S-O-I-P: the pack hangs under the item; the item stays an order line and the pack an order pack.
  const soip = (await translateBuffer(x12Fixture('856-5010-soip-newline-terminator.edi'), goldenOptions()))
    .documents[0]!;
  const o2 = (soip['orders'] as { packages: { sscc: string }[]; lines: { sku: string }[] }[])[0]!;
  assert.deepEqual([o2.lines[0]!.sku, o2.packages[0]!.sscc], ['GIZMO-9', '340123450000000017']);
  // S-P-O-I: each pack is adopted by the order below it.
  const spoi = (await translateBuffer(x12Fixture('856-5010-spoi-nonprintable.edi'), goldenOptions()))
    .documents[0]!;
  const o3 = spoi['orders'] as {
    purchaseOrderNumber: string;
    packages: { sscc: string }[];
    lines: { sku: string }[];
  }[];
  assert.deepEqual(
    o3.map((o) => [o.purchaseOrderNumber, o.packages[0]!.sscc, o.lines[0]!.sku]),
    [
      ['PO-SPOI-A', '012345000000000019', 'WIDGET-RED'],
      ['PO-SPOI-B', '012345000000000026', 'WIDGET-BLUE'],
    ],
  );
});

test('210 money stays a decimal string, N2 implied decimals included', async () => {
  const doc = (await translateBuffer(x12Fixture('210-4010-wrapped-80.edi'), goldenOptions())).documents[0]!;
  assert.deepEqual(doc['netAmountDue'], { amount: '1250.75', currency: 'USD' });
  const charges = doc['charges'] as { amount: { amount: string }; rate?: string; codeNormalized?: string }[];
  assert.deepEqual(
    charges.map((c) => c.amount.amount),
    ['1140.00', '105.45', '5.30'],
  );
  assert.equal(charges[0]!.rate, '9.50');
  assert.equal(charges[1]!.codeNormalized, 'FUEL_SURCHARGE');
  const credit = (
    await translateBuffer(x12Fixture('210-5010-tilde-element-ellipsis-terminator.edi'), goldenOptions())
  ).documents[0]!;
  assert.deepEqual(credit['netAmountDue'], { amount: '-25.00', currency: 'USD' });
});

test('210 B309 is deliveredAt only when its qualifier B310 is 035 (delivered)', async () => {
  const delivered = async (file: string, edit: (text: string) => string = (t) => t) => {
    const r = await translateBuffer(edit(x12FixtureText(file)), goldenOptions());
    return { doc: r.documents[0], diagnostics: r.diagnostics, ack: r.acks.join('') };
  };
  // 035: the date is the delivery date.
  const d035 = await delivered('210-4010-wrapped-80.edi');
  assert.equal(d035.doc?.['deliveredAt'], '2026-11-29');
  // 011 (shipped): a valid B309/B310 pair, but no delivery date; the rest of B3 is read as ever.
  const d011 = await delivered('210-4010-shipped-date-qualifier.edi');
  assert.equal(d011.doc?.['deliveredAt'], undefined);
  assert.equal(d011.doc?.['invoiceNumber'], 'INV-2026-014');
  assert.equal(d011.doc?.['paymentMethod'], 'collect');
  assert.equal((d011.doc?.['carrier'] as { scac: string }).scac, 'ABCD');
  assert.deepEqual(d011.diagnostics, []);
  assert.match(d011.ack, /AK5\*A~/);
  // Any qualifier but 035 leaves the date out, whatever its place in the 374 list.
  const d086 = await delivered('210-4010-wrapped-80.edi', (t) => t.replace('*035*', '*086*'));
  assert.equal(d086.doc?.['deliveredAt'], undefined);
  assert.equal(d086.doc?.['invoiceNumber'], 'INV-2026-001');
  // Absent (both, as P0910 asks): no delivery date.
  const none = await delivered('210-5010-tilde-element-ellipsis-terminator.edi');
  assert.equal(none.doc?.['deliveredAt'], undefined);
  assert.equal(none.doc?.['invoiceNumber'], 'INV-5010-9');
  // B309 without B310 breaks P0910 (4010 and 5010 alike): the set is rejected, nothing is guessed.
  const bare = await delivered('210-4010-wrapped-80.edi', (t) => t.replace('*035*', '**'));
  assert.equal(bare.doc, undefined);
  assert.match(bare.ack, /AK4\*10\*374\*2~/);
});

test('214 statuses become one TrackingEvent per LX with milestone and offset-bearing time', async () => {
  const docs = (
    await translateBuffer(x12Fixture('214-4010-dot-terminator-space-before.edi'), goldenOptions())
  ).documents;
  assert.deepEqual(
    docs.map((d) => [d['statusCode'], d['milestone'], d['occurredAt']]),
    [
      ['X6', 'IN_TRANSIT', '2026-11-28T10:15:00-06:00'],
      ['D1', 'DELIVERED', '2026-11-29T16:02:00-06:00'],
    ],
  );
  assert.deepEqual(docs[1]!['proofOfDelivery'], { signedBy: 'J SMITH' });
  const appt = (await translateBuffer(x12Fixture('214-5010-appointment-crlf.edi'), goldenOptions()))
    .documents;
  assert.deepEqual(
    appt.map((d) => [d['statusCode'], d['milestone']]),
    [
      ['AA', 'APPOINTMENT'],
      ['ZZ', 'OTHER'],
    ],
  );
});

test('214 AT7: a 4010 status without its reason is rejected (P0102); 5010 takes it', async () => {
  const in4010 = x12FixtureText('214-4010-dot-terminator-space-before.edi').replace('AT7*D1*NS*', 'AT7*D1**');
  const r4010 = await translateBuffer(in4010, goldenOptions());
  assert.deepEqual(
    r4010.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.elementPosition, d.code]),
    [['error', 'CONDITIONAL_ELEMENT_MISSING', 'AT7', 2, '2']],
  );
  assert.equal(r4010.documents.length, 0);
  // The fixture's `.` terminator is the ack's too.
  assert.match(r4010.acks.join(''), /AK3\*AT7\*12\*0205\*8\.AK4\*2\*1651\*2\.AK5\*R\*5\./);
  const in5010 = x12FixtureText('214-5010-appointment-crlf.edi').replace('AT7*ZZ*NS*', 'AT7*ZZ**');
  const r5010 = await translateBuffer(in5010, goldenOptions());
  assert.deepEqual(r5010.diagnostics, []);
  assert.deepEqual(
    r5010.documents.map((d) => [d['statusCode'], d['reasonCode']]),
    [
      ['AA', 'NA'],
      ['ZZ', undefined],
    ],
  );
});

test('ISA15 T marks documents as test environment', async () => {
  const doc = (await translateBuffer(x12Fixture('856-4010-ta1-requested-test.edi'), goldenOptions()))
    .documents[0]!;
  assert.equal((doc['source'] as { environment: string }).environment, 'test');
});

test('210: every L1 of an LX is a charge line, so the charges add up to the invoice', async () => {
  const r = await translateBuffer(x12Fixture('210-4010-several-l1-per-lx.edi'), goldenOptions());
  assert.deepEqual(r.diagnostics, []);
  const doc = r.documents[0]!;
  const charges = doc['charges'] as {
    lineNumber: string;
    code: string;
    description: string;
    amount: { amount: string };
  }[];
  assert.deepEqual(
    charges.map((c) => [c.lineNumber, c.code, c.amount.amount, c.description]),
    [
      ['1', '400', '1140.00', 'FREIGHT'],
      ['2', 'FUE', '105.45', 'FREIGHT'],
      ['3', 'LFT', '5.30', 'FREIGHT'],
    ],
  );
  const cents = charges.reduce((sum, c) => sum + Math.round(Number(c.amount.amount) * 100), 0);
  assert.equal(cents, 125075);
  assert.deepEqual(doc['netAmountDue'], { amount: '1250.75', currency: 'USD' });
});

test('214: every AT7 loop of an LX is its own event with its LX context', async () => {
  const r = await translateBuffer(x12Fixture('214-4010-two-at7-per-lx.edi'), goldenOptions());
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    r.documents.map((d) => [
      d['statusCode'],
      d['milestone'],
      d['occurredAt'],
      (d['shipmentRef'] as { shipmentId: string }).shipmentId,
    ]),
    [
      ['X3', 'PICKUP_ARRIVED', '2026-12-15T08:00:00-06:00', 'SHP1'],
      ['AF', 'PICKED_UP', '2026-12-15T09:30:00-06:00', 'SHP1'],
    ],
  );
});

test('856: a second S-level HL rejects the set on its HL03 instead of merging two shipments', async () => {
  const r = await translateBuffer(x12Fixture('856-4010-second-shipment-hl.edi'), goldenOptions());
  assert.equal(r.documents.length, 0);
  assert.deepEqual(
    r.diagnostics.map((d) => [
      d.severity,
      d.rule,
      d.segmentId,
      d.segmentPosition,
      d.elementPosition,
      d.badData,
    ]),
    [['error', 'HL_SECOND_ROOT', 'HL', 11, 3, 'S']],
  );
  assert.match(r.acks.join(''), /AK3\*HL\*11\*HL\*8~AK4\*3\*735\*7\*S~AK5\*R\*5~/);
});

test('856: repeated single-value segments never overwrite: an extra BOL is a reference, the rest are warned about', async () => {
  const r = await translateBuffer(x12Fixture('856-4010-repeated-segments.edi'), goldenOptions());
  const doc = r.documents[0]!;
  assert.equal(doc['billOfLading'], 'BOL1');
  assert.deepEqual(doc['references'], [{ qualifier: 'BM', value: 'BOL2' }]);
  assert.deepEqual(doc['carrier'], { scac: 'ABCD', mode: 'motor', name: 'ABCD FREIGHT' });
  const orders = doc['orders'] as { packages: { sscc: string }[] }[];
  assert.equal(orders[0]!.packages[0]!.sscc, '012345678901234567');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.level, d.rule, d.segmentId, d.segmentPosition]),
    [
      ['warning', 'transaction', 'SEGMENT_NOT_KEPT', 'TD5', 5],
      ['warning', 'transaction', 'SEGMENT_NOT_KEPT', 'MAN', 13],
    ],
  );
  assert.match(r.diagnostics[1]!.message, /MAN\*GM\*00012345678901234574 .*not kept.*"012345678901234567"/);
  // Valid X12: the partner is not told of an error.
  assert.match(r.acks.join(''), /AK2\*856\*0001~AK5\*A~/);
});

test('856: a tare level (HL03 T) is accepted: its packs and items stay with their order, and the ack has no AK4 7', async () => {
  const r = await translateBuffer(x12Fixture('856-4010-sotpi-tare.edi'), goldenOptions());
  const orders = r.documents[0]!['orders'] as {
    purchaseOrderNumber: string;
    packages: { sscc: string; lines: { sku: string }[] }[];
  }[];
  assert.deepEqual(
    orders.map((o) => [o.purchaseOrderNumber, o.packages.map((p) => [p.sscc, p.lines.map((l) => l.sku)])]),
    [['PO1', [['012345678901234567', ['SKU-1']]]]],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.level, d.rule, d.segmentPosition]),
    [['warning', 'transaction', 'HL_LEVEL_NOT_MAPPED', 8]],
  );
  assert.match(r.acks.join(''), /AK2\*856\*0001~AK5\*A~/);
  assert.doesNotMatch(r.acks.join(''), /AK4/);
});

test('a warning without an ack code never leaves an empty AK5 code ahead of a real one', async () => {
  const text = x12FixtureText('856-4010-second-shipment-hl.edi')
    .replace('TD5**2*ABCD*M*ABCD FREIGHT~', 'TD5**2*ABCD*M*ABCD FREIGHT~\nTD5**2*QQQQ~')
    .replace('SE*13*0001', 'SE*14*0001');
  const r = await translateBuffer(text, goldenOptions());
  assert.deepEqual(
    r.diagnostics.map((d) => d.rule),
    ['HL_SECOND_ROOT', 'SEGMENT_NOT_KEPT'],
  );
  assert.match(r.acks.join(''), /AK4\*3\*735\*7\*S~AK5\*R\*5~/);
});

test('210 N9 and 214 L11: a second bill of lading is a reference, not an overwrite of the first', async () => {
  const in210 = x12FixtureText('210-4010-several-l1-per-lx.edi')
    .replace('N9*BM*BOL1~', 'N9*BM*BOL1~\nN9*BM*BOL2~')
    .replace('SE*11*0001', 'SE*12*0001');
  const r210 = await translateBuffer(in210, goldenOptions());
  assert.deepEqual(r210.diagnostics, []);
  assert.deepEqual(
    [r210.documents[0]!['billOfLading'], r210.documents[0]!['references']],
    ['BOL1', [{ qualifier: 'BM', value: 'BOL2' }]],
  );
  const in214 = x12FixtureText('214-4010-two-at7-per-lx.edi')
    .replace('B10*PRO1*SHP1*ABCD~', 'B10*PRO1*SHP1*ABCD~\nL11*BOL1*BM~\nL11*BOL2*BM~')
    .replace('SE*8*0001', 'SE*10*0001');
  const r214 = await translateBuffer(in214, goldenOptions());
  assert.deepEqual(r214.diagnostics, []);
  for (const doc of r214.documents) {
    assert.equal((doc['shipmentRef'] as { billOfLading: string }).billOfLading, 'BOL1');
    assert.deepEqual(doc['references'], [{ qualifier: 'BM', value: 'BOL2' }]);
  }
});

/** Severity, rule, segment and position of each diagnostic. */
const notKept = (r: { diagnostics: readonly Diagnostic[] }): unknown[] =>
  r.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.segmentPosition]);

test('856: a repeated DTM*011 and the N2 of a named party are warned about, not taken; N3s, PER and order-level N1 are kept', async () => {
  const r = await translateBuffer(x12Fixture('856-4010-repeats-and-party-details.edi'), goldenOptions());
  const doc = r.documents[0]!;
  assert.equal(doc['shippedAt'], '2026-11-27T08:00:00-05:00');
  const parties = doc['parties'] as {
    role: string;
    name: string;
    address?: { lines: string[] };
    contact?: unknown;
  }[];
  assert.deepEqual(
    parties.map((p) => [p.role, p.name, p.address?.lines]),
    [
      // A second N3 is lines 3-4; after a one-line N3 it follows on as line 2.
      ['shipFrom', 'ACME WAREHOUSE', ['100 MAIN ST', 'SUITE 5', 'BUILDING 7', 'GATE 3']],
      // N1 with an id alone: N2 is the name.
      ['shipTo', 'BIG STORE 42', ['42 MARKET RD', 'DOOR 4']],
      // The order level's N1*BY (pick/pack 856) joins the shipment's parties.
      ['buyer', 'BUYER INC', undefined],
    ],
  );
  assert.deepEqual(parties[0]!.contact, { name: 'JOHN DOE', phone: '5551234567', email: 'JDOE@EXAMPLE.COM' });
  assert.deepEqual(notKept(r), [
    ['warning', 'SEGMENT_NOT_KEPT', 'DTM', 8],
    ['warning', 'SEGMENT_NOT_KEPT', 'N2', 10],
  ]);
  assert.match(r.acks.join(''), /AK5\*A~/);
});

test('856: a TD5 without the TD502 qualifier gives the carrier mode and name (no SCAC)', async () => {
  const r = await translateBuffer(x12Fixture('856-4010-td5-without-qualifier.edi'), goldenOptions());
  assert.deepEqual(r.documents[0]!['carrier'], { mode: 'motor', name: 'ABCD FREIGHT' });
  assert.deepEqual(r.diagnostics, []);
});

test('210: a second N3 is lines 3-4 of the address; a second L5 does not replace the description of every charge', async () => {
  const r = await translateBuffer(x12Fixture('210-4010-two-n3-two-l5.edi'), goldenOptions());
  const doc = r.documents[0]!;
  const [party] = doc['parties'] as { address: { lines: string[] } }[];
  assert.deepEqual(party!.address.lines, ['100 MAIN ST', 'SUITE 5', 'ATTN ACCOUNTS PAYABLE', 'MAILSTOP 7']);
  assert.deepEqual(
    (doc['charges'] as { description: string }[]).map((c) => c.description),
    ['FREIGHT', 'FREIGHT'],
  );
  assert.deepEqual(notKept(r), [['warning', 'SEGMENT_NOT_KEPT', 'L5', 10]]);
});

test('210 L0: the billed quantity counts in L003, normalized when it is a unit (LB), not when it is FR (flat rate)', async () => {
  const billed = async (file: string): Promise<unknown> => {
    const r = await translateBuffer(x12Fixture(file), goldenOptions());
    return (r.documents[0]!['charges'] as { billedQuantity?: unknown }[])[0]!.billedQuantity;
  };
  assert.deepEqual(await billed('210-4010-two-n3-two-l5.edi'), {
    value: 1200,
    unit: 'LB',
    unitNormalized: 'LB',
  });
  assert.deepEqual(await billed('210-4010-wrapped-80.edi'), { value: 1200, unit: 'FR' });
});

test('214: the first K1 is the signer; a second K1 (a remark) is warned about, not taken', async () => {
  const r = await translateBuffer(x12Fixture('214-4010-two-k1.edi'), goldenOptions());
  assert.deepEqual(r.documents[0]!['proofOfDelivery'], { signedBy: 'J SMITH' });
  assert.deepEqual(notKept(r), [['warning', 'SEGMENT_NOT_KEPT', 'K1', 11]]);
});
