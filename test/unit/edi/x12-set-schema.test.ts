import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, Segment } from '../../../src/edi/edi-types.js';
import { validateSet, type SetSchema } from '../../../src/edi/x12-set-schema.js';
import { X12_SET_SCHEMAS, x12SetSchema } from '../../../src/edi/x12-set-schemas.js';
import { buildFunctionalAckBody, copyOfBadData } from '../../../src/edi/x12-ack-writer.js';
import type { X12GroupSummary } from '../../../src/edi/x12-envelope.js';

/** Segments from `TAG*a*b>c~…` text (`*` elements, `>` components), ST/SE added around them. */
function segments(body: string): Segment[] {
  const lines = ['ST*TST*0001', ...body.split('~').filter((l) => l !== ''), 'SE*0*0001'];
  return lines.map((line, i) => {
    const [tag, ...els] = line.split('*');
    return { tag: tag!, elements: els.map((e) => e.split('>')), offset: i * 10, index: i + 1 };
  });
}

const brief = (ds: readonly Diagnostic[]): string[] =>
  ds.map((d) => `${d.segmentId}@${d.segmentPosition}:${d.elementPosition ?? '-'}=${d.code}`);

/**
 * One segment per syntax-note kind, the last inside a loop so its trigger names the loop by its
 * Loop Identifier Code; ZE knows its elements' reference numbers, so its trigger names one.
 */
const NOTES: SetSchema = {
  setId: 'TST',
  body: [
    { seg: 'ZP', req: 'O', max: 9, notes: ['P0102'], composites: [1] },
    { seg: 'ZR', req: 'O', max: 9, notes: ['R010203'] },
    { seg: 'ZE', req: 'O', max: 9, notes: ['E010203'], refs: [101, 102, 103] },
    { seg: 'ZC', req: 'O', max: 9, notes: ['C010203'] },
    {
      loop: 'ZL',
      id: '0500',
      req: 'O',
      max: 9,
      body: [{ seg: 'ZL', req: 'M', max: 1, notes: ['L010203'] }],
    },
  ],
};

/** The 997/999 body (AK1 to AK9) for a group of one rejected 856 carrying `diagnostic`, as text. */
function ackBody(diagnostic: Diagnostic, version: string): string {
  const group = {
    interchange: { version: version.slice(0, 5) },
    header: { functionalId: 'SH', controlNumber: '7', version },
    sets: [{ setId: '856', controlNumber: '0001', status: 'R', diagnostics: [diagnostic] }],
    setsReceived: 1,
    diagnostics: [],
    status: 'R',
  } as unknown as X12GroupSummary;
  return buildFunctionalAckBody(group)
    .body.map((s) => [s.tag, ...s.elements.map((e) => e.join('>'))].join('*'))
    .join('~');
}

test('P paired: one without the other is code 2 on the missing one, triggered by the present one', () => {
  assert.deepEqual(brief(validateSet(NOTES, segments('ZP*A*B~ZP~ZP*A~ZP**B'))), ['ZP@4:2=2', 'ZP@5:1=2']);
  const [d] = validateSet(NOTES, segments('ZP*A'));
  assert.equal(d!.rule, 'CONDITIONAL_ELEMENT_MISSING');
  assert.deepEqual(d!.trigger, { segmentId: 'ZP', segmentPosition: 2, elementPosition: 1 });
  assert.match(d!.message, /ZP02 is required when ZP01 is present \(syntax note P0102\)/);
});

test('R required: none of them is code 2 on the first, with no trigger', () => {
  const ds = validateSet(NOTES, segments('ZR***C~ZR*A~ZR~ZR*'));
  assert.deepEqual(brief(ds), ['ZR@4:1=2', 'ZR@5:1=2']);
  assert.equal(ds[0]!.trigger, undefined);
  assert.match(ds[0]!.message, /at least one of ZR01, ZR02, ZR03 is required/);
});

test('E exclusion: each element after the first present one is code 10, triggered by the first', () => {
  const ds = validateSet(NOTES, segments('ZE*A~ZE**B*C~ZE*A*B*C'));
  assert.deepEqual(brief(ds), ['ZE@3:3=10', 'ZE@4:2=10', 'ZE@4:3=10']);
  assert.equal(ds[0]!.rule, 'EXCLUSION_VIOLATED');
  assert.deepEqual(ds[0]!.trigger, {
    segmentId: 'ZE',
    segmentPosition: 3,
    elementPosition: 2,
    elementReference: 102,
  });
  // The excluded element is the bad data (AK404/IK404).
  assert.deepEqual(
    ds.map((d) => d.badData),
    ['C', 'B', 'C'],
  );
});

