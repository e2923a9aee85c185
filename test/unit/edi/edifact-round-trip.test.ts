/**
 * Round trips that start from canonical documents rather than from EDIFACT files: hand-written
 * documents with every optional field the EDIFACT maps carry, every canonical transport mode and
 * milestone, and documents that came from X12 (856, 214, 210) rendered to DESADV, IFTSTA, INVOIC.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { renderDocument, translateBuffer, type RenderTarget } from '../../../src/edi/translate.js';
import { MILESTONES } from '../../../src/canonical/tracking-event.schema.js';
import { goldenOptions, MAPS_DIR, x12Fixture } from './x12-fixture-support.js';

const NOW = new Date('2026-11-27T10:00:00Z');

const envelope = (documentType: string): JsonObject => ({
  documentType,
  schemaVersion: '1',
  id: 'doc-1',
  tenantId: 'default',
  partnerId: 'P1',
  createdAt: '2026-11-27T10:00:00Z',
  source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'm1' },
  correlationId: 'c1',
});

const party = (role: string, id: string): JsonObject => ({
  role,
  ids: [{ qualifier: '9', value: id }],
  name: `${role} ${id}`,
  address: {
    lines: ['Hauptstr. 1', 'Hof 2', 'Aufgang B', '3. Etage'],
    city: 'Berlin',
    region: 'BE',
    postalCode: '10115',
    country: 'DE',
  },
});

const line = (lineNumber: string, sku: string): JsonObject => ({
  lineNumber,
  sku,
  skuType: 'EN',
  ids: [{ value: `SA-${sku}`, qualifier: 'SA' }],
  description: `Item ${sku}`,
  quantityShipped: { value: 2.5, unit: 'KGM', unitNormalized: 'KG' },
});

const ASN: JsonObject = {
  ...envelope('ShipmentNotice'),
  references: [{ qualifier: 'AAK', value: 'DN-1' }],
  shipmentId: 'ASN-1',
  purpose: 'replace',
  issuedAt: '2026-11-27T09:30:00+00:00',
  shippedAt: '2026-11-27T08:00:00+00:00',
  estimatedDeliveryAt: '2026-11-29T17:00:00+00:00',
  carrier: { mode: 'motor', scac: 'DHLF', name: 'DHL Freight' },
  billOfLading: 'BOL-1',
  proNumber: 'PRO-1',
  trackingNumbers: ['TRK-1', 'TRK-2'],
  parties: [party('supplier', 'SU1'), party('buyer', 'BY1')],
  totals: { grossWeight: { unit: 'KGM', unitNormalized: 'KG', value: 12.5 }, packageCount: 1 },
  orders: [
    {
      purchaseOrderNumber: 'PO-1',
      purchaseOrderDate: '2026-11-20',
      lines: [line('1', '4000862141404')],
      packages: [{ sscc: '354123450000000014', trackingNumber: '1Z1', lines: [line('2', '4000862141411')] }],
    },
  ],
};

const EVENT: JsonObject = {
  ...envelope('TrackingEvent'),
  references: [],
  shipmentRef: {
    carrierReference: 'STAT-1',
    shipmentId: 'CONS-1',
    billOfLading: 'BOL-1',
    proNumber: 'PRO-1',
    purchaseOrderNumbers: ['PO-1', 'PO-2'],
  },
  carrier: { scac: 'ABCD', name: 'Carrier A' },
  statusCode: '21',
  milestone: 'DELIVERED',
  reasonCode: '5',
  occurredAt: '2026-11-28T10:15:00+00:00',
  location: { name: 'DEBER', city: 'Berlin', region: 'BE', country: 'DE' },
};

const INVOICE: JsonObject = {
  ...envelope('FreightInvoice'),
  references: [{ qualifier: 'AAK', value: 'DN-1' }],
  invoiceNumber: 'INV-1',
  invoiceDate: '2026-11-27',
  deliveredAt: '2026-11-26T16:30:00+00:00',
  billOfLading: 'BOL-1',
  proNumber: 'PRO-1',
  shipmentId: 'SHP-1',
  carrier: { scac: 'ABCD', name: 'Carrier A' },
  parties: [party('supplier', 'SU1'), party('billTo', 'BT1')],
  netAmountDue: { amount: '1250.75', currency: 'EUR' },
  totals: {
    weight: { unit: 'KGM', unitNormalized: 'KG', value: 1200 },
    chargesTotal: { amount: '1250.75', currency: 'EUR' },
  },
  charges: [
    {
      lineNumber: '1',
      description: 'Linehaul',
      billedQuantity: { value: 1200, unit: 'KGM' },
      amount: { amount: '1140.00', currency: 'EUR' },
      rate: '9.50',
      rateQualifier: 'KGM',
      code: '400',
      codeNormalized: 'FREIGHT',
    },
    {
      lineNumber: '2',
      description: 'Fuel',
      amount: { amount: '110.75', currency: 'EUR' },
      code: 'FUE',
      codeNormalized: 'FUEL_SURCHARGE',
    },
  ],
};

const TARGET: Record<string, RenderTarget> = {
  ShipmentNotice: 'edifact-desadv',
  TrackingEvent: 'edifact-iftsta',
  FreightInvoice: 'edifact-invoic',
};

/** Transport fields change with every envelope; the business document must not. */
function business(doc: JsonObject): JsonObject {
  const {
    id: _id,
    source: _source,
    correlationId: _correlationId,
    partnerId: _partnerId,
    createdAt: _createdAt,
    tenantId: _tenantId,
    ...rest
  } = doc;
  return rest;
}

