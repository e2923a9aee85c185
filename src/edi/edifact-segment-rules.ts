import segmentTable from 'edifact/segments.js';
import elementTable from 'edifact/elements.js';
import type { Diagnostic, Segment } from './edi-types.js';
import { EdifactSyntaxError } from './edifact-syntax-errors.js';

/*
 * Structural checks of user data segments against the segment and element tables shipped with the
 * `edifact` package (a directory-independent subset: ~45 segments, ~140 elements). Segments it does
 * not know pass unchecked; service segments (UN*) are checked by the reader itself because the
 * package's UNH entry does not follow ISO 9735.
 * Lengths and numeric formats follow the message's directory where it differs from the table
 * (DIRECTORY_FORMATS, for the directories our maps write). Checks: too many elements or components (16), a
 * mandatory element or component missing (13), a value longer than its format (39), and
 * non-numeric data in a numeric component (37). Two more need the directory or the syntax: a
 * composite in an element the message's directory has as a simple one (16, see OLD_SIMPLE), and
 * a repetition (syntax 4 `*`) of an element: the package's table marks none as repeating (16, the
 * 0085 code for too many constituents; 35 and 36 count segment and group repetitions).
 */

/**
 * Elements the package table has as composites that directories before D.97B define as simple
 * data elements: BGM 1004 (C106 from D.97B) and NAD 3229 (C819 later). A component there is data
 * the partner's directory has no place for, so it is an error rather than silently dropped.
 */
const OLD_SIMPLE: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  BGM: { 2: '1004' },
  NAD: { 7: '3229' },
};

/** UNH 0052 `D` with a 0054 release before 97B (93A..97A). */
function beforeD97B(version: string, release: string): boolean {
  if (version !== 'D') return false;
  const year = Number(release.slice(0, 2));
  if (!Number.isInteger(year) || year < 90) return false;
  return year < 97 || (year === 97 && release[2] === 'A');
}

interface Format {
  readonly numeric: boolean;
  readonly maxLength: number;
}

const FORMAT = /^(an|a|n)(\.\.)?(\d+)$/;
const formatCache = new Map<string, Format | null>();

function parseFormat(format: string): Format | null {
  let parsed = formatCache.get(format);
  if (parsed === undefined) {
    const match = FORMAT.exec(format);
    parsed = match ? { numeric: match[1] === 'n', maxLength: Number(match[3]) } : null;
    formatCache.set(format, parsed);
  }
  return parsed;
}

const NUMERIC = /^-?\d*(?:[.,]\d*)?$/;

interface ElementDefinition {
  readonly requires: number;
  readonly components: readonly string[];
}

const an35 = 'an..35';

/**
 * Elements the package table lacks: NAD C080 PARTY NAME (five 3036 an..35 and 3045 an..3, the same
 * in D.96A and D.01B; UNTDID EDCD). Without it a party name of any length passed unchecked.
 */
const SUPPLEMENT: Readonly<Record<string, ElementDefinition>> = {
  C080: { requires: 1, components: [an35, an35, an35, an35, an35, 'an..3'] },
  // STS status category, status, status reason: codes an..3; the descriptions at their longest
  // (an..256 in later directories), since only the codes' length is the same in every directory.
  C601: { requires: 1, components: ['an..3', 'an..17', 'an..3'] },
  C555: { requires: 1, components: ['an..3', 'an..17', 'an..3', 'an..256'] },
  C556: { requires: 1, components: ['an..3', 'an..17', 'an..3', 'an..256'] },
  // CNI document/message details (1004 an..35; D.01B adds 1056 and 1060) and item/sequence numbers n..4.
  C503: { requires: 0, components: [an35, 'an..3', 'an..70', 'an..3', 'an..9', 'an..6'] },
  '1490': { requires: 1, components: ['n..4'] },
  '1312': { requires: 1, components: ['n..4'] },
};

/**
 * Segments of our maps the package table lacks (IFTSTA STS and CNI, INVOIC ALC), with the element
 * order of D.96A and D.01B. Mandatory elements are left to the message's own checks (0 here).
 */
const SEGMENT_SUPPLEMENT: Readonly<
  Record<string, { readonly requires: number; readonly elements: readonly string[] }>
