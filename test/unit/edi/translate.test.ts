import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import {
  ackFor,
  renderDocument,
  translateBuffer,
  translateStream,
  type TranslationEvent,
} from '../../../src/edi/translate.js';
import { goldenOptions, x12Fixture } from './x12-fixture-support.js';

test('input that is neither X12 nor EDIFACT, or empty, is a diagnostic', async () => {
  const r = await translateBuffer('hello world', goldenOptions());
  assert.deepEqual(
    r.diagnostics.map((d) => d.rule),
    ['UNKNOWN_FORMAT'],
  );
  assert.equal(r.ok, false);
  assert.deepEqual(
    (await translateBuffer('  \n ', goldenOptions())).diagnostics.map((d) => d.rule),
    ['EMPTY_INPUT'],
  );
});

test('a stream that fails mid-way ends in a diagnostic, not an exception', async () => {
  const head = x12Fixture('856-4010-sopi-tilde-newline.edi').subarray(0, 300);
  const failing = new Readable({
    read() {
      this.push(head);
      this.destroy(new Error('EIO: disk went away'));
    },
  });
  const r = await translateBuffer(failing, goldenOptions());
  assert.ok(r.diagnostics.some((d) => d.rule === 'INPUT_UNREADABLE' && d.message.includes('EIO')));
});

test('events stream one document per transaction set, with the interchange summary after them', async () => {
  const events: TranslationEvent['type'][] = [];
  for await (const ev of translateStream(
    x12Fixture('multi-interchange-empty-group.edi'),
    goldenOptions({ acks: false }),
  ))
    events.push(ev.type);
  // The 214's MS2 (equipment) is not kept, and said so before its events.
  assert.deepEqual(events, ['document', 'interchange', 'diagnostic', 'document', 'document', 'interchange']);
});

test('EDIFACT is detected by its first bytes and handed to the EDIFACT reader', async () => {
  const r = await translateBuffer("UNB+UNOC:3+SENDER+RECEIVER+261127:0930+42'UNZ+0+42'", goldenOptions());
  assert.equal(r.interchanges[0]?.standard, 'edifact');
  assert.equal(r.interchanges[0]?.controlNumber, '42');
});

test('ackFor answers an X12 interchange with its 997', async () => {
  const r = await ackFor(x12Fixture('856-4010-sopi-tilde-newline.edi'), goldenOptions());
  assert.equal(
    r.text,
    'ISA*00*          *00*          *ZZ*RECEIVERID     *ZZ*SENDERID       *261127*1000*U*00401*000000001*0*P*>~GS*FA*RECEIVERID*SENDERID*20261127*1000*1*X*004010~ST*997*0001~AK1*SH*1~AK2*856*0001~AK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*1~IEA*1*000000001~',
  );
});

test('inbound 997, 999 and TA1 become canonical Acknowledgements', async () => {
  const ack997 = (await translateBuffer(x12Fixture('997-4010-inbound-partial.edi'), goldenOptions()))
    .documents[0]!;
  assert.equal(ack997['ackType'], 'x12-997');
  assert.equal(ack997['status'], 'partial');
  assert.deepEqual(ack997['refersTo'], {
    groupControlNumber: '1',
    functionalId: 'SH',
    transactionControlNumbers: ['0001', '0002'],
  });
  assert.deepEqual(ack997['transactions'], [
    { setId: '856', controlNumber: '0001', status: 'rejected' },
    { setId: '856', controlNumber: '0002', status: 'accepted' },
  ]);
  const ta1 = (await translateBuffer(x12Fixture('ta1-inbound-rejected.edi'), goldenOptions())).documents[0]!;
  assert.deepEqual(
    [ta1['ackType'], ta1['status'], ta1['refersTo']],
    ['x12-ta1', 'rejected', { interchangeControlNumber: '000000001', transactionControlNumbers: [] }],
  );
  assert.deepEqual(ta1['errors'], [
    { level: 'interchange', code: '001', message: 'ISA/IEA control number mismatch' },
  ]);
  // Acks are never acknowledged.
  assert.equal(
    (await translateBuffer(x12Fixture('997-4010-inbound-partial.edi'), goldenOptions())).acks.join(''),
    '',
  );
});

