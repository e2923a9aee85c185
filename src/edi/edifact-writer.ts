import { CONTROL_CHARACTER, CONTROL_CHARACTERS } from './edi-character-sets.js';
import type { Delimiters, Diagnostic } from './edi-types.js';

/*
 * Writes EDIFACT text from segments: the tokenizer's inverse. Data containing a delimiter or the
 * release character is escaped with the release character; trailing empty components and elements
 * are dropped (ISO 9735 forbids trailing separators, syntax error 45). A control character
 * (CR, LF, TAB, C1) is in no syntax level's repertoire and would split or corrupt the segment for
 * a reader: it is written as a space, with a warning.
 */

/** An element is a simple value or its list of components; `undefined`/'' is an empty element. */
export type EdifactOutElement = string | readonly string[] | undefined;

export interface EdifactOutSegment {
  readonly tag: string;
  readonly elements: readonly EdifactOutElement[];
  /** Element position (1-based) → all its repetitions (syntax 4 only); replaces `elements[position - 1]`. */
  readonly repetitions?: ReadonlyMap<number, readonly (readonly string[])[]>;
}

export const DEFAULT_EDIFACT_DELIMITERS: Delimiters = {
  component: ':',
  element: '+',
  decimal: '.',
  release: '?',
  segment: "'",
};

/**
 * The delimiters to write an interchange of this syntax version with. Syntax 4 readers split
 * elements on the repetition separator (`*` by default, ISO 9735-1 version 4), so a value holding
 * `*` must be released there; written with a UNA, since the delimiters are no longer version 3's.
 */
export function edifactDelimitersFor(syntaxVersion: string): Delimiters {
  return syntaxVersion === '4'
    ? { ...DEFAULT_EDIFACT_DELIMITERS, repetition: '*' }
    : DEFAULT_EDIFACT_DELIMITERS;
}

export interface EdifactWriteOptions {
  /** Defaults to `:+.? '`. */
  readonly delimiters?: Delimiters;
  /**
   * Write the UNA service string advice first. `auto` (default) writes it when the delimiters
   * differ from the defaults or a repetition separator is set.
   */
  readonly serviceStringAdvice?: boolean | 'auto';
  /** Written after each segment terminator, e.g. "\n" for one segment per line. */
  readonly segmentSuffix?: string;
  /** Receives a warning for each element whose control characters were replaced by spaces. */
  readonly diagnostics?: Diagnostic[];
}

/** `value` with its control characters (other than delimiters) as spaces, and a warning when any. */
function withoutControls(
  value: string,
  delimiters: Delimiters,
  tag: string,
  elementPosition: number,
  diagnostics: Diagnostic[] | undefined,
): string {
  if (!CONTROL_CHARACTER.test(value)) return value;
  const delimiterChars = [
    delimiters.component,
    delimiters.element,
    delimiters.segment,
    delimiters.repetition,
  ];
  const cleaned = value.replace(CONTROL_CHARACTERS, (c) => (delimiterChars.includes(c) ? c : ' '));
  if (cleaned !== value && diagnostics) {
    diagnostics.push({
      severity: 'warning',
      level: 'element',
      code: '6',
      rule: 'CONTROL_CHARACTER_REPLACED',
      message: `${tag} element ${elementPosition} contains a control character (line break, tab); written as a space`,
      segmentId: tag,
      elementPosition,
    });
  }
  return cleaned;
}

const escapers = new WeakMap<Delimiters, (value: string) => string>();

/** One escaping function per delimiter set, built once: renderEdifact calls it for every component. */
function escaper(delimiters: Delimiters): (value: string) => string {
  let escape = escapers.get(delimiters);
  if (escape === undefined) {
    escape = buildEscaper(delimiters);
    escapers.set(delimiters, escape);
  }
  return escape;
}

function buildEscaper(delimiters: Delimiters): (value: string) => string {
  const specials = [
    delimiters.component,
    delimiters.element,
    delimiters.segment,
    delimiters.release ?? '',
    delimiters.repetition ?? '',
  ].filter((c) => c !== '');
  const pattern = new RegExp(`[${specials.map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('')}]`, 'g');
  const release = delimiters.release;
  // Without a release character (syntax level B defaults) a delimiter in data cannot be written; it is dropped.
  return (value) => {
    pattern.lastIndex = 0;
    return pattern.test(value) ? value.replace(pattern, (c) => (release ? release + c : '')) : value;
  };
}

function trimTrailingEmpty<T>(items: readonly T[], isEmpty: (item: T) => boolean): readonly T[] {
  let end = items.length;
  while (end > 0 && isEmpty(items[end - 1] as T)) end--;
  return end === items.length ? items : items.slice(0, end);
}

const componentsOf = (element: EdifactOutElement): readonly string[] =>
  element === undefined ? [] : typeof element === 'string' ? [element] : element;

/** Renders one segment without its terminator. */
export function renderEdifactSegment(
  segment: EdifactOutSegment,
  delimiters: Delimiters = DEFAULT_EDIFACT_DELIMITERS,
  diagnostics?: Diagnostic[],
): string {
  const escape = escaper(delimiters);
  const renderComponents = (components: readonly string[], index: number): string =>
    trimTrailingEmpty(components, (c) => c === '')
      .map((c) => escape(withoutControls(c, delimiters, segment.tag, index + 1, diagnostics)))
      .join(delimiters.component);
  const elements = segment.elements.map((element, index) => {
    const repetitions = segment.repetitions?.get(index + 1);
    if (repetitions !== undefined && delimiters.repetition) {
      return repetitions.map((r) => renderComponents(r, index)).join(delimiters.repetition);
    }
    return renderComponents(componentsOf(element), index);
  });
  const kept = trimTrailingEmpty(elements, (e) => e === '');
  return kept.length === 0 ? segment.tag : segment.tag + delimiters.element + kept.join(delimiters.element);
}

/** The UNA service string advice for these delimiters. */
export function renderServiceStringAdvice(delimiters: Delimiters): string {
  return (
    'UNA' +
    delimiters.component +
    delimiters.element +
    (delimiters.decimal ?? '.') +
    (delimiters.release ?? ' ') +
    (delimiters.repetition ?? ' ') +
    delimiters.segment
  );
}

function isDefault(delimiters: Delimiters): boolean {
  const d = DEFAULT_EDIFACT_DELIMITERS;
  return (
    delimiters.component === d.component &&
    delimiters.element === d.element &&
    delimiters.segment === d.segment &&
    delimiters.release === d.release &&
    (delimiters.decimal ?? '.') === '.' &&
    delimiters.repetition === undefined
  );
}

/** Renders segments as EDIFACT text. */
export function renderEdifact(
  segments: Iterable<EdifactOutSegment>,
  options: EdifactWriteOptions = {},
): string {
  const delimiters = options.delimiters ?? DEFAULT_EDIFACT_DELIMITERS;
  const suffix = options.segmentSuffix ?? '';
  const una = options.serviceStringAdvice ?? 'auto';
  const parts: string[] = [];
  if (una === true || (una === 'auto' && !isDefault(delimiters))) {
    parts.push(renderServiceStringAdvice(delimiters) + suffix);
  }
  for (const segment of segments)
    parts.push(renderEdifactSegment(segment, delimiters, options.diagnostics) + delimiters.segment + suffix);
  return parts.join('');
}