> = {
  STS: { requires: 0, elements: ['C601', 'C555', 'C556', 'C556', 'C556', 'C556', 'C556'] },
  CNI: { requires: 0, elements: ['1490', 'C503', '1312'] },
  ALC: { requires: 1, elements: ['5463', 'C552', '4471', '1227', 'C214'] },
};

/**
 * Formats of the directories our maps write where the package table (a later directory) differs,
 * from the UN/EDIFACT element and composite directories (UNTDID EDED/EDCD) of D.96A and D.01B, as
 * EANCOM 1997 (D.96A) and EANCOM 2002 (D.01B) repeat them: in D.96A 5004 Monetary amount is n..18,
 * 6060 Quantity n..15, 6314 Measure n..18, 1154 Reference number an..35, 7008 Item description
 * an..35 and 7164/7166 Hierarchical (parent) id an..12 (lengthened or made alphanumeric from
 * D.99B/D.00A on; CPS an..12 per the D.96B/D.97A segment directory, MOA n..18 and NAD per the
 * EANCOM 1997 segment layouts, MOA n..35 per EANCOM 2002); in
 * both 3251 Postcode identification is an..9 (an..17 only in later directories), 5004 is numeric
 * (n..35 in D.01B) and 6066 Control value n..18.
 */
const DIRECTORY_FORMATS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  D96A: {
    C516: ['an..3', 'n..18', 'an..3', 'an..3', 'an..3'],
    C186: ['an..3', 'n..15', 'an..3'],
    C174: ['an..3', 'n..18', 'n..18', 'n..18', 'n..2'],
    C506: ['an..3', an35, 'an..6', an35, 'an..6'],
    C273: ['an..17', 'an..3', 'an..3', an35, an35, 'an..3'],
    C270: ['an..3', 'n..18', 'an..3'],
    '7164': ['an..12'],
    '7166': ['an..12'],
    '3251': ['an..9'],
  },
  D01B: {
    C516: ['an..3', 'n..35', 'an..3', 'an..3', 'an..3'],
    C270: ['an..3', 'n..18', 'an..3'],
    '3251': ['an..9'],
  },
};

const tables = new Map<string, Readonly<Record<string, ElementDefinition>>>();

/** The element table of a directory (`D96A`): the package table with the supplement and the directory's formats. */
function elementTableOf(directory: string): Readonly<Record<string, ElementDefinition>> {
  let table = tables.get(directory);
  if (table === undefined) {
    const merged: Record<string, ElementDefinition> = { ...elementTable, ...SUPPLEMENT };
    const formats = Object.hasOwn(DIRECTORY_FORMATS, directory) ? DIRECTORY_FORMATS[directory] : undefined;
    for (const [id, components] of Object.entries(formats ?? {}))
      merged[id] = { requires: merged[id]?.requires ?? 0, components };
    table = merged;
    tables.set(directory, table);
  }
  return table;
}

export interface SegmentCheckContext {
  /** Position of the segment in its message, UNH = 1. */
  readonly segmentPosition: number;
  /** UNH message version (0052) and release (0054), e.g. `D` and `96A`, for directory-specific checks. */
  readonly version?: string;
  readonly release?: string;
}

