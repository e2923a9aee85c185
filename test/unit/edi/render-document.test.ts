import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDocument } from '../../../src/edi/render-document.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { MAPS_DIR } from './x12-fixture-support.js';
import { canonicalDocuments } from './edifact-fixture-support.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const desadv = (): unknown => canonicalDocuments('desadv-d96a-release-char')[0];
/** IFTSTA STS 13 without a reason, STS 21 with the EDIFACT reason ZZZ, STS 99 (OTHER) without one. */
const threeEvents = (): Record<string, unknown>[] =>
  JSON.parse(
    readFileSync(
      join(
        process.cwd(),
        'test',
        'fixtures',
        'edi',
        'edifact',
        'maps',
        'iftsta-d96a-three-events.canonical.json',
      ),
      'utf8',
    ),
  ) as Record<string, unknown>[];

const refused = (to: string, parties: { sender?: string; receiver?: string }): string[][] => {
  const r = renderDocument({}, to, { mapsDir: MAPS_DIR, now: NOW, ...parties });
  assert.equal(r.text, '');
  return r.diagnostics.map((d) => [d.severity, d.rule, d.message]);
};

test('an X12 id that ISA06/08 would cut or that holds a delimiter is refused, not written', () => {
  assert.deepEqual(refused('x12-214', { sender: 'ZZ:THISISWAYTOOLONGID' }), [
    [
      'error',
      'RENDER_PARTY',
      'sender id "THISISWAYTOOLONGID": ISA06 and GS02 take 2 to 15 characters, not 18',
    ],
  ]);
  assert.deepEqual(refused('x12-214', { sender: 'A', receiver: 'ZZ:A*B' }), [
    ['error', 'RENDER_PARTY', 'sender id "A": ISA06 and GS02 take 2 to 15 characters, not 1'],
    ['error', 'RENDER_PARTY', 'receiver id "A*B" contains "*", an X12 delimiter (* > ^ ~)'],
  ]);
  assert.deepEqual(refused('x12-856', { receiver: '01:AB~CD' }), [
    ['error', 'RENDER_PARTY', 'receiver id "AB~CD" contains "~", an X12 delimiter (* > ^ ~)'],
  ]);
});

test('an EDIFACT party is ID or ID:QUALIFIER: the qualifier is its own UNB component', () => {
  const r = renderDocument(desadv(), 'edifact-desadv', {
    mapsDir: MAPS_DIR,
    now: NOW,
    sender: '5412345000013:14',
    receiver: 'PARTNER+1',
  });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(
    r.text.slice(0, r.text.indexOf("'") + 1),
    "UNB+UNOC:3+5412345000013:14+PARTNER?+1+261127:1000+1++++++1'",
  );
  assert.deepEqual(refused('edifact-desadv', { sender: `${'9'.repeat(36)}:14`, receiver: 'P:ZZZZZ' }), [
    ['error', 'RENDER_PARTY', `sender id "${'9'.repeat(36)}": UNB S002 takes 1 to 35 characters, not 36`],
    ['error', 'RENDER_PARTY', 'receiver qualifier "ZZZZZ" is not 1 to 4 letters or digits (UNB S003 0007)'],
  ]);
});

