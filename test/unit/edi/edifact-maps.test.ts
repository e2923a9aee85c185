import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateCanonical } from '../../../src/canonical/canonical-validator.js';
import { edifactDateTimeToIso, isoToEdifactDateTime } from '../../../src/edi/edifact-datetime.js';
import { loadMaps } from '../../../src/edi/map-loader.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import {
  renderDocument,
  translateBuffer,
  type RenderTarget,
  type TranslateOptions,
} from '../../../src/edi/translate.js';
import { fixture, golden } from './edifact-fixture-support.js';

const MAPS_DIR = join(process.cwd(), 'edi-maps');
const OPTIONS: TranslateOptions = { now: () => new Date('2026-11-27T10:00:00Z'), mapsDir: MAPS_DIR };
const TARGET: Record<string, RenderTarget> = {
  ShipmentNotice: 'edifact-desadv',
  TrackingEvent: 'edifact-iftsta',
  FreightInvoice: 'edifact-invoic',
};

/** Inbound files whose business content is complete enough for the canonical schemas. */
const MAPPED = [
  ...readdirSync(fixture('maps'))
    .filter((f) => f.endsWith('.edi'))
    .map((f) => join('maps', f)),
  'valid/desadv-d01b-no-una-crlf.edi',
  'valid/desadv-d96a-release-char.edi',
  'valid/desadv-syntax4-unoy-utf8.edi',
  'valid/iftsta-una-equals-star-tilde.edi',
  'valid/invoic-d96a-wrapped-80.edi',
  'valid/message-only.edi',
  'valid/invoic-unoc-cp1252.edi',
  'valid/two-interchanges.edi',
  'valid/level-b-control-delimiters.edi',
];

/** Transport fields change with every new envelope; the business document must not. */
function business(doc: JsonObject): JsonObject {
  const { id: _id, source: _source, correlationId: _correlationId, partnerId: _partnerId, ...rest } = doc;
  return rest;
}

async function translate(file: string) {
  const result = await translateBuffer(readFileSync(fixture(file)), OPTIONS);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `${file}: ${errors.map((d) => d.message).join('; ')}`);
  return result.documents;
}

