import segmentTable from 'edifact/segments.js';
import elementTable from 'edifact/elements.js';
import type { Diagnostic, Segment } from './edi-types.js';
import { EdifactSyntaxError } from './edifact-syntax-errors.js';

/*
 * Structural checks of user data segments against the segment and element tables shipped with the
 * `edifact` package (a directory-independent subset: ~45 segments, ~140 elements). Segments it does
 * not know pass unchecked; service segments (UN*) are checked by the reader itself because the
 * package's UNH entry does not follow ISO 9735.
 * Only checks that hold across directories are made: too many elements or components (16), a
 * mandatory element or component missing (13), a value longer than its format (39), and
 * non-numeric data in a numeric component (37).
 */

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

export interface SegmentCheckContext {
  /** Position of the segment in its message, UNH = 1. */
  readonly segmentPosition: number;
}

/** Checks one data segment; returns its problems (empty when fine or when the segment is unknown). */
export function checkEdifactSegment(segment: Segment, context: SegmentCheckContext): Diagnostic[] {
  if (segment.tag.startsWith('UN')) return [];
  const definition = Object.hasOwn(segmentTable, segment.tag) ? segmentTable[segment.tag] : undefined;
  if (definition === undefined) return [];
  const problems: Diagnostic[] = [];
  const base = {
    segmentId: segment.tag,
    segmentPosition: context.segmentPosition,
    offset: segment.offset,
  };
  const present = (components: readonly string[] | undefined): boolean =>
    components !== undefined && components.some((c) => c !== '');

  if (segment.elements.length > definition.elements.length) {
    problems.push({
      ...base,
      severity: 'error',
      level: 'segment',
      code: EdifactSyntaxError.TooManyConstituents,
      rule: 'TOO_MANY_ELEMENTS',
      message: `${segment.tag} has ${segment.elements.length} data elements, at most ${definition.elements.length} allowed`,
      elementPosition: definition.elements.length + 1,
    });
  }
  definition.elements.forEach((elementId, index) => {
    const components = segment.elements[index];
    const elementPosition = index + 1;
    if (!present(components)) {
      if (index < definition.requires) {
        problems.push({
          ...base,
          severity: 'error',
          level: 'element',
          code: EdifactSyntaxError.Missing,
          rule: 'MANDATORY_ELEMENT_MISSING',
          message: `${segment.tag} element ${elementPosition} (${elementId}) is mandatory`,
          elementPosition,
        });
      }
      return;
    }
    const element = Object.hasOwn(elementTable, elementId) ? elementTable[elementId] : undefined;
    if (element === undefined || components === undefined) return;
    if (components.length > element.components.length) {
      problems.push({
        ...base,
        severity: 'error',
        level: 'element',
        code: EdifactSyntaxError.TooManyConstituents,
        rule: 'TOO_MANY_COMPONENTS',
        message: `${segment.tag} element ${elementPosition} (${elementId}) has ${components.length} components, at most ${element.components.length} allowed`,
        elementPosition,
        componentPosition: element.components.length + 1,
      });
    }
    element.components.forEach((formatText, c) => {
      const value = components[c] ?? '';
      const componentPosition = c + 1;
      const at = { ...base, level: 'element' as const, elementPosition, componentPosition };
      if (value === '') {
        if (c < element.requires) {
          problems.push({
            ...at,
            severity: 'error',
            code: EdifactSyntaxError.Missing,
            rule: 'MANDATORY_COMPONENT_MISSING',
            message: `${segment.tag} element ${elementPosition} component ${componentPosition} is mandatory`,
          });
        }
        return;
      }
      const format = parseFormat(formatText);
      if (format === null) return;
      if (format.numeric && !NUMERIC.test(value)) {
        problems.push({
          ...at,
          severity: 'error',
          code: EdifactSyntaxError.InvalidTypeOfCharacters,
          rule: 'NON_NUMERIC_VALUE',
          message: `${segment.tag} element ${elementPosition} component ${componentPosition} must be numeric, got "${value}"`,
        });
        return;
      }
      // Numeric lengths exclude the sign and the decimal mark (ISO 9735 section 10).
      const length = format.numeric ? value.replace(/[-.,]/g, '').length : [...value].length;
      if (length > format.maxLength) {
        problems.push({
          ...at,
          severity: 'error',
          code: EdifactSyntaxError.DataElementTooLong,
          rule: 'VALUE_TOO_LONG',
          message: `${segment.tag} element ${elementPosition} component ${componentPosition} is ${length} long, format ${formatText}`,
        });
      }
    });
  });
  return problems;
}
