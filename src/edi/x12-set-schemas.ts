/**
 * Schemas of the transaction sets the engine reads and writes: 856, 214, 210 (4010 and 5010 share
 * the segments checked here), 997 and 999. Segment lists follow the standards' order; elements are
 * checked where the maps rely on them. Segments a partner adds that are not listed are reported as
 * warnings (AK3 code 2), not rejections. Composite elements are listed per segment (`composite`:
 * REF04 and N907 C040, MEA04 and SLN05 C001, PWK08 C002, AK401/IK401 C030, CTX01 C998, CTX05 C030,
 * CTX06 C999); no element of these sets repeats. A component or repetition separator anywhere else
 * in a listed segment is a data error (AK4/IK4 6).
 *
 * Syntax notes (`notes`) are the X12 relational conditions of the segment as the standard defines
 * it, kept where 4010 and 5010 agree, because one schema serves both: a note that names an element
 * only one version has (N4's E0207/C0704 name N407, TD3's E0110 names TD310) cannot fire on the
 * other. Where the versions' notes differ, only the notes implied by both are kept (said at the
 * segment), except in the 214's AT7, whose 4010 notes a 4010 set is checked against
 * (`x12SetSchema`). Sources: the X12 segment references (stedi.com/edi/x12-004010/segment/…, …/x12-005010/…
 * and the neighbouring releases) and stupidedi's 004010/005010 segment definitions
 * (kputnam/stupidedi lib/stupidedi/versions/<version>/segment_defs), which also give the data element
 * reference numbers in `refs` (CTX06). Segments without notes have none in the standard (HL, PRF,
 * N2, N3, LX, C3, K1, M7, L4, the 997/999 segments) or none that both versions share.
 *
 * Loop ids (`loop(name, id, …)`) are the Loop Identifier Codes of the standard's transaction set
 * diagrams, written in 999 CTX04: the supply-chain 856 names its loops by their first segment
 * (LOOP ID - HL, LOOP ID - N1 in 4010 and later), the transportation 214/210 number theirs
 * (214: 0100 N1, 0200 LX, 0205 AT7; 210: 0100 N1, 0200 N7, 0400 LX), the 997 by segment
 * (AK2, AK3) and the 999 by number (2000 AK2, 2100 IK3, 2110 IK4).
 */
import type {
  ElementSpec,
  ElementType,
  LoopSpec,
  SegmentSpec,
  SetSchema,
  SyntaxNote,
} from './x12-set-schema.js';
import { X12_TIME_CODES } from './edi-datetime.js';

const M = (type: ElementType, min: number, max: number, codes?: readonly string[]): ElementSpec => ({
  req: 'M',
  type,
  min,
  max,
  ...(codes ? { codes } : {}),
});
const O = (type: ElementType, min: number, max: number, codes?: readonly string[]): ElementSpec => ({
  req: 'O',
  type,
  min,
  max,
  ...(codes ? { codes } : {}),
});
const X = (type: ElementType, min: number, max: number, codes?: readonly string[]): ElementSpec => ({
  req: 'X',
  type,
  min,
  max,
  ...(codes ? { codes } : {}),
});
/**
 * Segments whose `refs` list every element the standard defines (for N4, 5010's; 4010 has one
 * fewer): more elements than that are reported (AK4 3). The others list refs only as far as the
 * schema needs them.
 */
const ALL_ELEMENTS_LISTED: ReadonlySet<string> = new Set([
  'AT7',
  'AT8',
  'B10',
  'BSN',
  'DTM',
  'G62',
  'HL',
  'L0',
  'L3',
  'L5',
  'MAN',
  'MS3',
  'N1',
  'N4',
  'PKG',
  'SN1',
  'TD1',
  'TD3',
  'TD4',
  'TD5',
]);
const seg = (
  tag: string,
  req: 'M' | 'O',
  max: number,
  elements?: readonly (ElementSpec | undefined)[],
  notes?: readonly SyntaxNote[],
  refs?: readonly number[],
): SegmentSpec => ({
  seg: tag,
  req,
  max,
  ...(elements ? { elements } : {}),
  ...(notes ? { notes } : {}),
  ...(refs ? { refs } : {}),
  ...(refs && ALL_ELEMENTS_LISTED.has(tag) ? { maxElements: refs.length } : {}),
});
/** A segment with composite elements (1-based positions): only these may hold components. */
const composite = (spec: SegmentSpec, positions: readonly number[]): SegmentSpec => ({
  ...spec,
  composites: positions,
});
const loop = (
  name: string,
  id: string,
  req: 'M' | 'O',
  max: number,
  body: readonly (SegmentSpec | LoopSpec)[],
): LoopSpec => ({ loop: name, id, req, max, body });