test('rendered EDI is read back by our own validator; what it rejects is refused, not sent', () => {
  // An INVOIC has no payment method, no SCAC and EDIFACT's ZZZ qualifier on its two parties: X12
  // 210 needs the first two and cannot hold the third.
  const invoice = canonicalDocuments('invoic-d96a-wrapped-80')[0];
  const r = renderDocument(invoice, 'x12-210', { mapsDir: MAPS_DIR, now: NOW });
  assert.equal(r.text, '');
  assert.deepEqual(
    r.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => [d.rule, d.segmentId, d.elementPosition, d.code, d.message]),
    [
      [
        'RENDERED_INVALID',
        'B3',
        4,
        '1',
        'the rendered 210 0001 would be rejected (MANDATORY_ELEMENT_MISSING): B304 is mandatory',
      ],
      [
        'RENDERED_INVALID',
        'B3',
        11,
        '1',
        'the rendered 210 0001 would be rejected (MANDATORY_ELEMENT_MISSING): B311 is mandatory',
      ],
      [
        'RENDERED_INVALID',
        'N1',
        3,
        '5',
        'the rendered 210 0001 would be rejected (ELEMENT_TOO_LONG): N103 "ZZZ" is longer than 2',
      ],
      [
        'RENDERED_INVALID',
        'N1',
        3,
        '5',
        'the rendered 210 0001 would be rejected (ELEMENT_TOO_LONG): N103 "ZZZ" is longer than 2',
      ],
    ],
  );
  // The same document given what X12 needs renders and validates clean.
  const fixed = {
    ...(invoice as Record<string, unknown>),
    paymentMethod: 'prepaid',
    carrier: { scac: 'ABCD' },
    parties: [],
  };
  const ok = renderDocument(fixed, 'x12-210', { mapsDir: MAPS_DIR, now: NOW });
  assert.deepEqual(
    ok.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.match(ok.text, /^ISA\*/);
});

test('EDIFACT: a value longer than its data element takes is refused with the segment rule that says so', () => {
  const long = { ...(desadv() as Record<string, unknown>), shipmentId: 'S'.repeat(40) };
  const r = renderDocument(long, 'edifact-desadv', { mapsDir: MAPS_DIR, now: NOW });
  assert.equal(r.text, '');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.message]),
    [
      [
        'error',
        'RENDERED_INVALID',
        'BGM',
        'the rendered message 1 would be rejected (VALUE_TOO_LONG): BGM element 2 component 1 is 40 long, format an..35',
      ],
    ],
  );
  assert.match(renderDocument(desadv(), 'edifact-desadv', { mapsDir: MAPS_DIR, now: NOW }).text, /^UNB\+/);
});

test('a reference whose qualifier is no EDI code (an Odoo picking) is left out with a warning, the rest is written', () => {
  const notice = {
    ...(desadv() as Record<string, unknown>),
    references: [
      { qualifier: 'odoo:stock.picking', value: 'WH/OUT/00042' },
      { qualifier: 'ZZ', value: 'KEPT-1' },
    ],
  };
  for (const [to, kept] of [
    ['x12-856', /~REF\*ZZ\*KEPT-1~/],
    ['edifact-desadv', /'RFF\+ZZ:KEPT-1'/],
  ] as const) {
    const r = renderDocument(notice, to, { mapsDir: MAPS_DIR, now: NOW });
    assert.match(r.text, kept, to);
    assert.doesNotMatch(r.text, /odoo|WH\/OUT/, to);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.rule === 'SEGMENT_NOT_WRITTEN').map((d) => [d.severity, d.message]),
      [
        [
          'warning',
          `qualifier "odoo:stock.picking" does not fit ${to === 'x12-856' ? 'REF01' : 'RFF01'}; this ${to === 'x12-856' ? 'REF' : 'RFF'} is not written`,
        ],
      ],
      to,
    );
  }
});

test("IFTSTA → X12 214: AT701 is the milestone's own code, so the event reads back with its milestone", async () => {
  const events = canonicalDocuments('iftsta-una-equals-star-tilde');
  assert.ok(events.length > 0);
  const r = renderDocument(events, 'x12-214', { mapsDir: MAPS_DIR, now: NOW });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const back = await translateBuffer(r.text, { mapsDir: MAPS_DIR });
  assert.deepEqual(
    back.documents.map((d) => d['milestone']),
    events.map((e) => e['milestone']),
  );
  // The EDIFACT status code itself (STS 21) is no AT7 code: it does not go out as one.
  assert.doesNotMatch(r.text, /AT7\*\d/);
});