describe('EDIFACT maps (D96A and D01B)', () => {
  it('all EDIFACT maps and code tables load without errors', () => {
    const set = loadMaps({ mapsDir: MAPS_DIR });
    assert.deepEqual(
      set.errors.filter((e) => e.file.includes('edifact')),
      [],
    );
    const names = set.maps.filter((m) => m.definition.standard === 'edifact').map((m) => m.definition.name);
    assert.deepEqual(names.sort(), [
      'edifact-desadv',
      'edifact-desadv-d01b',
      'edifact-iftsta',
      'edifact-iftsta-d01b',
      'edifact-invoic',
      'edifact-invoic-d01b',
    ]);
  });

  for (const file of MAPPED) {
    it(`${file}: canonical documents match golden, validate, and survive parse(render(doc))`, async () => {
      const documents = await translate(file);
      assert.ok(documents.length > 0);
      assert.deepEqual(documents, golden(fixture(file.replace(/\.edi$/, '.canonical.json')), documents));
      for (const doc of documents) {
        const type = String(doc['documentType']);
        assert.deepEqual(validateCanonical(type, doc).errors, []);
        const directory = String((doc['source'] as JsonObject)['format']).split('/')[1];
        const target = TARGET[type];
        assert.ok(target && directory);
        const rendered = renderDocument(doc, target, {
          mapsDir: MAPS_DIR,
          version: directory,
          now: new Date('2026-11-27T10:00:00Z'),
        });
        assert.deepEqual(rendered.diagnostics, []);
        const again = await translateBuffer(rendered.text, OPTIONS);
        assert.deepEqual(
          again.diagnostics.filter((d) => d.severity === 'error'),
          [],
          rendered.text,
        );
        assert.equal(again.documents.length, 1);
        assert.deepEqual(business(again.documents[0] as JsonObject), business(doc));
      }
    });
  }

  it('a UNH reference repeated in the interchange: the second message is rejected (26), no two documents share an id', async () => {
    const result = await translateBuffer(
      readFileSync(fixture('negative', 'unh-reference-duplicate.edi')),
      OPTIONS,
    );
    assert.deepEqual(
      result.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.rule, d.code]),
      [['UNH_REFERENCE_DUPLICATE', '26']],
    );
    const ids = result.documents.map((d) => d['id']);
    assert.deepEqual(ids, ['edifact-PARTNER-REF77-1']);
  });

  it('INVOIC: a header charge (ALC+C with MOA+8) is a charge too, so the charges sum to the net amount; codes are normalized', async () => {
    const [invoice] = await translate('maps/invoic-d96a-header-charge.edi');
    const charges = (invoice?.['charges'] as JsonObject[]).map((c) => [
      c['lineNumber'],
      c['code'],
      c['codeNormalized'],
      c['description'],
      (c['amount'] as JsonObject)['amount'],
    ]);
    // codeNormalized as the X12 210 gives it for the same codes (l108-charge-code).
    assert.deepEqual(charges, [
      [undefined, 'FUE', 'FUEL_SURCHARGE', 'Fuel surcharge', '151.80'],
      ['1', '400', 'FREIGHT', 'Linehaul', '1000.00'],
    ]);
    assert.deepEqual(invoice?.['netAmountDue'], { amount: '1151.80', currency: 'USD' });
  });

  it('DESADV: consignment-level lines go to the order, CPS packages keep SSCC, tracking and their lines', async () => {
    const [asn] = await translate('maps/desadv-d96a-packed.edi');
    const order = (asn?.['orders'] as JsonObject[])[0] as JsonObject;
    assert.equal(order['purchaseOrderNumber'], 'PO-88120');
    assert.equal(order['purchaseOrderDate'], '2024-03-01');
    assert.deepEqual(
      (order['lines'] as JsonObject[]).map((l) => [l['lineNumber'], l['sku'], l['ids']]),
      [['1', '4000862141404', [{ value: 'ACME-100', qualifier: 'SA' }]]],
    );
    assert.deepEqual(
      (order['packages'] as JsonObject[]).map((p) => [
        p['sscc'],
        p['trackingNumber'],
        (p['lines'] as JsonObject[]).map((l) => l['quantityShipped']),
      ]),
      [
        ['354123450000000014', '1Z999AA10123456784', [{ value: 12, unit: 'PCE', unitNormalized: 'EA' }]],
        ['354123450000000021', undefined, [{ value: 2.5, unit: 'KGM', unitNormalized: 'KG' }]],
      ],
    );
    assert.equal(asn?.['purpose'], 'replace');
    assert.deepEqual(asn?.['carrier'], { mode: 'motor', scac: 'UPSN', name: 'UPS Freight' });
  });

  it("DESADV: each line goes to the order its own RFF+ON names (new orders in first-seen order), a package of several orders's lines is that package under each", async () => {
    const file = 'maps/desadv-d96a-several-orders.edi';
    const result = await translateBuffer(readFileSync(fixture(file)), OPTIONS);
    const [asn] = result.documents;
    const orders = (asn?.['orders'] as JsonObject[]).map((o) => [
      o['purchaseOrderNumber'],
      o['purchaseOrderDate'],
      (o['lines'] as JsonObject[]).map((l) => l['lineNumber']),
      (o['packages'] as JsonObject[]).map((p) => [
        p['sscc'],
        (p['lines'] as JsonObject[]).map((l) => l['lineNumber']),
      ]),
    ]);
    assert.deepEqual(orders, [
      // Line 1 has no RFF+ON (the header's order), line 3 names it; line 6 (packed) has none.
      ['PO-100', '2024-03-01', ['1', '3'], [['354123450000000014', ['6']]]],
      [
        'PO-200',
        '2024-03-02',
        ['2'],
        [
          ['354123450000000014', ['5']],
          ['354123450000000021', ['7']],
        ],
      ],
      ['PO-300', undefined, [], [['354123450000000014', ['4']]]],
    ]);
    // The DTM+171 of line 2's RFF+ON (SG16) is its order's date; line 3's differs from the
    // header's date for PO-100 and is left out.
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [['SEGMENT_NOT_KEPT', 'DTM', 18]],
    );
    // Output: every order in the header, every line with its order's RFF+ON, one CPS per package.
    const text = renderDocument(asn!, 'edifact-desadv', { mapsDir: MAPS_DIR, now: new Date(0) }).text;
    const segs = text.split("'").map((t) => t.replace(/^\n/, ''));
    const ons = segs
      .filter((t) => /^(RFF\+ON|LIN|GIN)/.test(t))
      .map((t) => t.split(/[+:]/).slice(0, 3).join(' '));
    assert.deepEqual(ons, [
      'RFF ON PO-100',
      'RFF ON PO-200',
      'RFF ON PO-300',
      'LIN 1 ',
      'RFF ON PO-100',
      'LIN 3 ',
      'RFF ON PO-100',
      'LIN 2 ',
      'RFF ON PO-200',
      'GIN BJ 354123450000000014',
      'LIN 6 ',
      'RFF ON PO-100',
      'GIN BJ 354123450000000014',
      'LIN 5 ',
      'RFF ON PO-200',
      'GIN BJ 354123450000000021',
      'LIN 7 ',
      'RFF ON PO-200',
      'GIN BJ 354123450000000014',
      'LIN 4 ',
      'RFF ON PO-300',
    ]);
  });

  it('DESADV: a line naming a second, different order keeps the first; the second RFF+ON is not kept', async () => {
    const text = readFileSync(fixture('maps/desadv-d96a-several-orders.edi'), 'latin1');
    const edi = text
      .replace("DTM+171:20240309:102'\nCPS+2+1'", "DTM+171:20240309:102'\nRFF+ON:PO-999'\nCPS+2+1'")
      .replace("UNT+37+1'", "UNT+38+1'");
    const result = await translateBuffer(Buffer.from(edi, 'latin1'), OPTIONS);
    const [asn] = result.documents;
    assert.deepEqual(
      (asn?.['orders'] as JsonObject[]).map((o) => o['purchaseOrderNumber']),
      ['PO-100', 'PO-200', 'PO-300'],
    );
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      // The date's conflict is found when the line is placed in its order, after the line is read.
      [
        ['SEGMENT_NOT_KEPT', 'RFF', 19],
        ['SEGMENT_NOT_KEPT', 'DTM', 18],
      ],
    );
  });

  it('DESADV without a header RFF+ON: the lines make the orders, a line without one joins the first', async () => {
    const text = readFileSync(fixture('maps/desadv-d96a-several-orders.edi'), 'latin1');
    const edi = text.replace("RFF+ON:PO-100'\nDTM+171:20240301:102'\n", '').replace("UNT+37+1'", "UNT+35+1'");
    const result = await translateBuffer(Buffer.from(edi, 'latin1'), OPTIONS);
    assert.deepEqual(result.diagnostics, []);
    const [asn] = result.documents;
    // Line 1 names no order and comes first: it goes with the order line 3 names, the first one
    // named (PO-200, by line 2); line 6 too.
    assert.deepEqual(
      (asn?.['orders'] as JsonObject[]).map((o) => [
        o['purchaseOrderNumber'],
        (o['lines'] as JsonObject[]).map((l) => l['lineNumber']),
        (o['packages'] as JsonObject[]).map((p) => (p['lines'] as JsonObject[]).map((l) => l['lineNumber'])),
      ]),
      [
        ['PO-200', ['1', '2'], [['5', '6'], ['7']]],
        ['PO-100', ['3'], []],
        ['PO-300', [], [['4']]],
      ],
    );
  });

  it('DESADV: a line QTY other than +12 (ordered, free goods) is left out with a warning, the shipped quantity untouched', async () => {
    const text = readFileSync(fixture('maps/desadv-d96a-packed.edi'), 'latin1');
    const edi = text
      .replace("QTY+12:4:PCE'\n", "QTY+21:5:PCE'\nQTY+12:4:PCE'\nQTY+192:1:PCE'\n")
      .replace("UNT+35+1'", "UNT+37+1'");
    const result = await translateBuffer(Buffer.from(edi, 'latin1'), OPTIONS);
    const order = (result.documents[0]?.['orders'] as JsonObject[])[0]!;
    assert.deepEqual((order['lines'] as JsonObject[])[0]!['quantityShipped'], {
      value: 4,
      unit: 'PCE',
      unitNormalized: 'EA',
    });
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [
        ['SEGMENT_NOT_KEPT', 'QTY', 20],
        ['SEGMENT_NOT_KEPT', 'QTY', 22],
        // CNT+2, the number of lines: no field.
        ['SEGMENT_NOT_KEPT', 'CNT', 35],
      ],
    );
  });

  it('DESADV: an SSCC or tracking number at the consignment level (a CPS without parent) is left out with a warning, not in silence', async () => {
    const edi = [
      "UNA:+.? 'UNB+UNOC:3+4012345000016:14+5412345000020:14+240306:0900+DES90'UNH+1+DESADV:D:96A:UN'",
      "BGM+351+ASN-90+9'RFF+ON:PO-1'CPS+1'PAC+1++PX'GIN+BJ+354123450000000014'RFF+CU:1Z1'",
      "LIN+1++4000862141404:EN'QTY+12:2:PCE'UNT+10+1'UNZ+1+DES90'",
    ].join('');
    const result = await translateBuffer(edi, OPTIONS);
    const order = (result.documents[0]?.['orders'] as JsonObject[])[0]!;
    assert.deepEqual([order['packages'], (order['lines'] as JsonObject[]).length], [[], 1]);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [
        // The consignment's PAC (its number of packages) is not read either.
        ['SEGMENT_NOT_KEPT', 'PAC', 5],
        ['SEGMENT_NOT_KEPT', 'GIN', 6],
        ['SEGMENT_NOT_KEPT', 'RFF', 7],
      ],
    );
  });

  it("a line's own DTM, RFF and MEA stay in the line: every line kept, header fields untouched, each left out with SEGMENT_NOT_KEPT", async () => {
    const notKept = (
      diagnostics: readonly { rule?: string; segmentId?: string; segmentPosition?: number }[],
    ) =>
      diagnostics.filter((d) => d.rule === 'SEGMENT_NOT_KEPT').map((d) => [d.segmentId, d.segmentPosition]);
    const desadv = await translateBuffer(
      readFileSync(fixture('maps/desadv-d96a-line-segments.edi')),
      OPTIONS,
    );
    const [asn] = desadv.documents;
    const order = (asn?.['orders'] as JsonObject[])[0] as JsonObject;
    assert.deepEqual(
      [order['lines'], ...(order['packages'] as JsonObject[]).map((p) => p['lines'])].map((lines) =>
        (lines as JsonObject[]).map((l) => l['lineNumber']),
      ),
      [
        ['1', '2'],
        ['3', '4'],
      ],
    );
    // PIA 5 (product identification) is one of the line's ids, as PIA 1 is.
    assert.deepEqual((order['lines'] as JsonObject[])[1]?.['ids'], [{ value: 'ACME-200', qualifier: 'SA' }]);
    assert.equal(asn?.['billOfLading'], 'BOL-HEADER');
    assert.deepEqual((asn?.['totals'] as JsonObject)['grossWeight'], {
      unit: 'KGM',
      unitNormalized: 'KG',
      value: 40,
    });
    assert.deepEqual(notKept(desadv.diagnostics), [
      ['DTM', 10],
      ['MEA', 11],
      ['RFF', 12],
      ['DTM', 13],
      ['RFF', 14],
      ['GIN', 18],
      ['FTX', 19],
      ['MEA', 22],
      ['DTM', 26],
    ]);

    const invoic = await translateBuffer(
      readFileSync(fixture('maps/invoic-d96a-line-segments.edi')),
      OPTIONS,
    );
    const [invoice] = invoic.documents;
    assert.equal(invoice?.['billOfLading'], 'BOL1234');
    assert.equal(invoice?.['deliveredAt'], '2019-08-30');
    assert.equal(((invoice?.['totals'] as JsonObject)['weight'] as JsonObject)['value'], 1200);
    assert.deepEqual(notKept(invoic.diagnostics), [
      ['MEA', 11],
      ['DTM', 12],
      ['RFF', 14],
    ]);
  });

  it('DESADV: a repeated header DTM, MEA, RFF+BM/CN or line IMD never overwrites the first (second references to references[], others SEGMENT_NOT_KEPT)', async () => {
    const result = await translateBuffer(readFileSync(fixture('maps/desadv-d96a-repeats.edi')), OPTIONS);
    const [asn] = result.documents;
    assert.deepEqual(
      [asn?.['billOfLading'], asn?.['proNumber'], asn?.['shippedAt'], asn?.['references']],
      [
        'BOL-1',
        'PRO-1',
        '2024-03-05T12:00:00+00:00',
        [
          { qualifier: 'BM', value: 'BOL-2' },
          { qualifier: 'CN', value: 'PRO-2' },
        ],
      ],
    );
    assert.equal(((asn?.['totals'] as JsonObject)['grossWeight'] as JsonObject)['value'], 40);
    const line = ((asn?.['orders'] as JsonObject[])[0]?.['lines'] as JsonObject[])[0];
    assert.equal(line?.['description'], 'Spare lamp');
    assert.deepEqual(
      result.diagnostics
        .filter((d) => d.rule === 'SEGMENT_NOT_KEPT')
        .map((d) => [d.segmentId, d.segmentPosition]),
      [
        ['DTM', 5],
        ['MEA', 7],
        ['IMD', 16],
      ],
    );
  });

  it('INVOIC: a repeated header DTM+35, MEA weight or RFF+BM never overwrites the first', async () => {
    const result = await translateBuffer(readFileSync(fixture('maps/invoic-d96a-repeats.edi')), OPTIONS);
    const [invoice] = result.documents;
    assert.deepEqual(
      [invoice?.['billOfLading'], invoice?.['references'], invoice?.['deliveredAt']],
      ['BOL-1', [{ qualifier: 'BM', value: 'BOL-2' }], '2019-08-30'],
    );
    assert.equal(((invoice?.['totals'] as JsonObject)['weight'] as JsonObject)['value'], 1200);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [
        ['SEGMENT_NOT_KEPT', 'DTM', 5],
        ['SEGMENT_NOT_KEPT', 'MEA', 7],
      ],
    );
  });

  it("DESADV: the carrier's own RFF and DTM (its NAD group) are left out, never read as an order or a reference", async () => {
    const packed = readFileSync(fixture('maps/desadv-d96a-packed.edi'), 'latin1');
    const shipTo = "NAD+ST+5412345000020::9++Retail DC West+1 Dock Road+Leeds+WYK+LS1 4AP+GB'\n";
    const carrier =
      "NAD+CA+UPSN::SCA++UPS'\nRFF+ON:CARRIER-BOOKING-9'\nDTM+171:20240101:102'\nCTA+IC+:Dispatch'\nCOM+0044123:TE'\n";
    assert.ok(packed.includes(shipTo));
    // Before the parties and after them: the NAD group is the carrier's either way.
    for (const edi of [
      packed.replace('NAD+SF+', `${carrier}NAD+SF+`),
      packed.replace(shipTo, shipTo + carrier),
    ]) {
      const result = await translateBuffer(
        Buffer.from(edi.replace("UNT+35+1'", "UNT+40+1'"), 'latin1'),
        OPTIONS,
      );
      const [asn] = result.documents;
      assert.deepEqual(
        (asn?.['orders'] as JsonObject[]).map((o) => o['purchaseOrderNumber']),
        ['PO-88120'],
      );
      assert.deepEqual(asn?.['references'], [{ qualifier: 'AAK', value: 'DN-3321' }]);
      assert.deepEqual(
        (asn?.['parties'] as JsonObject[]).map((p) => p['role']),
        ['shipFrom', 'shipTo'],
      );
      assert.deepEqual(
        result.diagnostics.map((d) => [d.severity, d.rule, d.segmentId]),
        [
          ['warning', 'SEGMENT_NOT_KEPT', 'RFF'],
          ['warning', 'SEGMENT_NOT_KEPT', 'DTM'],
          ['warning', 'SEGMENT_NOT_KEPT', 'CTA'],
          ['warning', 'SEGMENT_NOT_KEPT', 'COM'],
          // CNT+2, the number of lines: no field.
          ['warning', 'SEGMENT_NOT_KEPT', 'CNT'],
        ],
      );
    }
  });

  it("INVOIC: the carrier's own RFF, DTM and CTA/COM (its NAD group) are left out, never read as the invoice's bill of lading, delivery date or references", async () => {
    const text = readFileSync(fixture('maps/invoic-d96a-nad-names.edi'), 'latin1');
    const carrier = "NAD+CA+CRRX::SCA+Carrier X Express'";
    const own = "RFF+BM:CARRIER-BOL'DTM+35:20190101:102'RFF+ZZZ:BOOKING-7'CTA+IC+:Dispatch'COM+0044123:TE'";
    assert.ok(text.includes(carrier));
    for (const version of ['D:96A', 'D:01B']) {
      const edi = text
        .replace(carrier, carrier + own)
        .replace("UNT+14+1'", "UNT+19+1'")
        .replace('INVOIC:D:96A', `INVOIC:${version}`);
      const result = await translateBuffer(Buffer.from(edi, 'latin1'), OPTIONS);
      const [invoice] = result.documents;
      assert.deepEqual(
        [invoice?.['billOfLading'], invoice?.['deliveredAt'], invoice?.['references'], invoice?.['carrier']],
        [undefined, undefined, [], { scac: 'CRRX', name: 'Carrier X Express' }],
      );
      assert.deepEqual(
        result.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.segmentPosition]),
        [
          ['warning', 'SEGMENT_NOT_KEPT', 'RFF', 5],
          ['warning', 'SEGMENT_NOT_KEPT', 'DTM', 6],
          ['warning', 'SEGMENT_NOT_KEPT', 'RFF', 7],
          ['warning', 'SEGMENT_NOT_KEPT', 'CTA', 8],
          ['warning', 'SEGMENT_NOT_KEPT', 'COM', 9],
          // The buyer's VAT number (its own RFF), as before.
          ['warning', 'SEGMENT_NOT_KEPT', 'RFF', 11],
        ],
      );
    }
  });

  it("IFTSTA: NAD+CA's own CTA/COM are left out; the other NADs are the event's parties, with their contact; a function without a canonical role is left out", async () => {
    const file = 'maps/iftsta-d96a-parties.edi';
    const result = await translateBuffer(readFileSync(fixture(file)), OPTIONS);
    assert.equal(result.documents.length, 2);
    for (const event of result.documents) {
      assert.deepEqual(event['carrier'], { scac: 'ABFS', name: 'ABF Freight' });
      assert.deepEqual(
        (event['parties'] as JsonObject[]).map((p) => [p['role'], p['name'], p['contact']]),
        [
          [
            'shipper',
            'Shipper Co',
            { name: 'Jane Roe', phone: '+1 512 555 0100', email: 'jane@shipper.example' },
          ],
          ['consignee', '', undefined],
        ],
      );
    }
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [
        // The message date (DTM+137): a TrackingEvent has no field for it.
        ['SEGMENT_NOT_KEPT', 'DTM', 3],
        ['SEGMENT_NOT_KEPT', 'CTA', 5],
        ['SEGMENT_NOT_KEPT', 'COM', 6],
        ['SEGMENT_NOT_KEPT', 'COM', 11],
        ['SEGMENT_NOT_KEPT', 'NAD', 13],
        ['SEGMENT_NOT_KEPT', 'CTA', 14],
      ],
    );
  });

  it("DESADV and INVOIC: a party's CTA/COM is its contact, both ways", async () => {
    const cta = "CTA+IC+:Ann Lee'COM+0044 113 496 0000:TE'COM+ann@example.com:EM'";
    const cases: [string, string, string, string][] = [
      [
        'maps/desadv-d96a-packed.edi',
        "NAD+ST+5412345000020::9++Retail DC West+1 Dock Road+Leeds+WYK+LS1 4AP+GB'\n",
        "UNT+35+1'",
        "UNT+38+1'",
      ],
      ['maps/invoic-d96a-nad-names.edi', "RFF+VA:GB987654321'", "UNT+14+1'", "UNT+17+1'"],
    ];
    for (const [file, after, unt, untAfter] of cases) {
      const text = readFileSync(fixture(file), 'latin1');
      assert.ok(text.includes(after) && text.includes(unt), file);
      const edi = text.replace(after, after + cta).replace(unt, untAfter);
      const result = await translateBuffer(Buffer.from(edi, 'latin1'), OPTIONS);
      assert.deepEqual(
        result.diagnostics.filter((d) => d.segmentId === 'CTA' || d.segmentId === 'COM'),
        [],
      );
      const [doc] = result.documents;
      const contacts = (doc?.['parties'] as JsonObject[]).map((p) => p['contact']).filter(Boolean);
      assert.deepEqual(
        contacts,
        [{ name: 'Ann Lee', phone: '0044 113 496 0000', email: 'ann@example.com' }],
        file,
      );
      const type = String(doc?.['documentType']);
      const rendered = renderDocument(doc!, TARGET[type]!, { mapsDir: MAPS_DIR, now: new Date(0) });
      assert.ok(
        rendered.text.includes(cta.replaceAll("'", "'\n")) || rendered.text.includes(cta),
        rendered.text,
      );
      const again = await translateBuffer(rendered.text, OPTIONS);
      assert.deepEqual(business(again.documents[0] as JsonObject), business(doc!));
    }
  });

  it('NAD: +CA is the carrier in DESADV too; a name comes from C080, else C058, else the party id, never empty', async () => {
    // A party's RFF (its VAT number) stays with the party: left out, not a document reference.
    const desadv = await translateBuffer(readFileSync(fixture('maps/desadv-d96a-nad-names.edi')), OPTIONS);
    const [asn] = desadv.documents;
    assert.deepEqual(asn?.['references'], []);
    assert.deepEqual(
      desadv.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [['SEGMENT_NOT_KEPT', 'RFF', 7]],
    );
    assert.deepEqual(asn?.['carrier'], { scac: 'CRRX', name: 'Carrier X Express' });
    assert.deepEqual(
      (asn?.['parties'] as JsonObject[]).map((p) => [p['role'], p['name']]),
      [
        ['shipFrom', 'Acme Warehouse Nord'],
        ['shipTo', '5412345000020'],
      ],
    );
    const invoic = await translateBuffer(readFileSync(fixture('maps/invoic-d96a-nad-names.edi')), OPTIONS);
    const [invoice] = invoic.documents;
    assert.deepEqual(invoice?.['references'], []);
    assert.deepEqual(
      invoic.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [['SEGMENT_NOT_KEPT', 'RFF', 6]],
    );
    assert.deepEqual(invoice?.['carrier'], { scac: 'CRRX', name: 'Carrier X Express' });
    assert.deepEqual(
      (invoice?.['parties'] as JsonObject[]).map((p) => [p['role'], p['name']]),
      [['buyer', 'Buyer Nine Stores']],
    );
    const [event] = await translate('valid/iftsta-una-equals-star-tilde.edi');
    assert.deepEqual(event?.['carrier'], { scac: 'CRRX', name: 'Carrier X Express' });
  });

  it('DESADV: TDT transport modes in both spellings, EANCOM two-digit (30) and Rec 19 one-digit (3)', async () => {
    const text = readFileSync(fixture('maps/desadv-d96a-packed.edi'), 'latin1');
    const modeOf = async (code: string): Promise<unknown> => {
      const edi = text.replace('TDT+20++30+', `TDT+20++${code}+`);
      assert.ok(edi.includes(`TDT+20++${code}++UPSN`));
      const result = await translateBuffer(Buffer.from(edi, 'latin1'), OPTIONS);
      return (result.documents[0]?.['carrier'] as JsonObject | undefined)?.['mode'];
    };
    assert.deepEqual(await Promise.all(['30', '3', '10', '20', '40', '50', '100', '80'].map(modeOf)), [
      'motor',
      'motor',
      'ocean',
      'rail',
      'air',
      'parcel',
      'parcel',
      '80',
    ]);
    // Written as the one-digit code every directory knows.
    const [asn] = await translate('maps/desadv-d96a-packed.edi');
    const edi = renderDocument(asn!, 'edifact-desadv', {
      mapsDir: MAPS_DIR,
      version: 'D96A',
      now: new Date('2026-11-27T10:00:00Z'),
    }).text;
    assert.match(edi, /'TDT\+20\+\+3[:+]/, edi);
  });

  it('DESADV: CNT+11 (total number of packages) is totals.packageCount both ways; CNT+2 (line items) is not', async () => {
    const [d96a] = await translate('maps/desadv-d96a-packed.edi'); // CNT+2:3 then CNT+11:2
    const [d01b] = await translate('maps/desadv-d01b-c106-c819.edi'); // CNT+11:1
    assert.equal((d96a?.['totals'] as JsonObject)['packageCount'], 2);
    assert.equal((d01b?.['totals'] as JsonObject)['packageCount'], 1);
    for (const [asn, version] of [
      [d96a, 'D96A'],
      [d01b, 'D01B'],
    ] as const) {
      const text = renderDocument(asn as JsonObject, 'edifact-desadv', {
        mapsDir: MAPS_DIR,
        version,
        now: new Date('2026-11-27T10:00:00Z'),
      }).text;
      const count = String((asn?.['totals'] as JsonObject)['packageCount']);
      // The summary section: after the last CPS group's segments, right before UNT.
      assert.match(text, new RegExp(`'CNT\\+11:${count}'UNT\\+`), text);
      assert.doesNotMatch(text, /CNT\+2:/);
    }
    const [only] = await translateBuffer(
      "UNH+1+DESADV:D:96A:UN'BGM+351+A-1+9'RFF+ON:PO-1'CPS+1'CNT+2:3'CNT+7:12.5:KGM'UNT+7+1'",
      OPTIONS,
    ).then((r) => r.documents);
    assert.equal(only?.['totals'], undefined);
  });

  it('IFTSTA: one TrackingEvent per STS group; unknown status codes are kept as OTHER', async () => {
    const events = await translate('maps/iftsta-d96a-three-events.edi');
    assert.deepEqual(
      events.map((e) => [e['statusCode'], e['milestone'], e['occurredAt'], e['reasonCode']]),
      [
        ['13', 'PICKED_UP', '2024-02-09T08:15:00+00:00', undefined],
        ['21', 'DELIVERED', '2024-02-10T17:45:00+00:00', 'ZZZ'],
        ['99', 'OTHER', '2024-02-10T19:00:00+00:00', undefined],
      ],
    );
    assert.deepEqual((events[0]?.['shipmentRef'] as JsonObject)['purchaseOrderNumbers'], ['PO-1', 'PO-2']);
  });

  it("IFTSTA: a consignment's RFF (CNI group) reach its own events only; the header's other RFF are every event's references", async () => {
    const file = 'maps/iftsta-d96a-consignment-references.edi';
    const result = await translateBuffer(readFileSync(fixture(file)), OPTIONS);
    assert.deepEqual(
      result.documents.map((e) => [e['shipmentRef'], e['statusCode'], e['references']]),
      [
        [
          {
            carrierReference: 'STAT-77',
            shipmentId: 'SHP-A',
            billOfLading: 'BOL-A',
            proNumber: 'PRO-A',
            purchaseOrderNumbers: ['PO-A1'],
          },
          '13',
          [{ qualifier: 'AAM', value: 'WAYBILL+HDR' }],
        ],
        // Consignment B has no RFF+CN: PRO-A is consignment A's, not B's.
        [
          {
            carrierReference: 'STAT-77',
            shipmentId: 'SHP-B',
            billOfLading: 'BOL-B',
            purchaseOrderNumbers: ['PO-B1'],
          },
          '21',
          [{ qualifier: 'AAM', value: 'WAYBILL+HDR' }],
        ],
        // The STS group's own RFF+BM wins over its consignment's.
        [
          {
            carrierReference: 'STAT-77',
            shipmentId: 'SHP-B',
            billOfLading: 'BOL-B-2',
            purchaseOrderNumbers: [],
          },
          'X1',
          [{ qualifier: 'AAM', value: 'WAYBILL+HDR' }],
        ],
        [{ carrierReference: 'STAT-78', shipmentId: 'SHP-C', purchaseOrderNumbers: [] }, '21', []],
      ],
    );
    // The consignment's own LOC and DTM, an event's DTM+137 and LOC+8: no field, said so.
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [
        ['SEGMENT_NOT_KEPT', 'DTM', 3],
        ['SEGMENT_NOT_KEPT', 'LOC', 7],
        ['SEGMENT_NOT_KEPT', 'DTM', 8],
        ['SEGMENT_NOT_KEPT', 'DTM', 14],
        ['SEGMENT_NOT_KEPT', 'LOC', 24],
      ],
    );
  });

  it("IFTSTA: a status's own transport (TDT group: its RFF, LOC, DTM), party and text are left out, never the event's bill of lading", async () => {
    const result = await translateBuffer(
      readFileSync(fixture('maps/iftsta-d96a-status-transport.edi')),
      OPTIONS,
    );
    assert.deepEqual(
      result.documents.map((e) => (e['shipmentRef'] as JsonObject)['billOfLading']),
      ['BOL-A', 'BOL-A'],
    );
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [
        ['SEGMENT_NOT_KEPT', 'FTX', 9],
        ['SEGMENT_NOT_KEPT', 'NAD', 10],
        ['SEGMENT_NOT_KEPT', 'TDT', 12],
        ['SEGMENT_NOT_KEPT', 'RFF', 13],
        ['SEGMENT_NOT_KEPT', 'LOC', 14],
        ['SEGMENT_NOT_KEPT', 'DTM', 15],
      ],
    );
  });

  it('IFTSTA without an STS group yields no TrackingEvent and says so; CONTRL rejects the message', async () => {
    const text =
      "UNB+UNOC:3+S1:ZZ+R1:ZZ+200202:0202+LB1'UNH+1+IFTSTA:D:96A:UN'BGM+23+LB-1+9'UNT+3+1'UNZ+1+LB1'";
    const result = await translateBuffer(text, { ...OPTIONS, acks: true });
    assert.deepEqual(result.documents, []);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.code, d.rule, d.message]),
      [
        [
          'error',
          '13',
          'NO_DOCUMENT',
          'IFTSTA message 1 yields no TrackingEvent (one per events item; the message has none)',
        ],
      ],
    );
    // The rejected UCM gives the reason (0085 13, missing): no segment holds the absent group.
    assert.match(result.acks.join(''), /^UCM\+1\+IFTSTA:D:96A:UN\+4\+13'$/m);
  });

  it('INVOIC: tax (TAX, MOA+124/125) and other amounts are left out with a warning; MOA+9 (amount due) is the net amount over +77', async () => {
    const file = 'maps/invoic-d96a-tax-and-totals.edi';
    const result = await translateBuffer(readFileSync(fixture(file)), OPTIONS);
    const [invoice] = result.documents;
    assert.deepEqual(invoice?.['netAmountDue'], { currency: 'EUR', amount: '1387.50' });
    assert.deepEqual(
      (invoice?.['charges'] as JsonObject[]).map((c) => [
        c['lineNumber'],
        (c['amount'] as JsonObject)['amount'],
      ]),
      [
        [undefined, '100.00'],
        ['1', '1000.00'],
        ['2', '150.00'],
        ['3', '0.00'],
      ],
    );
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [
        // Payment instructions and terms (PAI, PAT with its DTM+13 due date), the header text,
        // the bill of lading's date (DTM+171 after RFF+BM) and CNT+2: no field on the invoice.
        ['SEGMENT_NOT_KEPT', 'PAI', 5],
        ['SEGMENT_NOT_KEPT', 'FTX', 6],
        ['SEGMENT_NOT_KEPT', 'DTM', 8],
        ['SEGMENT_NOT_KEPT', 'TAX', 13],
        ['SEGMENT_NOT_KEPT', 'MOA', 14],
        ['SEGMENT_NOT_KEPT', 'PAT', 16],
        ['SEGMENT_NOT_KEPT', 'DTM', 17],
        ['SEGMENT_NOT_KEPT', 'TAX', 20],
        ['SEGMENT_NOT_KEPT', 'MOA', 21],
        ['SEGMENT_NOT_KEPT', 'TAX', 27],
        ['SEGMENT_NOT_KEPT', 'MOA', 28],
        ['SEGMENT_NOT_KEPT', 'TAX', 32],
        ['SEGMENT_NOT_KEPT', 'CNT', 38],
        ['SEGMENT_NOT_KEPT', 'MOA', 42],
        ['SEGMENT_NOT_KEPT', 'MOA', 43],
        ['SEGMENT_NOT_KEPT', 'MOA', 44],
        ['SEGMENT_NOT_KEPT', 'TAX', 45],
        ['SEGMENT_NOT_KEPT', 'MOA', 46],
      ],
    );
    // MOA+9 before +77: still the amount due; the +77 is left out.
    const text = readFileSync(fixture(file), 'latin1');
    const swapped = text
      .replace("MOA+77:1487,50'\n", '')
      .replace("MOA+9:1387,50'\n", "MOA+9:1387,50'\nMOA+77:1487,50'\n");
    const again = await translateBuffer(Buffer.from(swapped, 'latin1'), OPTIONS);
    assert.deepEqual(again.documents[0]?.['netAmountDue'], { currency: 'EUR', amount: '1387.50' });
    assert.ok(again.diagnostics.some((d) => d.segmentId === 'MOA' && /MOA\*77/.test(d.message)));
  });

  it("INVOIC: a line's second IMD, QTY+47 or PRI+CAL never overwrites the first; other QTY, PRI and FTX are left out with a warning", async () => {
    const result = await translateBuffer(readFileSync(fixture('maps/invoic-d96a-line-repeats.edi')), OPTIONS);
    assert.deepEqual(result.documents[0]?.['charges'], [
      {
        lineNumber: '1',
        description: 'Linehaul',
        billedQuantity: { value: 1200, unit: 'KGM' },
        amount: { amount: '1000.00', currency: 'EUR' },
        rate: '0.83',
        rateQualifier: 'KGM',
      },
    ]);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
      [
        ['SEGMENT_NOT_KEPT', 'IMD', 7],
        ['SEGMENT_NOT_KEPT', 'QTY', 9],
        ['SEGMENT_NOT_KEPT', 'QTY', 10],
        ['SEGMENT_NOT_KEPT', 'FTX', 11],
        ['SEGMENT_NOT_KEPT', 'PRI', 14],
        ['SEGMENT_NOT_KEPT', 'PRI', 15],
      ],
    );
  });

  it('INVOIC: amounts stay decimal strings in the CUX currency', async () => {
    const [invoice] = await translate('maps/invoic-d01b-charges.edi');
    assert.deepEqual(invoice?.['netAmountDue'], { currency: 'USD', amount: '1163.80' });
    assert.deepEqual(
      (invoice?.['charges'] as JsonObject[]).map((c) => [c['code'], c['amount'], c['rate']]),
      [
        ['400', { amount: '1012.00', currency: 'USD' }, '55.00'],
        ['FUE', { amount: '151.80', currency: 'USD' }, undefined],
      ],
    );
  });

  it('D01B: BGM C106 component 1 is the number; NAD C819 gives the region by code, else by name', async () => {
    const [asn] = await translate('maps/desadv-d01b-c106-c819.edi');
    assert.equal(asn?.['shipmentId'], 'ASN-01B-7');
    const regions = (doc: JsonObject | undefined): unknown[] =>
      ((doc?.['parties'] as JsonObject[]) ?? []).map((p) => (p['address'] as JsonObject)['region']);
    assert.deepEqual(regions(asn), ['Hessen', 'WYK']);
    const [event] = await translate('maps/iftsta-d01b-document-version.edi');
    assert.equal((event?.['shipmentRef'] as JsonObject)['carrierReference'], 'STAT-01B-7');
    const [invoice] = await translate('maps/invoic-d01b-region-name.edi');
    assert.equal(invoice?.['invoiceNumber'], 'FI-01B-0043');
    assert.deepEqual(regions(invoice), ['NC', 'Berlin']);
  });

  it('renders a REST-born invoice (no EDIFACT origin) with the release character escaped', () => {
    const invoice: JsonObject = {
      documentType: 'FreightInvoice',
      schemaVersion: '1',
      id: 'inv-1',
      tenantId: 't',
      partnerId: 'p',
      createdAt: '2026-11-27T10:00:00Z',
      source: { channel: 'rest', format: 'json', environment: 'test', messageId: 'm' },
      correlationId: 'c',
      references: [],
      invoiceNumber: "INV+1'A",
      invoiceDate: '2026-11-27',
      netAmountDue: { amount: '90071992547409.93', currency: 'EUR' },
      charges: [{ lineNumber: '1', amount: { amount: '0.10', currency: 'EUR' }, code: 'FC' }],
      parties: [],
    };
    const r = renderDocument(invoice, 'edifact-invoic', {
      mapsDir: MAPS_DIR,
      now: new Date('2026-11-27T10:00:00Z'),
    });
    assert.deepEqual(r.diagnostics, []);
    assert.match(r.text, /BGM\+380\+INV\?\+1\?'A\+9'/);
    assert.match(r.text, /MOA\+77:90071992547409\.93'/);
    assert.match(r.text, /MOA\+203:0\.10'/);
    assert.match(r.text, /^UNB\+UNOC:3\+CROSSDOCK\+PARTNER\+261127:1000\+\d+\+\+\+\+\+\+1'/);
  });
});

describe('EDIFACT DTM date-times', () => {
  it('reads 102, 203, 204 and 303 into ISO 8601 in the partner zone', () => {
    assert.equal(edifactDateTimeToIso('20240301', '102', 'UTC', false), '2024-03-01T00:00:00+00:00');
    assert.equal(edifactDateTimeToIso('20240301', '102', 'UTC', true), '2024-03-01');
    assert.equal(
      edifactDateTimeToIso('202407011530', '203', 'Europe/Berlin', false),
      '2024-07-01T15:30:00+02:00',
    );
    assert.equal(edifactDateTimeToIso('20240701153045', '204', 'UTC', false), '2024-07-01T15:30:45+00:00');
    assert.equal(edifactDateTimeToIso('202407011530+01', '303', 'UTC', false), '2024-07-01T15:30:00+01:00');
    assert.equal(edifactDateTimeToIso('202407011530', '', 'UTC', false), '2024-07-01T15:30:00+00:00');
  });

  it('rejects values that do not fit their format', () => {
    assert.equal(edifactDateTimeToIso('2024030', '102', 'UTC', false), undefined);
    assert.equal(edifactDateTimeToIso('20240230', '102', 'UTC', false), undefined);
    assert.equal(edifactDateTimeToIso('202403011560', '203', 'UTC', false), undefined);
    assert.equal(edifactDateTimeToIso('20240301', '999', 'UTC', false), undefined);
  });

  it('writes 102 for dates, 203/204 for date-times in the partner zone', () => {
    assert.deepEqual(isoToEdifactDateTime('2024-03-01', 'UTC', false), { value: '20240301', format: '102' });
    assert.deepEqual(isoToEdifactDateTime('2024-03-01T10:00:00Z', 'Europe/Berlin', false), {
      value: '202403011100',
      format: '203',
    });
    assert.deepEqual(isoToEdifactDateTime('2024-03-01T10:00:07+00:00', 'UTC', false), {
      value: '20240301100007',
      format: '204',
    });
    assert.deepEqual(isoToEdifactDateTime('2024-03-01T23:30:00-05:00', 'UTC', true), {
      value: '20240302',
      format: '102',
    });
  });

  it('writes 303 with the offset for the second of two instants the same wall time names (the clocks go back)', () => {
    const chicago = 'America/Chicago'; // 2026-11-01 02:00 CDT → 01:00 CST: 01:30 happens twice
    const first = isoToEdifactDateTime('2026-11-01T01:30:00-05:00', chicago, false);
    const second = isoToEdifactDateTime('2026-11-01T01:30:00-06:00', chicago, false);
    assert.deepEqual(first, { value: '202611010130', format: '203' });
    assert.deepEqual(second, { value: '202611010130-0600', format: '303' });
    for (const [out, sent] of [
      [first, '2026-11-01T01:30:00-05:00'],
      [second, '2026-11-01T01:30:00-06:00'],
    ] as const) {
      const back = edifactDateTimeToIso(out!.value, out!.format, chicago, false);
      assert.equal(Date.parse(back!), Date.parse(sent), `${JSON.stringify(out)} → ${back}`);
    }
    // Any other hour of that day is plain wall time.
    assert.deepEqual(isoToEdifactDateTime('2026-11-01T03:30:00-06:00', chicago, false), {
      value: '202611010330',
      format: '203',
    });
  });
});
