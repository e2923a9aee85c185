import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Segment } from '../../../src/edi/edi-types.js';
import { readFunctionalAck, readTa1 } from '../../../src/edi/x12-ack-reader.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions, x12Fixture } from './x12-fixture-support.js';

const ta1 = (text: string): Segment => {
  const [tag, ...els] = text.split('*');
  return { tag: tag!, elements: els.map((e) => [e]), offset: 107, index: 2 };
};

const ISA =
  'ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*U*00401*000000020*0*P*>~';

/** Segments of an ack body, `~`-terminated and `*`-separated, components split on `>`. */
const body = (text: string): Segment[] =>
  text
    .split('~')
    .filter((t) => t !== '')
    .map((t, index) => {
      const [tag, ...els] = t.split('*');
      return { tag: tag!, elements: els.map((e) => e.split('>')), offset: 0, index };
    });

test('a 997 rejecting its group rejects every set, even one whose AK5 says A', () => {
  const ack = readFunctionalAck(
    '997',
    body('AK1*SH*100~AK2*856*0100~AK5*A~AK2*856*0101~AK5*R~AK9*R*3*2*1*5~'),
  );
  assert.equal(ack['status'], 'rejected');
  assert.deepEqual(
    (ack['transactions'] as { status: string }[]).map((t) => t.status),
    ['rejected', 'rejected'],
  );
  // A partially accepted group keeps each set's own status.
  const partial = readFunctionalAck(
    '997',
    body('AK1*SH*100~AK2*856*0100~AK5*A~AK2*856*0101~AK5*R*5~AK9*P*2*2*1~'),
  );
  assert.deepEqual(
    (partial['transactions'] as { status: string }[]).map((t) => t.status),
    ['accepted', 'rejected'],
  );
});

test('our own 997 for a rejected group reads back as the group rejected, no set accepted', async () => {
  const ours = await translateBuffer(x12Fixture('negative/ge-set-count.edi'), goldenOptions());
  const text = ours.acks.join('');
  const r = await translateBuffer(Buffer.from(text), goldenOptions());
  const ack = r.documents.find((d) => d['documentType'] === 'Acknowledgement');
  assert.ok(ack, text);
  assert.equal(ack['status'], 'rejected');
  assert.equal((ack['refersTo'] as { groupControlNumber: string }).groupControlNumber, '100');
  // The set had no error of its own: no AK2 loop names it, and nothing reads as accepted.
  assert.deepEqual(ack['transactions'], []);
  assert.deepEqual(
    (ack['errors'] as { level: string; code: string }[]).map((e) => [e.level, e.code]),
    [['group', '5']],
  );
});

test('a well-formed TA1 is read: its status and note', () => {
  const r = readTa1(ta1('TA1*000000001*261127*0930*R*022'));
  assert.ok('document' in r);
  assert.equal(r.document['status'], 'rejected');
  assert.deepEqual(r.document['errors'], [
    { level: 'interchange', code: '022', message: 'invalid control structure' },
  ]);
  const ok = readTa1(ta1('TA1*000000001*261127*0930*A*000'));
  assert.ok('document' in ok);
  assert.equal(ok.document['status'], 'accepted');
  assert.deepEqual(ok.document['errors'], []);
});

test('every TA105 note code of I18 (000–031) is read with its text', () => {
  const text = (note: string): string => {
    const r = readTa1(ta1(`TA1*000000001*261127*0930*R*${note}`));
    assert.ok('document' in r, note);
    const [error] = r.document['errors'] as { message: string }[];
    return error?.message ?? '';
  };
  assert.equal(text('006'), 'invalid interchange sender ID');
  assert.equal(text('013'), 'invalid security information');
  assert.equal(text('031'), 'invalid grade of service code');
  for (let n = 1; n <= 31; n++) {
    const note = String(n).padStart(3, '0');
    assert.doesNotMatch(text(note), /interchange note/, note);
  }
});