const MANY = 999_999;
const TIME_CODES = X12_TIME_CODES;

const DTM = seg(
  'DTM',
  'O',
  10,
  [M('ID', 3, 3), X('DT', 8, 8), X('TM', 4, 8), O('ID', 2, 2, TIME_CODES)],
  ['R020305', 'C0403', 'P0506'],
  [374, 373, 337, 623, 1250, 1251],
);
const REF = (max: number): SegmentSpec =>
  composite(seg('REF', 'O', max, [M('ID', 2, 3), X('AN', 1, 50)], ['R0203'], [128, 127, 352]), [4]);
const PER = seg(
  'PER',
  'O',
  3,
  undefined,
  ['P0304', 'P0506', 'P0708'],
  [366, 93, 365, 364, 365, 364, 365, 364],
);
const G62 = (max: number): SegmentSpec =>
  seg('G62', 'O', max, undefined, ['R0103', 'P0102', 'P0304'], [432, 373, 176, 337, 623]);
const N9 = (max: number): SegmentSpec =>
  composite(
    seg('N9', 'O', max, [M('ID', 2, 3), X('AN', 1, 50)], ['R0203', 'C0605'], [128, 127, 369, 373, 337, 623]),
    [7],
  );
/** 4010 and 5010 both: R0103, P0102 (all three elements conditional; 5010 allows 50 characters). */
const L11 = (max: number): SegmentSpec =>
  seg('L11', 'O', max, [X('AN', 1, 50), X('ID', 2, 3), X('AN', 1, 80)], ['R0103', 'P0102'], [127, 128, 352]);
const K1 = seg('K1', 'O', 10, [M('AN', 1, 30), O('AN', 1, 30)]);
/** MAN03/06 are the ranges' ends: P0405, C0605. */
const MAN = (max: number): SegmentSpec =>
  seg('MAN', 'O', max, [M('ID', 1, 2), M('AN', 1, 48)], ['P0405', 'C0605'], [88, 87, 87, 88, 87, 87]);
/** LIN04/05 … LIN30/31: each product id qualifier is paired with its id. */
const LIN_PAIRS = Array.from({ length: 14 }, (_, i): SyntaxNote => {
  const q = String(4 + 2 * i).padStart(2, '0');
  return `P${q}${String(5 + 2 * i).padStart(2, '0')}` as SyntaxNote;
});
const N1_LOOP = (id: string, max: number, extra: readonly SegmentSpec[] = []): LoopSpec =>
  loop('N1', id, 'O', max, [
    seg(
      'N1',
      'M',
      1,
      [M('ID', 2, 3), X('AN', 1, 60), X('ID', 1, 2), X('AN', 2, 80)],
      ['R0203', 'P0304'],
      [98, 93, 66, 67, 706, 98],
    ),
    seg('N2', 'O', 2),
    seg('N3', 'O', 2, [M('AN', 1, 55), O('AN', 1, 55)]),
    seg(
      'N4',
      'O',
      1,
      [O('AN', 2, 30), O('ID', 2, 2), O('ID', 3, 15), O('ID', 2, 3)],
      ['E0207', 'C0605', 'C0704'],
      [19, 156, 116, 26, 309, 310, 1715],
    ),
    REF(12),
    PER,
    ...extra,
  ]);