test('IFTSTA → X12 214: AT701 goes out with AT702, the reason when it fits, else NS (4010 pairs them), which reads back as no reason', async () => {
  const events = threeEvents();
  assert.deepEqual(
    events.map((e) => e['reasonCode']),
    [undefined, 'ZZZ', undefined],
  );
  for (const version of ['004010', '005010']) {
    const r = renderDocument(events, 'x12-214', { mapsDir: MAPS_DIR, now: NOW, version });
    assert.deepEqual(r.diagnostics, [], version);
    assert.deepEqual(r.text.match(/AT7\*[^*]*\*[^*]*/g), ['AT7*AF*NS', 'AT7*D1*NS', 'AT7*99*NS'], version);
    const back = await translateBuffer(r.text, { mapsDir: MAPS_DIR });
    assert.deepEqual(back.diagnostics, [], version);
    assert.deepEqual(
      back.documents.map((d) => [d['milestone'], d['reasonCode']]),
      [
        ['PICKED_UP', undefined],
        ['DELIVERED', undefined],
        ['OTHER', undefined],
      ],
      // NS is "no reason": read back as none, so a reasonless event round-trips.
    );
  }
  // An X12 reason goes out as received.
  const withReason = { ...events[0]!, reasonCode: 'AG' };
  const r = renderDocument(withReason, 'x12-214', { mapsDir: MAPS_DIR, now: NOW, version: '004010' });
  assert.match(r.text, /AT7\*AF\*AG\*/);
});

test('a 4010 214 whose AT701 has no AT702 is refused; the same AT7 goes out in 5010', () => {
  // A map without the NS fallback (as a partner map might be): the rendered set is checked
  // against its own version's notes.
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  const file = join(dir, 'x12', '214.map.yaml');
  const map = readFileSync(file, 'utf8');
  assert.match(map, /- \{ el: 2, fixed: NS, to: milestone \}\n/);
  writeFileSync(file, map.replace(/ *- \{ el: 2, fixed: NS, to: milestone \}\n/, ''));
  const event = threeEvents()[0]!;
  const refusedIn4010 = renderDocument(event, 'x12-214', { mapsDir: dir, now: NOW, version: '004010' });
  assert.equal(refusedIn4010.text, '');
  assert.deepEqual(
    refusedIn4010.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.elementPosition]),
    [['error', 'RENDERED_INVALID', 'AT7', 2]],
  );
  const in5010 = renderDocument(event, 'x12-214', { mapsDir: dir, now: NOW, version: '005010' });
  assert.deepEqual(in5010.diagnostics, []);
  assert.match(in5010.text, /AT7\*AF\*\*\*/);
});

test('a 214 K1 is written only for a delivery: a signer on another milestone is left out, said so, not turned into a remark', async () => {
  const event = (milestone: string, statusCode: string): Record<string, unknown> => ({
    documentType: 'TrackingEvent',
    schemaVersion: '1',
    id: 'evt-1',
    tenantId: 'default',
    partnerId: 'SENDERID',
    createdAt: '2026-11-27T10:00:00Z',
    source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'm1' },
    correlationId: 'c1',
    references: [],
    shipmentRef: { carrierReference: 'PRO1', shipmentId: 'SHP1', purchaseOrderNumbers: [] },
    carrier: { scac: 'ABCD' },
    statusCode,
    milestone,
    occurredAt: '2026-12-15T09:00:00-06:00',
    proofOfDelivery: { signedBy: 'J SMITH' },
  });
  const arrived = renderDocument(event('ARRIVED_AT_DELIVERY', 'X1'), 'x12-214', {
    mapsDir: MAPS_DIR,
    now: NOW,
  });
  assert.ok(arrived.text.includes('AT7*X1*'), arrived.text);
  assert.ok(!arrived.text.includes('K1*'), arrived.text);
  assert.deepEqual(
    arrived.diagnostics.map((d) => [d.severity, d.rule, d.segmentId]),
    [['warning', 'SEGMENT_NOT_WRITTEN', 'K1']],
  );
  const delivered = renderDocument(event('DELIVERED', 'D1'), 'x12-214', { mapsDir: MAPS_DIR, now: NOW });
  assert.ok(delivered.text.includes('K1*J SMITH~'), delivered.text);
  const back = await translateBuffer(delivered.text, { mapsDir: MAPS_DIR });
  assert.deepEqual(back.documents[0]?.['proofOfDelivery'], { signedBy: 'J SMITH' });
});