test('C conditional: the first present requires all the others; the others alone require nothing', () => {
  assert.deepEqual(brief(validateSet(NOTES, segments('ZC**B*C~ZC*A*B*C~ZC*A*B~ZC*A'))), [
    'ZC@4:3=2',
    'ZC@5:2=2',
    'ZC@5:3=2',
  ]);
});

test('L list conditional: the first present requires one of the others; the trigger names the loop', () => {
  const ds = validateSet(NOTES, segments('ZL*A**C~ZL*A~ZL**B'));
  assert.deepEqual(brief(ds), ['ZL@3:2=2']);
  assert.deepEqual(ds[0]!.trigger, {
    segmentId: 'ZL',
    segmentPosition: 3,
    loopId: '0500',
    elementPosition: 1,
  });
  assert.equal(ds[0]!.badData, undefined);
});

test('an element is present through any component, and not when it is only blanks', () => {
  assert.deepEqual(brief(validateSet(NOTES, segments('ZP*>x*B~ZP*  *B'))), ['ZP@3:1=2']);
});

test('a separator in an element that is not a composite, or does not repeat, is code 6 with the whole element', () => {
  const segs = segments('ZP*A>B*C>D~ZR*X');
  // ZR01 as a plain segment with a repetition (5010 ^): only the first repetition is in `elements`.
  segs[2] = { ...segs[2]!, repetitions: new Map([[1, [['X'], ['Y']]]]) };
  const ds = validateSet(NOTES, segs);
  assert.deepEqual(brief(ds), ['ZP@2:2=6', 'ZR@3:1=6']);
  assert.deepEqual(
    ds.map((d) => [d.rule, d.badData, d.implementationCode]),
    [
      ['COMPONENT_IN_SIMPLE_ELEMENT', 'C:D', undefined],
      ['REPETITION_NOT_ALLOWED', 'X^Y', '12'],
    ],
  );
});

test('the 856 composites (REF04, MEA04, SLN05, PWK08) take components; a simple element does not', () => {
  const schema = X12_SET_SCHEMAS['856']!;
  const ok = segments(
    'BSN*00*SHIP*20261127*1200~HL*1**S~SLN*1**I*1*EA>1~MEA*PD*G*1*LB>X~PWK*X*******A>B~REF*ZZ*1**A>B',
  );
  assert.deepEqual(brief(validateSet(schema, ok)), []);
  assert.deepEqual(brief(validateSet(schema, segments('BSN*00*SH>1*20261127*1200~HL*1**S'))), ['BSN@2:2=6']);
});

test('210 B3 P0910: the delivery date B309 and its qualifier B310 go together', () => {
  const schema = X12_SET_SCHEMAS['210']!;
  const b3 = (b309: string, b310: string): string => `B3**INV*SHP*PP**20261127*1250**${b309}*${b310}*ABCD`;
  assert.deepEqual(brief(validateSet(schema, segments(b3('20261129', '035')))), []);
  assert.deepEqual(brief(validateSet(schema, segments(b3('', '')))), []);
  assert.deepEqual(brief(validateSet(schema, segments(b3('20261129', '')))), ['B3@2:10=2']);
  assert.deepEqual(brief(validateSet(schema, segments(b3('', '035')))), ['B3@2:9=2']);
});

test('214 AT7: 4010 pairs status and reason (P0102, P0304); 5010 asks a status only for a reason (C0201, C0403)', () => {
  const at7 = (els: string): Segment[] => segments(`B10*PRO1*SHP1*ABCD~LX*1~AT7*${els}*20261128*1015*CT`);
  const v4010 = x12SetSchema('214', '004010')!;
  const v5010 = x12SetSchema('214', '005010')!;
  assert.equal(x12SetSchema('214', '004010VICS'), v4010);
  assert.equal(v5010, X12_SET_SCHEMAS['214']);
  assert.equal(x12SetSchema('210', '004010'), X12_SET_SCHEMAS['210']);
  // Status with reason, appointment with reason: fine in both.
  for (const schema of [v4010, v5010]) {
    assert.deepEqual(brief(validateSet(schema, at7('X6*NS**'))), []);
    assert.deepEqual(brief(validateSet(schema, at7('**AA*NA'))), []);
    // A reason without its status breaks both versions' notes (AT701 required: AK4 2).
    assert.deepEqual(brief(validateSet(schema, at7('*NS**'))), ['AT7@4:1=2']);
  }
  // A status without its reason: 4010 requires AT702 (and AT704 for AT703); 5010 does not.
  assert.deepEqual(brief(validateSet(v4010, at7('X6***'))), ['AT7@4:2=2']);
  assert.deepEqual(brief(validateSet(v4010, at7('**AA*'))), ['AT7@4:4=2']);
  assert.deepEqual(brief(validateSet(v5010, at7('X6***'))), []);
  assert.deepEqual(brief(validateSet(v5010, at7('**AA*'))), []);
});