/** Checks one data segment; returns its problems (empty when fine or when the segment is unknown). */
export function checkEdifactSegment(segment: Segment, context: SegmentCheckContext): Diagnostic[] {
  if (segment.tag.startsWith('UN')) return NONE;
  const definition = Object.hasOwn(segmentTable, segment.tag)
    ? segmentTable[segment.tag]
    : Object.hasOwn(SEGMENT_SUPPLEMENT, segment.tag)
      ? SEGMENT_SUPPLEMENT[segment.tag]
      : undefined;
  if (definition === undefined) return NONE;
  // Plain loops and no allocation on the happy path: this runs for every data segment of every message.
  let problems: Diagnostic[] | undefined;
  const report = (problem: Omit<Diagnostic, 'segmentId' | 'segmentPosition' | 'offset'>): void => {
    (problems ??= []).push({
      ...problem,
      segmentId: segment.tag,
      segmentPosition: context.segmentPosition,
      offset: segment.offset,
    });
  };
  const elements = segment.elements;
  const ids = definition.elements;
  if (elements.length > ids.length) {
    report({
      severity: 'error',
      level: 'segment',
      code: EdifactSyntaxError.TooManyConstituents,
      rule: 'TOO_MANY_ELEMENTS',
      message: `${segment.tag} has ${elements.length} data elements, at most ${ids.length} allowed`,
      elementPosition: ids.length + 1,
    });
  }
  const repetitions = segment.repetitions;
  if (repetitions !== undefined) {
    for (const [elementPosition, occurrences] of repetitions) {
      if (elementPosition > ids.length) continue;
      report({
        severity: 'error',
        level: 'element',
        code: EdifactSyntaxError.TooManyConstituents,
        rule: 'ELEMENT_REPEATED',
        message: `${segment.tag} element ${elementPosition} (${ids[elementPosition - 1] as string}) occurs ${occurrences.length} times; it does not repeat`,
        elementPosition,
      });
    }
  }
  const oldSimple = OLD_SIMPLE[segment.tag];
  const table = elementTableOf((context.version ?? '') + (context.release ?? ''));
  for (let index = 0; index < ids.length; index++) {
    const elementId = ids[index] as string;
    const components = elements[index];
    const elementPosition = index + 1;
    if (components === undefined || !present(components)) {
      if (index < definition.requires) {
        report({
          severity: 'error',
          level: 'element',
          code: EdifactSyntaxError.Missing,
          rule: 'MANDATORY_ELEMENT_MISSING',
          message: `${segment.tag} element ${elementPosition} (${elementId}) is mandatory`,
          elementPosition,
        });
      }
      continue;
    }
    const simpleId = components.length > 1 ? oldSimple?.[elementPosition] : undefined;
    if (simpleId !== undefined && beforeD97B(context.version ?? '', context.release ?? '')) {
      report({
        severity: 'error',
        level: 'element',
        code: EdifactSyntaxError.TooManyConstituents,
        rule: 'TOO_MANY_COMPONENTS',
        message: `${segment.tag} element ${elementPosition} (${simpleId}) is a simple data element in ${context.version ?? ''}${context.release ?? ''}; it has ${components.length} components`,
        elementPosition,
        componentPosition: 2,
      });
      continue;
    }
    const element = Object.hasOwn(table, elementId) ? table[elementId] : undefined;
    if (element === undefined) continue;
    const formats = element.components;
    if (components.length > formats.length) {
      report({
        severity: 'error',
        level: 'element',
        code: EdifactSyntaxError.TooManyConstituents,
        rule: 'TOO_MANY_COMPONENTS',
        message: `${segment.tag} element ${elementPosition} (${elementId}) has ${components.length} components, at most ${formats.length} allowed`,
        elementPosition,
        componentPosition: formats.length + 1,
      });
    }
    for (let c = 0; c < formats.length; c++) {
      const value = components[c] ?? '';
      const componentPosition = c + 1;
      if (value === '') {
        if (c < element.requires) {
          report({
            severity: 'error',
            level: 'element',
            code: EdifactSyntaxError.Missing,
            rule: 'MANDATORY_COMPONENT_MISSING',
            message: `${segment.tag} element ${elementPosition} component ${componentPosition} is mandatory`,
            elementPosition,
            componentPosition,
          });
        }
        continue;
      }
      const formatText = formats[c] as string;
      const format = parseFormat(formatText);
      if (format === null) continue;
      if (format.numeric && !NUMERIC.test(value)) {
        report({
          severity: 'error',
          level: 'element',
          code: EdifactSyntaxError.InvalidTypeOfCharacters,
          rule: 'NON_NUMERIC_VALUE',
          message: `${segment.tag} element ${elementPosition} component ${componentPosition} must be numeric, got "${value}"`,
          elementPosition,
          componentPosition,
        });
        continue;
      }
      if (value.length <= format.maxLength) continue;
      // Numeric lengths exclude the sign and the decimal mark (ISO 9735 section 10); text counts characters.
      const length = format.numeric ? value.replace(/[-.,]/g, '').length : [...value].length;
      if (length > format.maxLength) {
        report({
          severity: 'error',
          level: 'element',
          code: EdifactSyntaxError.DataElementTooLong,
          rule: 'VALUE_TOO_LONG',
          message: `${segment.tag} element ${elementPosition} component ${componentPosition} is ${length} long, format ${formatText}`,
          elementPosition,
          componentPosition,
        });
      }
    }
  }
  return problems ?? NONE;
}

const NONE: Diagnostic[] = [];

function present(components: readonly string[]): boolean {
  for (const c of components) if (c !== '') return true;
  return false;
}