test('an IK4/AK4 in a composite keeps its component position (C030-2)', () => {
  const ack = readFunctionalAck(
    '999',
    body('AK1*SH*1*005010~AK2*856*0001~IK3*N1*4*N1*8~IK4*4>2*67*7*XX~IK4*2*93*1~IK5*R*5~AK9*R*1*1*0~'),
  );
  const elements = (ack['errors'] as Record<string, unknown>[]).filter((e) => e['level'] === 'element');
  assert.deepEqual(
    elements.map((e) => [e['segmentId'], e['elementPosition'], e['componentPosition'], e['message']]),
    [
      ['N1', 4, 2, 'element 4 component 2 in error (7): "XX"'],
      ['N1', 2, undefined, 'element 2 in error (1)'],
    ],
  );
  // The same position when the component separator was not split (one "4>2" text).
  const unsplit = readFunctionalAck('997', [
    ...body('AK1*SH*1~AK2*856*0001~AK3*N1*4*N1*8~'),
    { tag: 'AK4', elements: [['4>2'], ['67'], ['7']], offset: 0, index: 9 },
  ]);
  const [, element] = unsplit['errors'] as Record<string, unknown>[];
  assert.deepEqual([element?.['elementPosition'], element?.['componentPosition']], [4, 2]);
});

test('a malformed TA1 is diagnostics, one per bad element, and no Acknowledgement', () => {
  const bad = readTa1(ta1('TA1*000000001*261127*0930*Q*999'));
  assert.ok('diagnostics' in bad);
  assert.deepEqual(
    bad.diagnostics.map((d) => [d.rule, d.severity, d.segmentId, d.elementPosition, d.badData]),
    [
      ['TA1_MALFORMED', 'error', 'TA1', 4, 'Q'],
      ['TA1_MALFORMED', 'error', 'TA1', 5, '999'],
    ],
  );
  const short = readTa1(ta1('TA1*000000001'));
  assert.ok('diagnostics' in short);
  assert.deepEqual(
    short.diagnostics.map((d) => d.elementPosition),
    [2, 3, 4, 5],
  );
  assert.match(short.diagnostics[0]!.message, /TA102 is missing/);
  const wrong = readTa1(ta1('TA1*12345*261340*2561*A*000'));
  assert.ok('diagnostics' in wrong);
  assert.deepEqual(
    wrong.diagnostics.map((d) => d.elementPosition),
    [1, 2, 3],
  );
});

test('an inbound malformed TA1 does not mark our interchange rejected: an error, no document', async () => {
  for (const segment of ['TA1*000000001*261127*0930*Q*999~', 'TA1*000000001~']) {
    const r = await translateBuffer(Buffer.from(`${ISA}${segment}IEA*0*000000020~`), goldenOptions());
    assert.equal(r.documents.length, 0, segment);
    assert.ok(r.diagnostics.length > 0);
    assert.ok(r.diagnostics.every((d) => d.rule === 'TA1_MALFORMED' && d.severity === 'error'));
    assert.ok(r.diagnostics.every((d) => d.interchangeControlNumber === '000000020'));
  }
});

test('214 AT707 NT and 20 are accepted and converted: Newfoundland time, ISO M05', async () => {
  const set = (code: string): string =>
    `${ISA}GS*QM*SENDERID*RECEIVERID*20261127*0930*1*X*004010~ST*214*0001~B10*PRO1*SHP1*ABCD~LX*1~AT7*X6*NS***20260715*1200*${code}~SE*5*0001~GE*1*1~IEA*1*000000020~`;
  for (const [code, at] of [
    ['NT', '2026-07-15T12:00:00-02:30'],
    ['20', '2026-07-15T12:00:00-05:00'],
  ] as const) {
    const r = await translateBuffer(Buffer.from(set(code)), goldenOptions());
    assert.equal(r.documents[0]?.['occurredAt'], at, code);
    assert.match(r.acks.join(''), /AK2\*214\*0001~AK5\*A~/);
  }
});

test("a 999's IK502 codes of its own (618: I5, I6, 18, 19) are named, not left as a number", () => {
  const ack = readFunctionalAck(
    '999',
    body('AK1*HC*7*005010X222A1~AK2*837*0001*005010X222A1~IK5*R*I6*19~AK2*837*0002~IK5*R*I5*18~AK9*R*2*2*0~'),
  );
  assert.deepEqual(
    (ack['errors'] as { transactionControlNumber: string; code: string; message: string }[]).map((e) => [
      e.transactionControlNumber,
      e.code,
      e.message,
    ]),
    [
      ['0001', 'I6', 'implementation convention not supported'],
      ['0001', '19', 'invalid transaction set implementation convention reference'],
      ['0002', 'I5', 'implementation: one or more segments in error'],
      ['0002', '18', 'transaction set not in functional group'],
    ],
  );
});
