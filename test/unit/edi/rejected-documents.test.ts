import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { translateBuffer, translateStream } from '../../../src/edi/translate.js';
import { fixture } from './edifact-fixture-support.js';
import { goldenOptions, x12FixtureText } from './x12-fixture-support.js';

const lines = (text: string): string[] =>
  text
    .split('~')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** One interchange: a good group (GS06 99) and the negative fixture's group, whose GE02 ≠ GS06. */
function twoGroups(): string {
  const bad = lines(x12FixtureText('negative/gs-ge-control-mismatch.edi'));
  const isa = bad[0]!;
  const group = bad.slice(1, -1);
  const good = group.map((s) =>
    s.startsWith('GS*')
      ? s.replace('*100*X*', '*99*X*')
      : s.startsWith('GE*')
        ? 'GE*1*99'
        : s.replace('SHP-REPL-1', 'SHP-GOOD-1'),
  );
  return [isa, ...good, ...group, 'IEA*2*000000100'].map((s) => `${s}~\n`).join('');
}

const shipmentIds = (docs: readonly JsonObject[]): unknown[] => docs.map((d) => d['shipmentId']);

test('a group its trailer rejects: its documents are followed by DOCUMENTS_REJECTED, the good group stands', async () => {
  const events = [];
  for await (const ev of translateStream(twoGroups(), goldenOptions())) events.push(ev);
  assert.deepEqual(
    events.map((ev) =>
      ev.type === 'document'
        ? `document ${String(ev.document['shipmentId'])}`
        : ev.type === 'diagnostic'
          ? `${ev.diagnostic.rule} ${ev.diagnostic.code} ${ev.diagnostic.groupControlNumber ?? ''}`
          : ev.type,
    ),
    [
      'document SHP-GOOD-1',
      'document SHP-REPL-1',
      'GS_GE_CONTROL_MISMATCH 4 100',
      'DOCUMENTS_REJECTED 4 100',
      'interchange',
      'ack',
    ],
  );
  const rejected = events.find(
    (ev) => ev.type === 'diagnostic' && ev.diagnostic.rule === 'DOCUMENTS_REJECTED',
  );
  assert.equal(
    rejected?.type === 'diagnostic' && rejected.diagnostic.message,
    'functional group SH 100 was rejected (GS_GE_CONTROL_MISMATCH): its 1 document(s) handed on before must not be processed; the partner is expected to resend it',
  );

  const r = await translateBuffer(twoGroups(), goldenOptions());
  const why = (d: JsonObject): string | undefined => r.rejections.reasonFor(d);
  assert.deepEqual(
    r.documents.map((d) => [d['shipmentId'], why(d)]),
    [
      ['SHP-GOOD-1', undefined],
      ['SHP-REPL-1', 'functional group SH 100 of interchange 000000100 was rejected'],
    ],
  );
});

test('an interchange its trailer rejects (TA1 R 001): all its documents are covered, once', async () => {
  const r = await translateBuffer(x12FixtureText('negative/isa-iea-control-mismatch.edi'), goldenOptions());
  const notes = r.diagnostics.filter((d) => d.rule === 'DOCUMENTS_REJECTED');
  assert.deepEqual(
    notes.map((d) => [d.level, d.code, d.interchangeControlNumber]),
    [['interchange', '001', '000000100']],
  );
  const why = (d: JsonObject): string | undefined => r.rejections.reasonFor(d);
  assert.deepEqual(
    r.documents.map((d) => why(d)),
    r.documents.map(() => 'interchange 000000100 was rejected'),
  );
  assert.ok(r.documents.length > 0);
});

test('accepted input has no rejection: nothing is flagged, no DOCUMENTS_REJECTED', async () => {
  const r = await translateBuffer(x12FixtureText('856-4010-sopi-tilde-newline.edi'), goldenOptions());
  assert.equal(r.ok, true);
  assert.deepEqual(shipmentIds(r.documents.filter((d) => r.rejections.reasonFor(d) !== undefined)), []);
  assert.equal(r.diagnostics.filter((d) => d.rule === 'DOCUMENTS_REJECTED').length, 0);
});