/** Renders `doc` to its EDIFACT message and reads the one document back. */
async function viaEdifact(doc: JsonObject, version: string, warnings: unknown[] = []): Promise<JsonObject> {
  const rendered = renderDocument(doc, TARGET[String(doc['documentType'])] ?? '', {
    mapsDir: MAPS_DIR,
    version,
    now: NOW,
  });
  assert.deepEqual(
    rendered.diagnostics.map((d) => [d.severity, d.rule, d.segmentId]),
    warnings,
    rendered.text,
  );
  const back = await translateBuffer(rendered.text, goldenOptions({ partnerId: 'P1' }));
  assert.deepEqual(back.diagnostics, [], rendered.text);
  assert.equal(back.documents.length, 1);
  return back.documents[0] as JsonObject;
}

describe('EDIFACT round trip from hand-written canonical documents', () => {
  for (const version of ['D96A', 'D01B'])
    for (const doc of [ASN, EVENT, INVOICE])
      it(`${String(doc['documentType'])} ${version}: every field the map carries comes back`, async () => {
        assert.deepEqual(business(await viaEdifact(doc, version)), business(doc));
      });

  it('DESADV with several orders: each order comes back with its own lines and packages (a shared SSCC too)', async () => {
    const pack = (sscc: string, ...lines: JsonObject[]): JsonObject => ({ sscc, lines });
    const doc: JsonObject = {
      ...ASN,
      orders: [
        {
          purchaseOrderNumber: 'PO-1',
          purchaseOrderDate: '2026-11-20',
          lines: [line('1', '4000862141404')],
          packages: [pack('354123450000000014', line('2', '4000862141411'))],
        },
        {
          purchaseOrderNumber: 'PO-2',
          purchaseOrderDate: '2026-11-21',
          lines: [line('3', '4000862141428'), line('4', '4000862141435')],
          packages: [
            pack('354123450000000021', line('5', '4000862141442')),
            pack('354123450000000014', line('6', '4000862141459')),
          ],
        },
        {
          purchaseOrderNumber: 'PO-3',
          lines: [],
          packages: [pack('354123450000000038', line('7', '4000862141466'))],
        },
        { purchaseOrderNumber: 'PO-4', lines: [], packages: [] },
      ],
    };
    for (const version of ['D96A', 'D01B'])
      assert.deepEqual(business(await viaEdifact(doc, version)), business(doc));
  });

  it('a party whose role is carrier (X12 N1*CA) is not written as NAD+CA, which would read back as the carrier', async () => {
    const carrierParty = { ...party('carrier', 'CR1'), contact: { name: 'Dispatch', phone: '1' } };
    for (const doc of [ASN, EVENT, INVOICE]) {
      const withCarrierParty = {
        ...doc,
        parties: [...((doc['parties'] as JsonObject[]) ?? []), carrierParty],
      };
      const back = await viaEdifact(withCarrierParty, 'D96A', [['warning', 'SEGMENT_NOT_WRITTEN', 'NAD']]);
      assert.deepEqual(back['carrier'], doc['carrier']);
      assert.deepEqual(back['parties'] ?? [], doc['parties'] ?? []);
    }
  });

  it('DESADV: every canonical transport mode comes back; Rec 19 codes where there is one', async () => {
    const written: string[] = [];
    for (const mode of ['motor', 'ltl', 'air', 'rail', 'ocean', 'parcel', 'intermodal', 'privateParcel']) {
      const doc = { ...ASN, carrier: { mode, scac: 'DHLF' } };
      const coded = !['ltl', 'privateParcel'].includes(mode);
      const back = await viaEdifact(doc, 'D96A', coded ? [] : [['warning', 'VALUE_TOO_LONG', 'TDT']]);
      assert.deepEqual(back['carrier'], doc.carrier);
      const text = renderDocument(doc, 'edifact-desadv', { mapsDir: MAPS_DIR, now: NOW }).text;
      written.push(/TDT\+20\+\+([^+]*)\+/.exec(text)?.[1] ?? '');
    }
    assert.deepEqual(written, [
      '3:motor',
      ':ltl',
      '4:air',
      '2:rail',
      '1:ocean',
      '5:parcel',
      '6:intermodal',
      ':privateParcel',
    ]);
  });

  it('IFTSTA: every canonical milestone comes back (OTHER keeps the status as sent)', async () => {
    for (const milestone of MILESTONES) {
      const doc = { ...EVENT, milestone, statusCode: milestone === 'OTHER' ? '99' : 'X' };
      const back = await viaEdifact(doc, 'D96A');
      assert.equal(back['milestone'], milestone);
      if (milestone === 'OTHER') assert.equal(back['statusCode'], '99');
    }
  });
});

