/**
 * A tokenized X12 segment kept as its text plus the positions of its element separators; an
 * element becomes a string only when something reads it, and the `elements` arrays only when a
 * reader asks for them. Tokenizing into an array per element allocated ~30 bytes of arrays and
 * strings per input byte, most of it read once by the set validator and never again (ADR 5).
 *
 * The accessors below read any `Segment` (EDIFACT ones and test-built ones are plain objects), so
 * the validators and maps do not care which form they get.
 */
import type { Segment } from './edi-types.js';

/** Repetitions of the few segments that have them (4020+ with a repetition separator in use). */
const REPETITIONS = new WeakMap<X12Segment, ReadonlyMap<number, readonly (readonly string[])[]>>();

/**
 * Element arrays of the segments that have them: split up front (components, repetitions) or made
 * when a reader asks. Kept off the object, which is allocated once per input segment: each field
 * costs 8 bytes on every segment of every file.
 */
const ELEMENTS = new WeakMap<X12Segment, readonly (readonly string[])[]>();

/**
 * Separator positions live in shared pages rather than one typed array per segment: at
 * `page[base]` the element count n, then n + 1 positions (the n separators, then the segment's
 * end), so element k (0-based) is `src.slice(page[base + 1 + k] + 1, page[base + 2 + k])`. `src` is
 * the tokenizer's buffer the segment was read from (positions are the buffer's), so a segment holds
 * no string of its own; `text` cuts one out when asked.
 */
export class X12Segment implements Segment {
  readonly tag: string;
  /** The string the segment's positions refer to (holding other segments too). */
  readonly src: string;
  readonly offset: number;
  readonly index: number;
  readonly #page: Int32Array;
  /** Where the segment's entries start in the page; -1 when it has components or repetitions. */
  readonly #base: number;

  /**
   * The segment sits in `src` from its tag, which ends at the first separator (or at the end), so
   * its start needs no field of its own; a split segment's `src` is its own text.
   */
  constructor(
    tag: string,
    src: string,
    offset: number,
    index: number,
    page: Int32Array,
    base: number,
    split?: {
      readonly elements: readonly (readonly string[])[];
      readonly repetitions: ReadonlyMap<number, readonly (readonly string[])[]> | undefined;
    },
  ) {
    this.tag = tag;
    this.src = src;
    this.offset = offset;
    this.index = index;
    this.#page = page;
    this.#base = split === undefined ? base : -1;
    if (split !== undefined) ELEMENTS.set(this, split.elements);
    if (split?.repetitions !== undefined) REPETITIONS.set(this, split.repetitions);
  }

  /** The segment from its tag to before its terminator, wrapping line breaks and trailing padding removed. */
  get text(): string {
    if (this.#base < 0) return this.src;
    const page = this.#page;
    const base = this.#base;
    // The tag runs from the start to the first separator (to the end when there is none).
    return this.src.slice(page[base + 1]! - this.tag.length, page[base + 1 + page[base]!]!);
  }

  get repetitions(): ReadonlyMap<number, readonly (readonly string[])[]> | undefined {
    return this.#base < 0 ? REPETITIONS.get(this) : undefined;
  }

  get elements(): readonly (readonly string[])[] {
    let out = ELEMENTS.get(this);
    if (out === undefined) {
      const n = this.#page[this.#base]!;
      const made = new Array<string[]>(n);
      for (let k = 0; k < n; k++) made[k] = [this.src.slice(this.start(k), this.end(k))];
      ELEMENTS.set(this, (out = made));
    }
    return out;
  }

  get elementCount(): number {
    return this.#base < 0 ? ELEMENTS.get(this)!.length : this.#page[this.#base]!;
  }

  /** True when element reads can use `start`/`end` on `src` (no components, no repetitions). */
  get simple(): boolean {
    return this.#base >= 0;
  }

  /** Where element `k` (0-based, below `elementCount`) starts in `src`; simple segments only. */
  start(k: number): number {
    return this.#page[this.#base + 1 + k]! + 1;
  }

  /** Where element `k` ends in `src` (exclusive); simple segments only. */
  end(k: number): number {
    return this.#page[this.#base + 2 + k]!;
  }
}

/** How many elements the segment has (trailing empty ones are usually not sent). */
export function elementCount(seg: Segment): number {
  return seg instanceof X12Segment ? seg.elementCount : seg.elements.length;
}

/** Element `i`, component `c` (both 0-based) as sent, untrimmed; '' when absent. */
export function elementText(seg: Segment, i: number, c = 0): string {
  if (seg instanceof X12Segment && seg.simple) {
    if (i < 0 || i >= seg.elementCount || c !== 0) return '';
    return seg.src.slice(seg.start(i), seg.end(i));
  }
  return seg.elements[i]?.[c] ?? '';
}

/** Where an element's first component sits: `src.slice(start, end)`. Callers reuse one object. */
export interface ElementSpan {
  src: string;
  start: number;
  end: number;
}

/** Points `span` at element `i`'s first component (0-based; empty when absent) without copying it. */
export function elementSpan(seg: Segment, i: number, span: ElementSpan): void {
  if (seg instanceof X12Segment && seg.simple) {
    span.src = seg.src;
    if (i >= 0 && i < seg.elementCount) {
      span.start = seg.start(i);
      span.end = seg.end(i);
    } else span.start = span.end = 0;
    return;
  }
  const v = seg.elements[i]?.[0] ?? '';
  span.src = v;
  span.start = 0;
  span.end = v.length;
}

/** Printable ASCII other than space: a value that starts and ends with one has nothing to trim. */
const solid = (ch: number): boolean => ch > 32 && ch < 127;

/** Element `i`, component `c` (0-based) trimmed of whitespace; '' when absent. */
export function elementValue(seg: Segment, i: number, c = 0): string {
  const v = elementText(seg, i, c);
  const n = v.length;
  return n === 0 || (solid(v.charCodeAt(0)) && solid(v.charCodeAt(n - 1))) ? v : v.trim();
}

/** Whether element `i`, component `c` (0-based), trimmed, equals `want`; copies nothing when it can. */
export function elementEquals(seg: Segment, i: number, want: string, c = 0): boolean {
  if (seg instanceof X12Segment && seg.simple && c === 0) {
    if (i < 0 || i >= seg.elementCount) return want === '';
    const text = seg.src;
    const a = seg.start(i);
    const b = seg.end(i);
    if (b > a && solid(text.charCodeAt(a)) && solid(text.charCodeAt(b - 1)))
      return b - a === want.length && text.startsWith(want, a);
  }
  return elementValue(seg, i, c) === want;
}
