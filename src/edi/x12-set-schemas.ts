/**
 * Schemas of the transaction sets the engine reads and writes: 856, 214, 210 (4010 and 5010 share
 * the segments checked here), 997 and 999. Segment lists follow the standards' order; elements are
 * checked where the maps rely on them. Segments a partner adds that are not listed are reported as
 * warnings (AK3 code 2), not rejections.
 *
 * Syntax notes (`notes`) are the X12 relational conditions of the segment as the standard defines
 * it, kept where 4010 and 5010 agree, because one schema serves both (N4's E0207/C0704 name N407,
 * which 4010 does not have, so they cannot fire there). Segments listed here without notes either
 * have none in the standard (HL, PRF, N2, N3, LX, B3, C3, MS2's mandatory pair, the 997/999
 * segments) or are not covered yet (MS1, B10, MAN, PO4, PKG, PWK, TD3, TD4, SLN, FOB, SAC, CUR,
 * L0, L1, L3, L5, N7, CTX): their conditional elements are not checked.
 */
import type {
  ElementSpec,
  ElementType,
  LoopSpec,
  SegmentSpec,
  SetSchema,
  SyntaxNote,
} from './x12-set-schema.js';

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
const seg = (
  tag: string,
  req: 'M' | 'O',
  max: number,
  elements?: readonly (ElementSpec | undefined)[],
  notes?: readonly SyntaxNote[],
): SegmentSpec => ({ seg: tag, req, max, ...(elements ? { elements } : {}), ...(notes ? { notes } : {}) });
const loop = (
  id: string,
  req: 'M' | 'O',
  max: number,
  body: readonly (SegmentSpec | LoopSpec)[],
): LoopSpec => ({ loop: id, req, max, body });

const MANY = 999_999;
const TIME_CODES = [
  'AD',
  'AS',
  'AT',
  'CD',
  'CS',
  'CT',
  'ED',
  'ES',
  'ET',
  'GM',
  'HD',
  'HS',
  'HT',
  'LT',
  'MD',
  'MS',
  'MT',
  'PD',
  'PS',
  'PT',
  'UT',
];

const DTM = seg(
  'DTM',
  'O',
  10,
  [M('ID', 3, 3), X('DT', 8, 8), X('TM', 4, 8), O('ID', 2, 2, TIME_CODES)],
  ['R020305', 'C0403', 'P0506'],
);
const REF = (max: number): SegmentSpec => seg('REF', 'O', max, [M('ID', 2, 3), X('AN', 1, 50)], ['R0203']);
const PER = seg('PER', 'O', 3, undefined, ['P0304', 'P0506', 'P0708']);
const G62 = (max: number): SegmentSpec => seg('G62', 'O', max, undefined, ['R0103', 'P0102', 'P0304']);
const N9 = (max: number): SegmentSpec =>
  seg('N9', 'O', max, [M('ID', 2, 3), X('AN', 1, 50)], ['R0203', 'C0605']);
/** LIN04/05 … LIN30/31: each product id qualifier is paired with its id. */
const LIN_PAIRS = Array.from({ length: 14 }, (_, i): SyntaxNote => {
  const q = String(4 + 2 * i).padStart(2, '0');
  return `P${q}${String(5 + 2 * i).padStart(2, '0')}` as SyntaxNote;
});
const N1_LOOP = (max: number, extra: readonly SegmentSpec[] = []): LoopSpec =>
  loop('N1', 'O', max, [
    seg('N1', 'M', 1, [M('ID', 2, 3), X('AN', 1, 60), X('ID', 1, 2), X('AN', 2, 80)], ['R0203', 'P0304']),
    seg('N2', 'O', 2),
    seg('N3', 'O', 2, [M('AN', 1, 55), O('AN', 1, 55)]),
    seg(
      'N4',
      'O',
      1,
      [O('AN', 2, 30), O('ID', 2, 2), O('ID', 3, 15), O('ID', 2, 3)],
      ['E0207', 'C0605', 'C0704'],
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
    ),
    DTM,
    loop('HL', 'M', 200_000, [
      seg('HL', 'M', 1, [M('AN', 1, 12), O('AN', 1, 12), M('ID', 1, 2), O('ID', 1, 1, ['0', '1'])]),
      seg('LIN', 'O', 1, [O('AN', 1, 20), M('ID', 2, 2), M('AN', 1, 48)], LIN_PAIRS),
      seg('SN1', 'O', 1, [O('AN', 1, 20), M('R', 1, 10), M('ID', 2, 2)], ['P0506']),
      seg('SLN', 'O', 1000),
      seg('PRF', 'O', 1, [M('AN', 1, 22), undefined, undefined, O('DT', 8, 8)]),
      seg('PO4', 'O', 1),
      seg('PID', 'O', 200, [M('ID', 1, 1, ['F', 'S', 'X'])], ['C0403', 'R0405', 'C0703', 'C0804', 'C0905']),
      seg('MEA', 'O', 40, undefined, ['R03050608', 'C0504', 'C0604', 'L07030506', 'E0803']),
      seg('PWK', 'O', 25),
      seg('PKG', 'O', 25),
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
      ),
      seg(
        'TD5',
        'O',
        12,
        [O('ID', 1, 2), X('ID', 1, 2), X('AN', 2, 80), X('ID', 1, 2)],
        ['R0204050612', 'C0203', 'C0708', 'C1011', 'C1312', 'C1413', 'C1512'],
      ),
      seg('TD3', 'O', 12),
      seg('TD4', 'O', 5),
      seg('TSD', 'O', 1),
      REF(MANY),
      PER,
      seg('CLD', 'O', 200),
      seg('MAN', 'O', MANY, [M('ID', 1, 2), M('AN', 1, 48)]),
      DTM,
      seg('FOB', 'O', 1),
      seg('PAL', 'O', 1),
      N1_LOOP(200, [seg('FOB', 'O', 1)]),
      seg('SDQ', 'O', 50),
      seg('ETD', 'O', 1),
      seg('CUR', 'O', 1),
      seg('SAC', 'O', MANY),
      seg('GF', 'O', 1),
      seg('YNQ', 'O', 10),
    ]),
    seg('CTT', 'O', 1, [M('N0', 1, 6)], ['P0304', 'P0506']),
  ],
};