describe('across formats: X12 → canonical → EDIFACT → canonical keeps what both formats carry', () => {
  async function fromX12(file: string): Promise<JsonObject[]> {
    const r = await translateBuffer(x12Fixture(file), goldenOptions({ partnerId: 'P1' }));
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.ok(r.documents.length > 0);
    return r.documents as JsonObject[];
  }

  // EDIFACT DTM 203 has no zone: times are written in the partner's zone, so the instant is kept.
  const instant = (v: unknown): unknown =>
    typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? new Date(v).toISOString() : v;
  const pick = (doc: JsonObject, paths: string[]): unknown[] =>
    paths.map((p) =>
      instant(p.split('.').reduce<unknown>((v, k) => (v as JsonObject | undefined)?.[k], doc)),
    );

  it('856 → DESADV: ids, dates, carrier (mode normalized), references, orders, packages and lines', async () => {
    for (const file of ['856-4010-sopi-tilde-newline.edi', '856-5010-soip-newline-terminator.edi']) {
      for (const asn of await fromX12(file)) {
        const rendered = renderDocument(asn, 'edifact-desadv', { mapsDir: MAPS_DIR, now: NOW });
        assert.deepEqual(
          rendered.diagnostics.filter((d) => d.severity === 'error'),
          [],
        );
        assert.doesNotMatch(rendered.text, /TDT\+20\+\+[a-z]/, 'canonical mode written as a code');
        const back = (await translateBuffer(rendered.text, goldenOptions({ partnerId: 'P1' }))).documents[0];
        assert.ok(back, rendered.text);
        const fields = [
          'shipmentId',
          'purpose',
          'issuedAt',
          'shippedAt',
          'estimatedDeliveryAt',
          'carrier.scac',
          'carrier.mode',
          'totals.packageCount',
          'billOfLading',
          'proNumber',
          'trackingNumbers',
        ];
        assert.deepEqual(pick(back, fields), pick(asn, fields), file);
        type Line = { sku?: string; quantityShipped: { value: number; unitNormalized?: string } };
        type Order = {
          purchaseOrderNumber: string;
          packages: { sscc?: string; lines: Line[] }[];
          lines: Line[];
        };
        const lines = (ls: Line[]): unknown =>
          ls.map((l) => [l.sku, l.quantityShipped.value, l.quantityShipped.unitNormalized]);
        const orders = (d: JsonObject): unknown =>
          (d['orders'] as Order[]).map((o) => [
            o.purchaseOrderNumber,
            o.packages.map((p) => [p.sscc, lines(p.lines)]),
            lines(o.lines),
          ]);
        assert.deepEqual(orders(back), orders(asn), file);
      }
    }
  });

  it('214 → IFTSTA: every event keeps its milestone, time, place, carrier and shipment references', async () => {
    for (const file of ['214-4010-dot-terminator-space-before.edi', '214-5010-appointment-crlf.edi']) {
      for (const event of await fromX12(file)) {
        const back = await viaEdifact(event, 'D96A');
        const fields = [
          'milestone',
          'occurredAt',
          'carrier.scac',
          'location.city',
          'location.country',
          'shipmentRef.carrierReference',
          'shipmentRef.shipmentId',
          'shipmentRef.billOfLading',
          'shipmentRef.proNumber',
          'shipmentRef.purchaseOrderNumbers',
        ];
        assert.deepEqual(pick(back, fields), pick(event, fields), file);
      }
    }
  });

  it('210 → INVOIC: number, dates, carrier SCAC, references, amounts and charges', async () => {
    for (const file of ['210-4010-wrapped-80.edi', '210-5010-tilde-element-ellipsis-terminator.edi']) {
      for (const invoice of await fromX12(file)) {
        const rendered = renderDocument(invoice, 'edifact-invoic', { mapsDir: MAPS_DIR, now: NOW });
        const back = (await translateBuffer(rendered.text, goldenOptions({ partnerId: 'P1' }))).documents[0];
        assert.ok(back, rendered.text);
        const fields = [
          'invoiceNumber',
          'invoiceDate',
          'deliveredAt',
          'carrier.scac',
          'shipmentId',
          'billOfLading',
          'proNumber',
          'netAmountDue',
          'totals.chargesTotal',
        ];
        assert.deepEqual(pick(back, fields), pick(invoice, fields), file);
        const charges = (d: JsonObject): unknown =>
          (d['charges'] as JsonObject[]).map((c) => [c['code'], c['amount'], c['rate'], c['description']]);
        assert.deepEqual(charges(back), charges(invoice), file);
      }
    }
  });
});