test('across formats: an EDIFACT DESADV becomes an X12 856 carrying the same shipment', async () => {
  const desadv = readFileSync(
    join(process.cwd(), 'test', 'fixtures', 'edi', 'edifact', 'maps', 'desadv-d96a-packed.edi'),
  );
  const fromEdifact = await translateBuffer(desadv, goldenOptions());
  // CNT+2 (the number of lines) is no field of the canonical notice.
  assert.deepEqual(
    fromEdifact.diagnostics.map((d) => [d.rule, d.segmentId, d.segmentPosition]),
    [['SEGMENT_NOT_KEPT', 'CNT', 33]],
  );
  const asn = fromEdifact.documents[0]!;
  const x12 = renderDocument(asn, 'x12-856', { now: new Date('2026-11-27T10:00:00Z') });
  // A German region code does not fit N402: dropped with a warning, not an error.
  assert.deepEqual(
    x12.diagnostics.map((d) => [d.severity, d.rule, d.segmentId]),
    [['warning', 'VALUE_TOO_LONG', 'N4']],
  );
  const back = (await translateBuffer(x12.text, goldenOptions({ partnerId: String(asn['partnerId']) })))
    .documents[0]!;
  type Line = { sku?: string; quantityShipped: { value: number; unitNormalized?: string } };
  type Order = { purchaseOrderNumber: string; packages: { sscc?: string; lines: Line[] }[]; lines: Line[] };
  const lines = (ls: Line[]): unknown =>
    ls.map((l) => [l.sku, l.quantityShipped.value, l.quantityShipped.unitNormalized]);
  const pick = (d: JsonObject): unknown => [
    d['shipmentId'],
    d['billOfLading'],
    d['proNumber'],
    d['trackingNumbers'],
    (d['totals'] as JsonObject)['packageCount'], // DESADV CNT+11, 856 TD101
    (d['orders'] as Order[]).map((o) => [
      o.purchaseOrderNumber,
      o.packages.map((p) => [p.sscc, lines(p.lines)]),
      lines(o.lines),
    ]),
  ];
  assert.deepEqual(pick(back), pick(asn));
  // EDIFACT PCE becomes the X12 code of its normalized unit.
  assert.match(x12.text, /SN1\*\*\d+\*EA~/);
  const contrl = await ackFor(desadv, goldenOptions());
  assert.match(contrl.text, /UNH\+1\+CONTRL:D:3:UN'/);
});

test('a large chunk read in slices gives the same events as small chunks, multi-byte text across slice edges', async () => {
  // Interchanges of one 856 whose party name is long and non-ASCII, so slice edges fall inside characters.
  const one = x12Fixture('856-4010-sopi-tilde-newline.edi')
    .toString('latin1')
    .replace(/N1\*ST\*[^*~]*/, `N1*ST*${'CAFÉ ÜBER '.repeat(5).trim()}`);
  const text = Array.from({ length: 40 }, (_, k) =>
    one.replaceAll('000000001', String(1 + k).padStart(9, '0')),
  ).join('');
  const whole = Buffer.from(text, 'utf8');
  assert.ok(whole.length > 3 * 4096);
  const small = Array.from({ length: Math.ceil(whole.length / 777) }, (_, i) =>
    whole.subarray(i * 777, (i + 1) * 777),
  );
  const big = await translateBuffer([whole], goldenOptions());
  const pieces = await translateBuffer(small, goldenOptions());
  assert.equal(big.documents.length, 40);
  assert.equal(big.ok, true);
  assert.deepEqual(big, pieces);
  assert.ok(JSON.stringify(big.documents).includes('CAFÉ ÜBER'));
});

test('without a pinned clock createdAt is the system time at translation, as toISOString writes it', async () => {
  const before = Date.now();
  const r = await translateBuffer(x12Fixture('856-4010-soi-crlf.edi'), { mapsDir: goldenOptions().mapsDir });
  const after = Date.now();
  assert.equal(r.documents.length, 1);
  const createdAt = String(r.documents[0]!['createdAt']);
  assert.match(createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(new Date(createdAt).toISOString(), createdAt);
  assert.ok(Date.parse(createdAt) >= before && Date.parse(createdAt) <= after, createdAt);
});

test('a map diagnostic names its segment by position (ST being 1), loop and element reference, as the 999 does', async () => {
  const isa =
    'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261127*0930*^*00501*000000001*0*P*>~';
  const set = [
    'ST*856*0001',
    'BSN*00*SHP1*20261127*0930',
    'HL*1**S',
    'TD1*CTN25*1',
    'HL*2*1*O',
    'PRF*PO1',
    'HL*2*1*O',
    'PRF*PO2',
    'CTT*3',
    'SE*10*0001',
  ];
  const text = `${isa}GS*SH*SENDER*RECEIVER*20261127*0930*1*X*005010~${set.join('~')}~GE*1*1~IEA*1*000000001~`;
  const r = await translateBuffer(text, { acks: true, now: () => new Date('2026-11-27T10:00:00Z') });
  const dup = r.diagnostics.find((d) => d.rule === 'HL_DUPLICATE_ID');
  assert.equal(dup?.segmentPosition, 7);
  assert.equal(dup?.loopId, 'HL');
  assert.equal(dup?.elementReference, 628);
  // HL01 (628) of the HL at 7, in loop HL; the CTX names the shipment.
  assert.match(r.acks.join(''), /IK3\*HL\*7\*HL\*8~CTX\*BSN02>SHP1~IK4\*1\*628\*7\*2~IK5\*R\*5~/);
});

test('a version no map is made for is translated with a warning; 4010 through 5010 need none', async () => {
  const fallbacks = async (text: string): Promise<string[]> =>
    (await translateBuffer(text, goldenOptions())).diagnostics
      .filter((d) => d.rule === 'MAP_VERSION_FALLBACK')
      .map((d) => `${d.severity} ${d.message}`);
  const x12 = x12Fixture('856-4010-sopi-tilde-newline.edi').toString('latin1');
  for (const version of ['004010', '004030', '004050', '005010'])
    assert.deepEqual(await fallbacks(x12.replace('*X*004010~', `*X*${version}~`)), [], version);
  assert.deepEqual(await fallbacks(x12.replace('*X*004010~', '*X*003040~')), [
    'warning no map is made for 856 version 003040: translated with x12-856, made for 004010, 005010; check the result',
  ]);
  const edifact = readFileSync(
    join(process.cwd(), 'test/fixtures/edi/edifact/valid/desadv-d96a-release-char.edi'),
    'latin1',
  );
  assert.deepEqual(await fallbacks(edifact.replace('DESADV:D:96A', 'DESADV:D:03B')), [
    'warning no map is made for DESADV D03B: translated with edifact-desadv-d01b, made for D01B; check the result',
  ]);
});

test('a huge element is quoted in part: the message shows 80 characters and the length, the copy of bad data 99', async () => {
  const text = x12Fixture('856-4010-sotpi-tare.edi').toString('utf8');
  const name = /N1\*ST\*([^*~]*)/.exec(text)![1]!;
  const huge = `${'Ä'.repeat(50)}${'N'.repeat(300_000)}`;
  const r = await translateBuffer(text.replace(`N1*ST*${name}`, `N1*ST*${huge}`), {
    ...goldenOptions(),
    acks: true,
  });
  const tooLong = r.diagnostics.find((d) => d.rule === 'ELEMENT_TOO_LONG');
  assert.equal(
    tooLong?.message,
    `N102 "${huge.slice(0, 80)}… (${huge.length} characters)" is longer than 60`,
  );
  assert.equal(tooLong?.badData, huge.slice(0, 99));
  assert.match(r.acks.join(''), new RegExp(`AK4\\*2\\*93\\*5\\*${huge.slice(0, 99)}~`));
  assert.ok(JSON.stringify(r.diagnostics).length < 2000);
});

test('a huge element is quoted in part by the separator and element-count checks too', async () => {
  const text = x12Fixture('856-4010-sotpi-tare.edi').toString('utf8');
  const name = /N1\*ST\*([^*~]*)/.exec(text)![1]!;
  const huge = 'N'.repeat(300_000);
  const component = await translateBuffer(text.replace(`N1*ST*${name}`, `N1*ST*A>${huge}`), goldenOptions());
  const separator = component.diagnostics.find((d) => d.rule === 'COMPONENT_IN_SIMPLE_ELEMENT');
  assert.equal(
    separator?.message,
    `N102 is not a composite: the component separator in "A>${huge.slice(0, 78)}… (${huge.length + 2} characters)" is not allowed in its data`,
  );
  assert.equal(separator?.badData, `A>${huge.slice(0, 97)}`);
  const extra = await translateBuffer(text.replace('HL*1**S*1', `HL*1**S*1*${huge}`), goldenOptions());
  const tooMany = extra.diagnostics.find((d) => d.rule === 'TOO_MANY_ELEMENTS');
  assert.equal(tooMany?.badData, huge.slice(0, 99));
  assert.ok(JSON.stringify([...component.diagnostics, ...extra.diagnostics]).length < 4000);
});