test('a 214 whose shipment has no carrier reference names it in B1005/B1006 by its first reference (R0106, E0105), once', async () => {
  const event = (shipmentRef: Record<string, unknown>, references: unknown[]): Record<string, unknown> => ({
    documentType: 'TrackingEvent',
    schemaVersion: '1',
    id: 'evt-1',
    tenantId: 'default',
    partnerId: 'SENDERID',
    createdAt: '2026-11-27T10:00:00Z',
    source: { channel: 'rest', format: 'json', environment: 'production', messageId: 'm1' },
    correlationId: 'c1',
    references,
    shipmentRef: { purchaseOrderNumbers: [], ...shipmentRef },
    carrier: { scac: 'ABCD' },
    statusCode: 'X1',
    milestone: 'ARRIVED_AT_DELIVERY',
    occurredAt: '2026-12-15T09:00:00-06:00',
  });
  const byReference = event({ shipmentId: 'SHP1' }, [
    { qualifier: 'SI', value: 'SHIPREF-9' },
    { qualifier: 'ZZ', value: 'OTHER' },
  ]);
  for (const version of ['004010', '005010']) {
    const r = renderDocument(byReference, 'x12-214', { mapsDir: MAPS_DIR, now: NOW, version });
    assert.deepEqual(r.diagnostics, [], version);
    assert.match(r.text, /~B10\*\*SHP1\*ABCD\*\*SI\*SHIPREF-9~L11\*OTHER\*ZZ~LX\*1~/);
    const back = await translateBuffer(r.text, { mapsDir: MAPS_DIR });
    assert.deepEqual(back.diagnostics, []);
    assert.deepEqual(back.documents[0]?.['references'], byReference['references']);
  }
  // With a carrier reference, B1001 names the shipment and every reference goes as an L11 (E0105).
  const both = renderDocument(
    event({ carrierReference: 'PRO1' }, [{ qualifier: 'SI', value: 'SHIPREF-9' }]),
    'x12-214',
    { mapsDir: MAPS_DIR, now: NOW },
  );
  assert.deepEqual(both.diagnostics, []);
  assert.match(both.text, /~B10\*PRO1\*\*ABCD~L11\*SHIPREF-9\*SI~/);
  // Neither: refused before anything is written, naming the canonical fields the 214 needs.
  const neither = renderDocument(event({ shipmentId: 'SHP1' }, []), 'x12-214', {
    mapsDir: MAPS_DIR,
    now: NOW,
  });
  assert.equal(neither.text, '');
  assert.deepEqual(
    neither.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.message]),
    [
      [
        'error',
        'REQUIRED_FIELD_MISSING',
        'B10',
        'B10 needs shipmentRef.carrierReference (B1001) or references[0].value (B1006); the document has neither: a 214 names its shipment by the carrier reference or by a reference with its qualifier (X12 syntax note R0106)',
      ],
    ],
  );
  // A first reference whose qualifier is no X12 code (longer than B1005's 3 characters) cannot
  // name the shipment: refused naming that field, not a rendered B10 that fails P0506.
  const odoo = renderDocument(
    event({ shipmentId: 'SHP1' }, [
      { qualifier: 'odoo:stock.picking', value: 'WH/OUT/00042' },
      { qualifier: 'SI', value: 'SHIPREF-9' },
    ]),
    'x12-214',
    { mapsDir: MAPS_DIR, now: NOW },
  );
  assert.equal(odoo.text, '');
  assert.deepEqual(
    odoo.diagnostics.map((d) => [d.severity, d.rule, d.segmentId, d.elementPosition, d.message]),
    [
      [
        'error',
        'VALUE_DOES_NOT_FIT',
        'B10',
        5,
        'references[0].qualifier "odoo:stock.picking" does not fit B1005 (at most 3 characters): without shipmentRef.carrierReference (B1001), a 214 names its shipment by its first reference, whose qualifier goes in B1005 and must be an X12 reference qualifier (X12 syntax note P0506)',
      ],
    ],
  );
});