test('an element a note requires is reported once, even when it is also mandatory', () => {
  const schema: SetSchema = {
    setId: 'TST',
    body: [
      {
        seg: 'ZM',
        req: 'M',
        max: 1,
        elements: [undefined, { req: 'M', type: 'AN', min: 1, max: 5 }],
        notes: ['P0102'],
      },
    ],
  };
  assert.deepEqual(brief(validateSet(schema, segments('ZM*A'))), ['ZM@2:2=1']);
});

test('values: numbers, decimals, dates and times are checked by their characters', () => {
  const schema: SetSchema = {
    setId: 'TST',
    body: [
      {
        seg: 'ZV',
        req: 'O',
        max: 99,
        elements: [
          { req: 'O', type: 'N0', min: 1, max: 3 },
          { req: 'O', type: 'R', min: 1, max: 4 },
          { req: 'O', type: 'DT', min: 6, max: 8 },
          { req: 'O', type: 'TM', min: 4, max: 8 },
          { req: 'O', type: 'ID', min: 2, max: 3, codes: ['AB', 'X1', 'LONG-CODE'] },
        ],
      },
    ],
  };
  const codes = (line: string): string[] =>
    validateSet(schema, segments(line)).map((d) => `${d.elementPosition}=${d.code}`);
  assert.deepEqual(codes('ZV*-123*-12.5*20240229*2359*AB'), []);
  assert.deepEqual(codes('ZV*1234'), ['1=5']);
  assert.deepEqual(codes('ZV*1a'), ['1=6']);
  assert.deepEqual(codes('ZV*-'), ['1=4', '1=6']);
  assert.deepEqual(codes('ZV**.5'), []);
  assert.deepEqual(codes('ZV**1.2.3'), ['2=6']);
  assert.deepEqual(codes('ZV**12345'), ['2=5']);
  assert.deepEqual(codes('ZV***20230229'), ['3=8']);
  assert.deepEqual(codes('ZV***21000229'), ['3=8']);
  assert.deepEqual(codes('ZV***20000229'), []);
  assert.deepEqual(codes('ZV***261131'), ['3=8']);
  assert.deepEqual(codes('ZV***261130'), []);
  assert.deepEqual(codes('ZV****2360'), ['4=9']);
  assert.deepEqual(codes('ZV****12345'), ['4=9']);
  assert.deepEqual(codes('ZV****23595999'), []);
  assert.deepEqual(codes('ZV****235960'), ['4=9']);
  assert.deepEqual(codes('ZV*****X1'), []);
  assert.deepEqual(codes('ZV*****X2'), ['5=7']);
  assert.deepEqual(codes('ZV*****x1'), ['5=7']);
  assert.deepEqual(codes('ZV***** AB '), []);
});

test('a schema is walked the same every time: counters of a set do not leak into the next', () => {
  const schema = X12_SET_SCHEMAS['856']!;
  const asn = segments(
    'BSN*00*SHP1*20261127*0930~HL*1**S*1~N1*ST*STORE*92*ST1~HL*2*1*O*1~HL*3*2*I*0~LIN**BP*A~SN1**1*EA~CTT*3',
  );
  const missingHl = segments('BSN*00*SHP1*20261127*0930~CTT*3');
  assert.deepEqual(validateSet(schema, asn), []);
  assert.deepEqual(brief(validateSet(schema, missingHl)), ['HL@3:-=3']);
  assert.deepEqual(validateSet(schema, asn), []);
  assert.deepEqual(
    brief(validateSet(schema, segments('BSN*00*SHP1*20261127*0930~BSN*00*SHP2*20261127*0930~HL*1**S*1'))),
    ['BSN@3:-=5'],
  );
  assert.deepEqual(validateSet(schema, asn), []);
});