export const X12_214: SetSchema = {
  setId: '214',
  body: [
    seg('B10', 'M', 1, [X('AN', 1, 30), X('AN', 1, 30), M('ID', 2, 4)]),
    seg('L11', 'O', 300, [M('AN', 1, 30), M('ID', 2, 3)]),
    seg('MAN', 'O', 9999),
    seg('K1', 'O', 10),
    N1_LOOP(10, [G62(1), seg('L11', 'O', 10)]),
    seg('MS3', 'O', 1),
    loop('LX', 'O', MANY, [
      seg('LX', 'M', 1, [M('N0', 1, 6)]),
      loop('AT7', 'O', 10, [
        // 4010 pairs AT701/02 and AT703/04 (P0102, P0304), 4040 on makes the reasons optional
        // (C0201, C0403): the conditionals hold in both.
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
          ['C0201', 'C0403'],
        ),
        seg('MS1', 'O', 1, [X('AN', 2, 30), X('ID', 2, 2), X('ID', 2, 3)]),
        seg('MS2', 'O', 1, [M('ID', 2, 4), M('AN', 1, 10)]),
      ]),
      seg('L11', 'O', MANY, [M('AN', 1, 30), M('ID', 2, 3)]),
      seg('MAN', 'O', 9999),
      seg('Q7', 'O', 10),
      seg('K1', 'O', 10),
      seg('AT5', 'O', 10),
      seg('AT8', 'O', 10),
    ]),
  ],
};

export const X12_210: SetSchema = {
  setId: '210',
  body: [
    seg('B3', 'M', 1, [
      O('ID', 1, 1),
      M('AN', 1, 22),
      O('AN', 1, 30),
      M('ID', 2, 2, ['PP', 'CC', 'TP', 'DF', 'MX', 'NC', 'PO', 'PU']),
      O('ID', 1, 1),
      M('DT', 8, 8),
      M('N2', 1, 12),
      O('ID', 1, 1),
      O('DT', 8, 8),
      O('ID', 3, 3),
      M('ID', 2, 4),
    ]),
    seg('C3', 'O', 1, [M('ID', 3, 3)]),
    seg('ITD', 'O', 1),
    N9(300),
    G62(6),
    seg('R3', 'O', 12),
    seg('H3', 'O', 6),
    seg('K1', 'O', 10),
    N1_LOOP(10, [N9(5)]),
    loop('N7', 'O', 10, [seg('N7', 'M', 1), seg('M7', 'O', 5)]),
    loop('LX', 'O', 9999, [
      seg('LX', 'M', 1, [M('N0', 1, 6)]),
      N9(5),
      seg('L5', 'O', 30, [O('N0', 1, 3), O('AN', 1, 50)]),
      seg('H1', 'O', 3),
      seg('H2', 'O', 2),
      seg('L0', 'O', 10, [O('N0', 1, 3), X('R', 1, 15), X('ID', 2, 2), X('R', 1, 10), X('ID', 1, 2)]),
      seg('L1', 'O', 10, [
        O('N0', 1, 3),
        X('R', 1, 15),
        X('ID', 2, 2),
        X('N2', 1, 12),
        undefined,
        undefined,
        undefined,
        O('ID', 3, 3),
      ]),
      seg('L4', 'O', 10),
      seg('L7', 'O', 10),
      seg('K1', 'O', 10),
    ]),
    seg('L3', 'O', 1, [X('R', 1, 10), X('ID', 1, 2), undefined, undefined, O('N2', 1, 12)]),
  ],
};

export const X12_997: SetSchema = {
  setId: '997',
  body: [
    seg('AK1', 'M', 1, [M('ID', 2, 2), M('N0', 1, 9)]),
    loop('AK2', 'O', MANY, [
      seg('AK2', 'M', 1, [M('ID', 3, 3), M('AN', 4, 9)]),
      loop('AK3', 'O', MANY, [
        seg('AK3', 'M', 1, [M('ID', 2, 3), M('N0', 1, 10), undefined, O('ID', 1, 3)]),
        seg('AK4', 'O', 99, [M('AN', 1, 7), undefined, M('ID', 1, 3)]),
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
    loop('AK2', 'O', MANY, [
      seg('AK2', 'M', 1, [M('ID', 3, 3), M('AN', 4, 9), O('AN', 1, 35)]),
      loop('IK3', 'O', MANY, [
        seg('IK3', 'M', 1, [M('ID', 2, 3), M('N0', 1, 10), undefined, M('ID', 1, 3)]),
        seg('CTX', 'O', 10),
        loop('IK4', 'O', 99, [
          seg('IK4', 'M', 1, [M('AN', 1, 7), undefined, M('ID', 1, 3)]),
          seg('CTX', 'O', 10),
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

export const X12_SET_SCHEMAS: Readonly<Record<string, SetSchema>> = {
  '856': X12_856,
  '214': X12_214,
  '210': X12_210,
  '997': X12_997,
  '999': X12_999,
};