test('EDIFACT: an interchange rejected for its missing UNZ (UCI 4) covers both its messages', async () => {
  const r = await translateBuffer(readFileSync(fixture('negative', 'unz-missing.edi')), goldenOptions());
  const notes = r.diagnostics.filter((d) => d.rule === 'DOCUMENTS_REJECTED');
  assert.deepEqual(
    notes.map((d) => [d.level, d.code, d.message]),
    [
      [
        'interchange',
        '13',
        'interchange REF77 was rejected (UNZ_MISSING): its 2 document(s) handed on before must not be processed; the partner is expected to resend it',
      ],
    ],
  );
  const why = (d: JsonObject): string | undefined => r.rejections.reasonFor(d);
  assert.deepEqual(
    r.documents.map((d) => why(d)),
    ['interchange REF77 was rejected', 'interchange REF77 was rejected'],
  );
});

test('rejection goes by occurrence: a repeated ISA13 rejects the repeat only, never the accepted first', async () => {
  const r = await translateBuffer(x12FixtureText('negative/isa-control-duplicate.edi'), goldenOptions());
  assert.deepEqual(
    r.interchanges.map((i) => [i.controlNumber, i.status]),
    [
      ['000000100', 'accepted'],
      ['000000100', 'rejected'],
    ],
  );
  assert.ok(r.documents.length > 0);
  assert.deepEqual(
    r.documents.map((d) => r.rejections.reasonFor(d)),
    r.documents.map(() => undefined),
  );
});

test('EDIFACT: two interchanges with one reference, the second rejected: only its document is covered', async () => {
  const one = readFileSync(fixture('valid', 'desadv-d96a-release-char.edi'), 'latin1');
  const r = await translateBuffer(one + one.replace('UNZ+1+', 'UNZ+2+'), goldenOptions());
  assert.deepEqual(
    r.interchanges.map((i) => [i.controlNumber, i.status]),
    [
      ['ASN0001', 'accepted'],
      ['ASN0001', 'rejected'],
    ],
  );
  assert.deepEqual(
    r.documents.map((d) => r.rejections.reasonFor(d)),
    [undefined, 'interchange ASN0001 was rejected'],
  );
  assert.deepEqual(
    r.diagnostics.filter((d) => d.rule === 'DOCUMENTS_REJECTED').map((d) => d.message),
    [
      // The repeated reference is itself an error (26), reported before the UNZ count.
      'interchange ASN0001 was rejected (UNB_REFERENCE_DUPLICATE): its 1 document(s) handed on before must not be processed; the partner is expected to resend it',
    ],
  );
});

test('two groups with one GS06, the second rejected: only its documents are covered (by occurrence)', async () => {
  const bad = lines(x12FixtureText('negative/gs-ge-control-mismatch.edi'));
  const group = bad.slice(1, -1);
  const good = group.map((s) => (s.startsWith('GE*') ? 'GE*1*100' : s.replace('SHP-REPL-1', 'SHP-GOOD-1')));
  const text = [bad[0]!, ...good, ...group, 'IEA*2*000000100'].map((s) => `${s}~\n`).join('');
  const r = await translateBuffer(text, goldenOptions());
  assert.deepEqual(
    r.interchanges[0]!.groups.map((g) => [g.controlNumber, g.status]),
    [
      ['100', 'A'],
      ['100', 'R'],
    ],
  );
  assert.deepEqual(
    r.documents.map((d) => [d['shipmentId'], r.rejections.reasonFor(d)]),
    [
      ['SHP-GOOD-1', undefined],
      ['SHP-REPL-1', 'functional group SH 100 of interchange 000000100 was rejected'],
    ],
  );
});