test('999: the trigger renders as CTX SITUATIONAL TRIGGER after its IK4 (element:component); 997 has none', () => {
  const trigger = {
    segmentId: 'TD1',
    segmentPosition: 4,
    loopId: 'HL',
    elementPosition: 4,
    componentPosition: 2,
  };
  const diagnostic: Diagnostic = {
    severity: 'error',
    level: 'element',
    code: '2',
    rule: 'CONDITIONAL_ELEMENT_MISSING',
    message: 'TD107 is required',
    segmentId: 'TD1',
    segmentPosition: 4,
    elementPosition: 7,
    trigger,
  };
  assert.equal(
    ackBody(diagnostic, '005010'),
    'AK1*SH*7*005010~AK2*856*0001~IK3*TD1*4**8~IK4*7**2~CTX*SITUATIONAL TRIGGER*TD1*4*HL*4>2~IK5*R*5~AK9*R*1*1*0',
  );
  assert.equal(
    ackBody(diagnostic, '004010'),
    'AK1*SH*7~AK2*856*0001~AK3*TD1*4**8~AK4*7**2~AK5*R*5~AK9*R*1*1*0',
  );
});

test('856 HL03: an item only under an order, pack or tare; the parent HL03 is the trigger', () => {
  const schema = X12_SET_SCHEMAS['856']!;
  const asn = (tree: string): Diagnostic[] =>
    validateSet(schema, segments(`BSN*00*SHP1*20261127*0930~${tree}~CTT*1`));
  assert.deepEqual(asn('HL*1**S*1~HL*2*1*O*1~HL*3*2*P*1~HL*4*3*I*0'), []);
  assert.deepEqual(asn('HL*1**S*1~HL*2*1*O*1~HL*3*2*I*1~HL*4*3*P*0'), []);
  // An unknown parent is the hierarchy reader's to report (HL_PARENT_NOT_FOUND), not this rule's.
  assert.deepEqual(asn('HL*1**S*1~HL*2*9*I*0'), []);
  const [d, ...rest] = asn('HL*1**S*1~HL*2*1*O*1~HL*3*2*I*1~HL*4*3*I*0');
  assert.equal(rest.length, 0);
  assert.equal(brief([d!])[0], 'HL@6:3=7');
  assert.equal(d!.implementationCode, 'I6');
  assert.equal(d!.badData, 'I');
  assert.deepEqual(d!.trigger, {
    segmentId: 'HL',
    segmentPosition: 5,
    loopId: 'HL',
    elementPosition: 3,
    elementReference: 735,
  });
});

test('copy of bad data: delimiters and control characters become spaces, 99 characters at most', () => {
  const d = { element: '*', component: '>', repetition: '^', segment: '~' };
  assert.equal(copyOfBadData('A~B*C>D^E', d), 'A B C D E');
  assert.equal(copyOfBadData('TAB\tEND\r', d), 'TAB END ');
  assert.equal(copyOfBadData('x'.repeat(150), d), 'x'.repeat(99));
  assert.equal(copyOfBadData('é'.repeat(120), d)!.length, 99);
  assert.equal(copyOfBadData('~~', d), undefined);
  assert.equal(copyOfBadData('', d), undefined);
  assert.equal(copyOfBadData(undefined, d), undefined);
});

test('an implementation code goes to the 999 only; both acks copy the bad data', () => {
  const diagnostic: Diagnostic = {
    severity: 'error',
    level: 'element',
    code: '7',
    implementationCode: 'I6',
    rule: 'LEVEL_NOT_ALLOWED_UNDER_PARENT',
    message: 'HL03 "I" may only sit under O, P, T',
    segmentId: 'HL',
    segmentPosition: 5,
    elementPosition: 3,
    badData: 'I',
    trigger: { segmentId: 'HL', segmentPosition: 3, loopId: 'HL', elementPosition: 3, elementReference: 735 },
  };
  assert.equal(
    ackBody(diagnostic, '005010'),
    'AK1*SH*7*005010~AK2*856*0001~IK3*HL*5**8~IK4*3**I6*I~CTX*SITUATIONAL TRIGGER*HL*3*HL*3*735~IK5*R*5~AK9*R*1*1*0',
  );
  assert.equal(
    ackBody(diagnostic, '004010'),
    'AK1*SH*7~AK2*856*0001~AK3*HL*5**8~AK4*3**7*I~AK5*R*5~AK9*R*1*1*0',
  );
});