export const X12_856: SetSchema = {
  setId: '856',
  body: [
    seg(
      'BSN',
      'M',
      1,
      [M('ID', 2, 2, ['00', '01', '05']), M('AN', 2, 30), M('DT', 8, 8), M('TM', 4, 8), O('ID', 4, 4)],
      ['C0706'],
      [353, 396, 373, 337, 1005, 640, 641],
    ),
    DTM,
    loop('HL', 'HL', 'M', 200_000, [
      seg(
        'HL',
        'M',
        1,
        [M('AN', 1, 12), O('AN', 1, 12), M('ID', 1, 2), O('ID', 1, 1, ['0', '1'])],
        undefined,
        [628, 734, 735, 736],
      ),
      seg('LIN', 'O', 1, [O('AN', 1, 20), M('ID', 2, 2), M('AN', 1, 48)], LIN_PAIRS),
      seg(
        'SN1',
        'O',
        1,
        [O('AN', 1, 20), M('R', 1, 10), M('ID', 2, 2)],
        ['P0506'],
        [350, 382, 355, 646, 330, 355, 728, 668],
      ),
      composite(seg('SLN', 'O', 1000), [5]),
      seg('PRF', 'O', 1, [M('AN', 1, 22), undefined, undefined, O('DT', 8, 8)]),
      // The pack's size, weight and volume pairs hold from 3050 to 8040 (P0203 was C0203 before);
      // the dimension notes (PO410–PO413) differ between releases and are left out.
      seg(
        'PO4',
        'O',
        1,
        undefined,
        ['P0203', 'C0506', 'P0607', 'P0809'],
        [356, 357, 355, 103, 187, 384, 355, 385, 355],
      ),
      seg('PID', 'O', 200, [M('ID', 1, 1, ['F', 'S', 'X'])], ['C0403', 'R0405', 'C0703', 'C0804', 'C0905']),
      composite(seg('MEA', 'O', 40, undefined, ['R03050608', 'C0504', 'C0604', 'L07030506', 'E0803']), [4]),
      composite(seg('PWK', 'O', 25), [8]),
      seg('PKG', 'O', 25, undefined, ['R040506', 'C0403', 'C0501'], [349, 753, 559, 754, 352, 400]),
      seg(
        'TD1',
        'O',
        20,
        [
          O('AN', 3, 5),
          X('N0', 1, 7),
          undefined,
          undefined,
          undefined,
          O('ID', 1, 2),
          X('R', 1, 10),
          X('ID', 2, 2),
        ],
        ['C0102', 'C0304', 'C0607', 'P0708', 'P0910'],
        [103, 80, 23, 22, 79, 187, 81, 355, 183, 355],
      ),
      seg(
        'TD5',
        'O',
        12,
        [O('ID', 1, 2), X('ID', 1, 2), X('AN', 2, 80), X('ID', 1, 2)],
        ['R0204050612', 'C0203', 'C0708', 'C1011', 'C1312', 'C1413', 'C1512'],
        [133, 66, 67, 91, 387, 368, 309, 310, 731, 732, 733, 284, 284, 284, 26],
      ),
      // E0110 names TD310, which 4010 files do not carry.
      seg(
        'TD3',
        'O',
        12,
        undefined,
        ['E0110', 'C0203', 'C0405', 'P0506'],
        [40, 206, 207, 187, 81, 355, 102, 407, 225, 24],
      ),
      seg('TD4', 'O', 5, undefined, ['R010204', 'C0203'], [152, 208, 209, 352, 1073]),
      seg('TSD', 'O', 1),
      REF(MANY),
      PER,
      seg('CLD', 'O', 200),
      MAN(MANY),
      DTM,
      seg('FOB', 'O', 1),
      seg('PAL', 'O', 1),
      N1_LOOP('N1', 200, [seg('FOB', 'O', 1)]),
      seg('SDQ', 'O', 50),
      seg('ETD', 'O', 1),
      seg('CUR', 'O', 1),
      seg('SAC', 'O', MANY),
      seg('GF', 'O', 1),
      seg('YNQ', 'O', 10),
    ]),
    seg('CTT', 'O', 1, [M('N0', 1, 6)], ['P0304', 'P0506']),
  ],
  // The map attaches an item to the nearest order, pack or tare above it (edi-maps/x12/856.map.yaml).
  hierarchy: { seg: 'HL', id: 1, parent: 2, level: 3, parents: { I: ['O', 'P', 'T'] } },
};

