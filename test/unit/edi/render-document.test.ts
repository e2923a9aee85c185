import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDocument } from '../../../src/edi/render-document.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { MAPS_DIR } from './x12-fixture-support.js';
import { canonicalDocuments } from './edifact-fixture-support.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const desadv = (): unknown => canonicalDocuments('desadv-d96a-release-char')[0];

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
