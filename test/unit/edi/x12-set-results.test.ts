import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Diagnostic } from '../../../src/edi/edi-types.js';
import type { X12SetResult } from '../../../src/edi/x12-envelope.js';
import { NO_DIAGNOSTICS, SetResultLog } from '../../../src/edi/x12-set-results.js';
import { translateBuffer } from '../../../src/edi/translate.js';

const accepted = (setId: string, controlNumber: string, implementationRef?: string): X12SetResult => ({
  setId,
  controlNumber,
  ...(implementationRef !== undefined ? { implementationRef } : {}),
  status: 'A',
  diagnostics: NO_DIAGNOSTICS,
});

const warning: Diagnostic = {
  severity: 'warning',
  level: 'segment',
  code: '2',
  rule: 'UNEXPECTED_SEGMENT',
  message: 'segment ZZZ is not expected in a 856; ignored',
};

test('results come back in input order, packed ones equal to what was added', () => {
  const log = new SetResultLog();
  const rejected: X12SetResult = {
    setId: '856',
    controlNumber: '0003',
    status: 'R',
    businessId: { element: 'BSN02', value: 'SHP3' },
    diagnostics: [{ ...warning, severity: 'error' }],
  };
  const withWarning: X12SetResult = { ...accepted('214', '000000004'), status: 'E', diagnostics: [warning] };
  const added = [
    accepted('856', '0001'),
    accepted('856', '00002', '005010X222A1'),
    rejected,
    withWarning,
    accepted('044', '123456789', '005010X222A1'),
    accepted('856', 'A001'),
    accepted('85', '0006'),
    accepted('856', '0007', 'OTHER'),
  ];
  for (const r of added) log.add(r);
  const back = log.results();
  assert.deepEqual(back, added);
  // Key order too: the acks and the NDJSON read these objects.
  assert.deepEqual(
    back.map((r) => Object.keys(r)),
    added.map((r) => Object.keys(r)),
  );
  // Results with diagnostics are the very objects given.
  assert.equal(back[2], rejected);
  assert.equal(back[3], withWarning);
  assert.equal(log.length, 8);
  assert.equal(log.acceptedCount, 7);
  assert.equal(log.anyWarnings, true);
});

test('any accepted result survives the packing unchanged (property)', () => {
  const digits = (min: number, max: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          setId: fc.oneof(digits(3, 3), fc.string({ maxLength: 4 })),
          controlNumber: fc.oneof(digits(4, 9), digits(0, 12), fc.string({ maxLength: 10 })),
          ref: fc.option(fc.constantFrom('005010X222A1', '004010', 'X'), { nil: undefined }),
        }),
        { maxLength: 1500 },
      ),
      (items) => {
        const log = new SetResultLog();
        const added = items.map((i) => accepted(i.setId, i.controlNumber, i.ref));
        for (const r of added) log.add(r);
        assert.deepEqual(log.results(), added);
      },
    ),
    { numRuns: 200 },
  );
});

test('duplicate control numbers are told by their exact text', () => {
  const log = new SetResultLog();
  const seen = new Set<string>();
  const numbers = ['0001', '00001', '0001', '999999999', '1000', '0999', '0999', '000000001', 'ABCD', '12'];
  for (const n of numbers) {
    const valid = /^\d{4,9}$/.test(n);
    assert.equal(log.hasControlNumber(n), valid && seen.has(n), n);
    log.noteControlNumber(n);
    if (valid) seen.add(n);
  }
  // Thousands of them: the table grows without losing any.
  for (let i = 0; i < 5000; i++) log.noteControlNumber(String(i * 7919).padStart(4, '0'));
  for (let i = 0; i < 5000; i++) assert.ok(log.hasControlNumber(String(i * 7919).padStart(4, '0')));
  assert.equal(log.hasControlNumber('0002'), false);
});

test('a group of many sets: the 997 lists every set, and a repeated ST02 is found however far back', async () => {
  const isa =
    'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261127*0930*U*00401*000000001*0*P*>~';
  const set = (ctl: string) =>
    `ST*856*${ctl}~BSN*00*SHP${ctl}*20261127*0930~HL*1**S~TD1*CTN25*1~HL*2*1*O~PRF*PO${ctl}~CTT*2~SE*8*${ctl}~`;
  const controls = Array.from({ length: 1200 }, (_, i) => String(i + 1).padStart(4, '0'));
  controls.push('0007');
  const text = `${isa}GS*SH*SENDER*RECEIVER*20261127*0930*1*X*004010~${controls.map(set).join('')}GE*${controls.length}*1~IEA*1*000000001~`;
  const r = await translateBuffer(text, { acks: true, now: () => new Date('2026-11-27T10:00:00Z') });
  const ack = r.acks.join('');
  const ak2 = ack.match(/AK2\*856\*\d+/g) ?? [];
  assert.equal(ak2.length, 1201);
  assert.deepEqual(ak2.slice(0, 2), ['AK2*856*0001', 'AK2*856*0002']);
  // 4010: a repeated ST02 is AK5 7 (23 exists from 004050 on).
  assert.match(ack, /AK2\*856\*0007~AK5\*R\*7~AK9\*P\*1201\*1201\*1200~/);
  assert.ok(
    r.diagnostics.some((d) => d.rule === 'ST_CONTROL_DUPLICATE' && d.transactionControlNumber === '0007'),
  );
  // The summary's counts come from the log without unpacking it.
  assert.deepEqual(
    r.interchanges[0]?.groups.map((g) => [g.transactionSets, g.accepted, g.status]),
    [[1201, 1200, 'P']],
  );
});