/** The 214 with its AT7 syntax notes, the one segment whose notes this schema keeps per version. */
const x12_214 = (at7Notes: readonly SyntaxNote[]): SetSchema => ({
  setId: '214',
  body: [
    seg(
      'B10',
      'M',
      1,
      [X('AN', 1, 50), O('AN', 1, 30), M('ID', 2, 4), undefined, X('ID', 2, 3), X('AN', 1, 50)],
      ['R0106', 'E0105', 'P0506'],
      [127, 145, 140, 71, 128, 127, 1073],
    ),
    L11(300),
    MAN(9999),
    K1,
    N1_LOOP('0100', 10, [G62(1), L11(10)]),
    seg('MS3', 'O', 1, undefined, ['C0503'], [140, 133, 19, 91, 156]),
    loop('LX', '0200', 'O', MANY, [
      seg('LX', 'M', 1, [M('N0', 1, 6)]),
      loop('AT7', '0205', 'O', 10, [
        seg(
          'AT7',
          'M',
          1,
          [
            X('ID', 2, 2),
            X('ID', 2, 2),
            X('ID', 2, 2),
            X('ID', 2, 2),
            X('DT', 8, 8),
            X('TM', 4, 8),
            O('ID', 2, 2, TIME_CODES),
          ],
          at7Notes,
          [1650, 1651, 1652, 1653, 373, 337, 623],
        ),
        // 4010 and 5010 (8 elements); MS109/MS110 and the notes naming them came later.
        seg(
          'MS1',
          'O',
          1,
          [X('AN', 2, 30), X('ID', 2, 2), X('ID', 2, 3)],
          ['L010203', 'E0104', 'C0201', 'C0301', 'P0405', 'C0604', 'C0705', 'C0801'],
          [19, 156, 26, 1654, 1655, 1280, 1280, 116],
        ),
        seg('MS2', 'O', 1, [M('ID', 2, 4), M('AN', 1, 10)]),
      ]),
      L11(MANY),
      MAN(9999),
      seg('Q7', 'O', 10),
      K1,
      seg('AT5', 'O', 10),
      seg('AT8', 'O', 10, undefined, ['P010203', 'P0607'], [187, 188, 81, 80, 80, 184, 183]),
    ]),
  ],
});

/*
 * AT7: 4010 pairs the status with its reason and the appointment status with its reason (P0102,
 * P0304); 4040 on makes the reasons optional (C0201, C0403), which 5010 keeps. The shared schema
 * has the conditionals, which hold in both; 4010 sets get the pairs (x12SetSchema): an AT701
 * without AT702 is an error there (AK4 2), and a rendered 4010 214 is checked against them.
 * Both versions have E0103 (a status or an appointment status, never both: stedi's 4020, 4030,
 * 4060 and 7030 AT7 and stupidedi's 004010 agree), C0605 (a time needs its date) and C0706 (a time
 * code needs its time: stupidedi's 004010, stedi's 4040): without E0103 an AT7*X1*NS*AB*NA was read
 * as status X1 with the appointment's reason NA, AB lost; without C0706 a date with a time code
 * and no time became midnight in that zone.
 */
export const X12_214 = x12_214(['C0201', 'C0403', 'E0103', 'C0605', 'C0706']);
export const X12_214_004010 = x12_214(['P0102', 'P0304', 'E0103', 'C0605', 'C0706']);

export const X12_210: SetSchema = {
  setId: '210',
  body: [
    // B309 (delivery date) and B310 (its date/time qualifier) go together: P0910 in 4010 and 5010.
    seg(
      'B3',
      'M',
      1,
      [
        O('ID', 1, 1),
        M('AN', 1, 22),
        O('AN', 1, 30),
        M('ID', 2, 2, ['PP', 'CC', 'TP', 'DF', 'MX', 'NC', 'PO', 'PU']),
        O('ID', 1, 1),
        M('DT', 8, 8),
        M('N2', 1, 12),
        O('ID', 1, 1),
        X('DT', 8, 8),
        X('ID', 3, 3),
        M('ID', 2, 4),
      ],
      ['P0910'],
      [147, 76, 145, 146, 188, 373, 193, 202, 32, 374, 140],
    ),
    seg('C3', 'O', 1, [M('ID', 3, 3)]),
    seg('ITD', 'O', 1),
    N9(300),
    G62(6),
    seg('R3', 'O', 12),
    seg('H3', 'O', 6),
    K1,
    N1_LOOP('0100', 10, [N9(5)]),
    loop('N7', '0200', 'O', 10, [
      seg('N7', 'M', 1, undefined, ['P0304', 'P0516', 'P0809'], [206, 207, 81, 187, 167, 232, 205, 183, 184]),
      seg('M7', 'O', 5),
    ]),
    loop('LX', '0400', 'O', 9999, [
      seg('LX', 'M', 1, [M('N0', 1, 6)]),
      N9(5),
      seg(
        'L5',
        'O',
        30,
        [O('N0', 1, 3), O('AN', 1, 50)],
        ['P0304', 'C0706', 'P0809'],
        [213, 79, 22, 23, 103, 87, 88, 23, 22, 595],
      ),
      seg('H1', 'O', 3),
      seg('H2', 'O', 2),
      seg(
        'L0',
        'O',
        10,
        [O('N0', 1, 3), X('R', 1, 15), X('ID', 2, 2), X('R', 1, 10), X('ID', 1, 2)],
        ['P0203', 'P0405', 'P0607', 'P0809', 'C1104', 'P1315'],
        [213, 220, 221, 81, 187, 183, 184, 80, 211, 458, 188, 56, 380, 211, 1073],
      ),
      // 4010 also has R040506 (a charge, advance or prepaid amount); not carried over as a rule both
      // versions are known to share, so an L1 with a rate alone passes.
      seg(
        'L1',
        'O',
        10,
        [
          O('N0', 1, 3),
          X('R', 1, 15),
          X('ID', 2, 2),
          X('N2', 1, 12),
          undefined,
          undefined,
          undefined,
          O('ID', 3, 3),
          // L109 rate class, L110 entitlement, L111 charge method of payment: short codes, so a
          // description one element early (in L111 instead of L112) is too long, not silently lost.
          O('ID', 1, 3),
          O('ID', 1, 1),
          O('ID', 1, 1),
          O('AN', 2, 25),
        ],
        ['P0203', 'P1415', 'P1718'],
        [213, 60, 122, 58, 191, 117, 120, 150, 121, 39, 16, 276, 257, 74, 122, 372, 220, 221],
      ),
      seg('L4', 'O', 10),
      seg('L7', 'O', 10),
      K1,
    ]),
    seg(
      'L3',
      'O',
      1,
      [X('R', 1, 10), X('ID', 1, 2), undefined, undefined, O('N2', 1, 12)],
      ['P0102', 'P0304', 'P0910', 'C1201', 'P1415'],
      [81, 187, 60, 122, 58, 191, 117, 150, 183, 184, 80, 188, 171, 74, 122],
    ),
  ],
};