test('856 HL03: a parent far back is found through the id index; missing parents stay linear', () => {
  const schema = X12_SET_SCHEMAS['856']!;
  const refs = Array.from({ length: 100 }, (_, n) => `REF*BM*B${n}`).join('~');
  const far = validateSet(
    schema,
    segments(`BSN*00*SHP1*20261127*0930~HL*1**S*1~${refs}~HL*2*1*O*1~${refs}~HL*3*2*I*0~HL*4*1*I*0~CTT*4`),
  );
  assert.deepEqual(brief(far), ['HL@206:3=7']);
  assert.equal(far[0]!.trigger!.segmentPosition, 3);
  const items = Array.from({ length: 20_000 }, (_, n) => `HL*${n + 2}*X${n}*I*0`).join('~');
  const t0 = process.hrtime.bigint();
  const ds = validateSet(schema, segments(`BSN*00*SHP1*20261127*0930~HL*1**S*1~${items}~CTT*1`));
  assert.deepEqual(ds, []);
  assert.ok(Number(process.hrtime.bigint() - t0) < 2e9, 'validated 20,000 orphan items in under 2 s');
});

test('elements past the defined ones: AK4 3 on the first extra one carrying data, its data copied', () => {
  const schema: SetSchema = {
    setId: 'TST',
    body: [
      { seg: 'ZM', req: 'O', max: 9, elements: [{ req: 'M', type: 'AN', min: 1, max: 5 }], maxElements: 3 },
    ],
  };
  const ds = validateSet(schema, segments('ZM*A*B*C*D~ZM*A*B*C~ZM*A*B*C*~ZM*A*B*C**E'));
  assert.deepEqual(brief(ds), ['ZM@2:4=3', 'ZM@5:5=3']);
  assert.equal(ds[0]!.rule, 'TOO_MANY_ELEMENTS');
  assert.equal(ds[0]!.badData, 'D');
  assert.equal(ds[1]!.badData, 'E');
  // BSN defines 7 elements in 4010 and 5010.
  const bsn = 'BSN*00*S1*20261127*0930*0001*AA*BB*CC~HL*1**S*1~HL*2*1*O*1~HL*3*2*I*0~';
  assert.deepEqual(brief(validateSet(X12_SET_SCHEMAS['856']!, segments(bsn)).filter((d) => d.code === '3')), [
    'BSN@2:8=3',
  ]);
});

test('a segment out of place: 6 when another set defines it, 1 when none does; ignored (warnings)', () => {
  const ds = validateSet(NOTES, segments('ZP*A*B~ZZZ*1~B3**X~BSN*00'));
  assert.deepEqual(brief(ds), ['ZZZ@3:-=1', 'B3@4:-=6', 'BSN@5:-=6']);
  assert.deepEqual(
    ds.map((d) => [d.rule, d.severity]),
    [
      ['UNRECOGNIZED_SEGMENT', 'warning'],
      ['SEGMENT_NOT_IN_SET', 'warning'],
      ['SEGMENT_NOT_IN_SET', 'warning'],
    ],
  );
  // Not an id at all: an error.
  assert.deepEqual(
    validateSet(NOTES, segments('z1*A')).map((d) => [d.code, d.severity]),
    [['1', 'error']],
  );
});

test('a set-level error no step could place still gives AK502/IK502 a reason: 5 in a 997, I5 in a 999', () => {
  const unplaced: Diagnostic = {
    severity: 'error',
    level: 'transaction',
    code: '5',
    rule: 'CANONICAL_SCHEMA',
    message: 'ShipmentNotice/x is required',
  };
  // No AK3/IK3 line, yet never a rejection without a reason (x12-ack-writer.ts setCodes).
  assert.match(ackBody(unplaced, '004010'), /AK2\*856\*0001~AK5\*R\*5~AK9/);
  assert.match(ackBody(unplaced, '005010'), /AK2\*856\*0001~IK5\*R\*I5~AK9/);
});

test('a 999 writes a segment-level implementation code (IK304), a 997 the standard code', () => {
  const missing: Diagnostic = {
    severity: 'error',
    level: 'segment',
    code: '3',
    implementationCode: 'I6',
    rule: 'CANONICAL_SCHEMA',
    message: 'FreightInvoice/totals/weight is required',
    segmentId: 'L3',
    segmentPosition: 9,
  };
  assert.match(ackBody(missing, '004010'), /AK3\*L3\*9\*\*3~AK5\*R\*5~/);
  assert.match(ackBody(missing, '005010'), /IK3\*L3\*9\*\*I6~IK5\*R\*5~/);
});