export const X12_997: SetSchema = {
  setId: '997',
  body: [
    seg('AK1', 'M', 1, [M('ID', 2, 2), M('N0', 1, 9)]),
    loop('AK2', 'AK2', 'O', MANY, [
      seg('AK2', 'M', 1, [M('ID', 3, 3), M('AN', 4, 9)]),
      loop('AK3', 'AK3', 'O', MANY, [
        seg('AK3', 'M', 1, [M('ID', 2, 3), M('N0', 1, 10), undefined, O('ID', 1, 3)]),
        composite(seg('AK4', 'O', 99, [M('AN', 1, 7), undefined, M('ID', 1, 3)]), [1]),
      ]),
      seg('AK5', 'M', 1, [M('ID', 1, 1, ['A', 'E', 'M', 'R', 'W', 'X'])]),
    ]),
    seg('AK9', 'M', 1, [
      M('ID', 1, 1, ['A', 'E', 'M', 'P', 'R', 'W', 'X']),
      M('N0', 1, 6),
      M('N0', 1, 6),
      M('N0', 1, 6),
    ]),
  ],
};

export const X12_999: SetSchema = {
  setId: '999',
  body: [
    seg('AK1', 'M', 1, [M('ID', 2, 2), M('N0', 1, 9), M('AN', 1, 12)]),
    loop('AK2', '2000', 'O', MANY, [
      seg('AK2', 'M', 1, [M('ID', 3, 3), M('AN', 4, 9), O('AN', 1, 35)]),
      loop('IK3', '2100', 'O', MANY, [
        seg('IK3', 'M', 1, [M('ID', 2, 3), M('N0', 1, 10), undefined, M('ID', 1, 3)]),
        composite(seg('CTX', 'O', 10), [1, 5, 6]),
        loop('IK4', '2110', 'O', 99, [
          composite(seg('IK4', 'M', 1, [M('AN', 1, 7), undefined, M('ID', 1, 3)]), [1]),
          composite(seg('CTX', 'O', 10), [1, 5, 6]),
        ]),
      ]),
      seg('IK5', 'M', 1, [M('ID', 1, 1, ['A', 'E', 'M', 'R', 'W', 'X'])]),
    ]),
    seg('AK9', 'M', 1, [
      M('ID', 1, 1, ['A', 'E', 'M', 'P', 'R', 'W', 'X']),
      M('N0', 1, 6),
      M('N0', 1, 6),
      M('N0', 1, 6),
    ]),
  ],
};

/** The schemas by set id, for every version; x12SetSchema picks the version's own where it has one. */
export const X12_SET_SCHEMAS: Readonly<Record<string, SetSchema>> = {
  '856': X12_856,
  '214': X12_214,
  '210': X12_210,
  '997': X12_997,
  '999': X12_999,
};

/** The schema of a set id in a version (GS08): 4010's 214 has its own AT7 notes, the rest are shared. */
export function x12SetSchema(setId: string, version: string): SetSchema | undefined {
  return setId === '214' && version.startsWith('004010') ? X12_214_004010 : X12_SET_SCHEMAS[setId];
}
