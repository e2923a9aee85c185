/**
 * Streaming X12 tokenizer. Delimiters come from each ISA (they may change between interchanges in
 * one file). It accepts what real partner files do: newline/CRLF or multi-byte segment terminators,
 * whitespace and line breaks after terminators, files hard-wrapped at fixed columns (even inside the
 * ISA), spaces before the terminator, and trimmed (not fixed-width) ISAs, which it flags so the
 * envelope reader can reject them with TA1 024 or accept them leniently.
 *
 * The core is synchronous (`push`/`end` return tokens) so a reader can drive it from a chunk loop
 * without an await per segment; `tokenizeX12` wraps it as an async iterable.
 */
import { isAscii } from 'node:buffer';
import { quotedText, textAfterTrailer } from './edi-diagnostic.js';
import type { Delimiters, Diagnostic, Segment } from './edi-types.js';
import { X12Segment } from './x12-segment.js';

export interface IsaInfo {
  readonly delimiters: Delimiters;
  /** True when the ISA is the standard 106 fixed-width characters. */
  readonly fixedWidth: boolean;
}

export type X12Token =
  | { readonly type: 'segment'; readonly segment: Segment }
  | { readonly type: 'isa'; readonly segment: Segment; readonly isa: IsaInfo }
  | { readonly type: 'diagnostic'; readonly diagnostic: Diagnostic };

/** Element-separator positions of a fixed-width ISA (EDI-RULES.md). */
const ISA_SEPARATOR_POSITIONS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];

/** Int32 slots per separator page: a few thousand segments' worth. */
const PAGE_SIZE = 16 * 1024;

const NON_ASCII = /[\u0080-\uffff]/;
const CTRL_Z = 0x1a;
const NUL = '\u0000';
const isLineBreak = (c: string): boolean => c === '\n' || c === '\r';
/** Space, tab, CR, LF, FF, VT, NUL: what may sit between segments. */
const isBlankCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0;

export class X12Tokenizer {
  private buf = '';
  private pos = 0;
  /**
   * buf[pos, clearTo) holds no segment terminator: it was searched before more input came. The
   * next search starts there, so a segment arriving in many chunks is searched once, not once per
   * chunk (a 20 MB element took two minutes).
   */
  private clearTo = 0;
  /** Offset (bytes) of buf[0] in the input. */
  private base: number;
  private ascii = true;
  /** The decoder read the input as Windows-1252: one byte per character, whatever the character. */
  private singleByte = false;
  private index: number;

  /** `origin`: where the text starts in a longer input (byte offset, segments before it). */
  constructor(origin?: { readonly offset: number; readonly index: number }) {
    this.base = origin?.offset ?? 0;
    this.index = origin?.index ?? 0;
  }

  /** Segments tokenized so far, counting those before the origin. */
  get segmentCount(): number {
    return this.index;
  }
  private delimiters: Delimiters | undefined;
  /** The delimiters of the last interchange read, to tell its segments from text after its IEA. */
  private lastDelimiters: Delimiters | undefined;
  private newlineTerminator = false;
  /**
   * Data where an ISA was expected, reported once it ends (at the next ISA or the end of input):
   * where it starts, the first characters to quote, and whether it holds segments.
   */
  private junk: { offset: number; head: string; characters: number; segments: boolean } | undefined;

  /**
   * Appends decoded text; take the tokens with `next()`. `ascii` is the decoder's word that the
   * text is 7-bit (it has already checked the bytes), which spares a scan of every chunk;
   * `singleByte`, that it decodes the input as Windows-1252, so byte offsets count characters.
   */
  append(text: string, ascii?: boolean, singleByte?: boolean): void {
    if (this.ascii && ascii !== true && NON_ASCII.test(text)) this.ascii = false;
    if (singleByte === true) this.singleByte = true;
    if (this.inOpenSegment() && !this.endsSegment(text)) {
      this.parts.push(text);
      return;
    }
    this.extend(text);
  }

  /**
   * Text that came while a segment was still open, and holds no terminator: joined once one comes.
   * Appending each slice to the buffer made V8 copy the whole open segment per slice (a string
   * searched is flattened first), quadratic in the segment's length.
   */
  private readonly parts: string[] = [];

  /** Whether the last search found no terminator in the rest of the buffer (a segment is open). */
  private inOpenSegment(): boolean {
    const d = this.delimiters;
    // A terminator of several characters could straddle two slices: those take the plain path.
    if (d === undefined || (!this.newlineTerminator && d.segment.length !== 1)) return false;
    return this.clearTo > this.pos && this.clearTo >= this.buf.length;
  }

  private endsSegment(text: string): boolean {
    if (this.newlineTerminator) return text.includes('\n') || text.includes('\r');
    return text.includes(this.delimiters!.segment);
  }

  /** Adds `text`, after any held parts, to the buffer, dropping what was already read. */
  private extend(text: string): void {
    if (this.parts.length > 0) {
      this.parts.push(text);
      text = this.parts.join('');
      this.parts.length = 0;
    }
    const dropped = this.pos;
    if (dropped > 0) {
      this.base += this.byteLength(dropped);
      this.buf = this.buf.slice(dropped) + text;
    } else this.buf += text;
    this.pos = 0;
    this.clearTo = this.clearTo > dropped ? this.clearTo - dropped : 0;
    this.crAt = -1;
    this.lfAt = -1;
    this.componentAt = -1;
    this.repetitionAt = -1;
    this.nulAt = -1;
    this.markIdx = 0;
    this.markBytes = 0;
  }

  /**
   * The next complete token, or undefined when more input is needed (or, with `final`, when the
   * input is exhausted). Pulling one token at a time keeps tokens short-lived: collecting a whole
   * chunk's worth first made them survive young-generation GC and cost more than tokenizing.
   */
  next(final = false): X12Token | undefined {
    const t = this.pull(final);
    return t instanceof X12Segment ? { type: 'segment', segment: t } : t;
  }

  /** Like `next`, but a plain segment comes as itself rather than wrapped in a token. */
  pull(final = false): X12Token | X12Segment | undefined {
    if (this.queue.length > 0) return this.queue.shift();
    if (final && this.parts.length > 0) this.extend('');
    return this.drain(this.queue, final);
  }

  private readonly queue: (X12Token | X12Segment)[] = [];

  /** Appends text and returns every token complete so far (tests and small inputs). */
  push(text: string): X12Token[] {
    this.append(text);
    const out: X12Token[] = [];
    for (let t = this.next(); t; t = this.next()) out.push(t);
    return out;
  }

  /** Signals end of input and returns whatever is left. */
  end(): X12Token[] {
    const out: X12Token[] = [];
    for (let t = this.next(true); t; t = this.next(true)) out.push(t);
    return out;
  }

  // Byte offsets for non-ASCII input are computed incrementally from a moving mark, because
  // measuring from the start of the buffer per segment would be quadratic.
  private markIdx = 0;
  private markBytes = 0;

  private byteLength(chars: number): number {
    if (this.ascii || this.singleByte) return chars;
    if (chars < this.markIdx) return Buffer.byteLength(this.buf.slice(0, chars));
    this.markBytes += Buffer.byteLength(this.buf.slice(this.markIdx, chars));
    this.markIdx = chars;
    return this.markBytes;
  }

  private offsetOf(i: number): number {
    return this.base + this.byteLength(i);
  }

  /**
   * Returns the next token; any that come with it (a diagnostic before its segment) wait in `out`.
   * The common case, one segment, is returned without passing through the queue.
   */
  private drain(out: (X12Token | X12Segment)[], final: boolean): X12Token | X12Segment | undefined {
    for (;;) {
      if (out.length > 0) return out.shift();
      const b = this.buf;
      let p = this.pos;
      // Blanks inside skipped data are part of what its diagnostic quotes.
      if (this.junk === undefined) while (p < b.length && isBlankCode(b.charCodeAt(p))) p++;
      this.pos = p;
      if (p >= b.length) {
        if (final) this.endJunk(out);
        return out.shift();
      }
      if (!this.delimiters) {
        if (!this.readIsa(out, final)) return out.shift();
        continue;
      }
      const d = this.delimiters;
      let end: number;
      let next: number;
      const searchFrom = this.clearTo > p ? this.clearTo : p;
      if (this.newlineTerminator) {
        end = b.indexOf('\n', searchFrom);
        const cr = b.indexOf('\r', searchFrom);
        if (cr !== -1 && (end === -1 || cr < end)) end = cr;
        next = end + 1;
      } else {
        end = b.indexOf(d.segment, searchFrom);
        next = end + d.segment.length;
      }
      if (end === -1) {
        if (!final) {
          // A terminator of several characters may have begun at the end of what came.
          const tail = this.newlineTerminator ? 0 : d.segment.length - 1;
          this.clearTo = Math.max(p, b.length - tail);
          return out.shift();
        }
        end = b.length;
        next = b.length;
        // A DOS end-of-file mark (Ctrl-Z) right after the last segment is not its data.
        while (end > p && (b.charCodeAt(end - 1) === 0x1a || isBlankCode(b.charCodeAt(end - 1)))) end--;
        if (end === p) {
          this.pos = next;
          continue;
        }
        out.push({
          type: 'diagnostic',
          diagnostic: {
            severity: 'warning',
            level: 'segment',
            code: '024',
            rule: 'MISSING_SEGMENT_TERMINATOR',
            message: 'input ends without a segment terminator',
            offset: this.offsetOf(p),
          },
        });
      }
      // The segment is read where it sits in the buffer: no string of its own.
      let src = b;
      let from = p;
      let to = end;
      // Hard-wrapped files put line breaks anywhere; X12 data can hold none, so they are removed.
      if (!this.newlineTerminator && this.lineBreakBefore(p, end)) {
        src = b.slice(p, end).replace(/[\r\n]+/g, '');
        from = 0;
        to = src.length;
      }
      // A space before the terminator is padding, not data.
      while (to > from && (src.charCodeAt(to - 1) === 32 || src.charCodeAt(to - 1) === 9)) to--;
      const segment = to > from ? this.segment(src, from, to, d, this.offsetOf(p)) : undefined;
      this.pos = next;
      if (segment) {
        if (segment.tag === 'IEA') {
          this.lastDelimiters = d;
          this.delimiters = undefined;
        }
        if (out.length === 0) return segment;
        out.push(segment);
      }
    }
  }

  // The next CR and LF at or after a position of `buf` (buf.length: none), found once per position
  // passed: in a file without CRs that is one search per appended chunk, not one per segment.
  private crAt = -1;
  private lfAt = -1;

  /** Whether a line break sits in buf[from, to). */
  private lineBreakBefore(from: number, to: number): boolean {
    const b = this.buf;
    if (this.lfAt < from) {
      const i = b.indexOf('\n', from);
      this.lfAt = i === -1 ? b.length : i;
    }
    if (this.crAt < from) {
      const i = b.indexOf('\r', from);
      this.crAt = i === -1 ? b.length : i;
    }
    return this.lfAt < to || this.crAt < to;
  }

  /** Separator positions of the segments being tokenized (see X12Segment). */
  private page = new Int32Array(PAGE_SIZE);
  private pageUsed = 0;

  /**
   * Records where the element separators of `src[from, to)` are; elements are cut out only when
   * read. Positions are `src`'s, so a segment needs no string of its own (see X12Segment).
   */
  private segment(src: string, from: number, to: number, d: Delimiters, offset: number): X12Segment {
    if (this.pageUsed + (to - from) + 2 > this.page.length) {
      // Segments already handed on keep the old page; a long segment gets a page of its own.
      this.page = new Int32Array(Math.max(PAGE_SIZE, to - from + 2));
      this.pageUsed = 0;
    }
    const page = this.page;
    const base = this.pageUsed;
    // indexOf walks: a charCodeAt loop over the text measured about three times slower.
    const sep = d.element;
    let count = 0;
    for (let i = src.indexOf(sep, from); i !== -1 && i < to; i = src.indexOf(sep, i + 1))
      page[base + 1 + count++] = i;
    // A NUL (U+0000) is in no X12 character set and cannot be stored: a segment holding one is split
    // like one with components, so the set validator sees its elements and reports the character.
    const split =
      count > 0 &&
      (this.nextIn(src, d.component, from, to) ||
        (d.repetition !== undefined && this.nextIn(src, d.repetition, from, to)) ||
        this.nextIn(src, NUL, from, to));
    page[base] = count;
    page[base + 1 + count] = to;
    this.pageUsed = base + count + 2;
    this.index += 1;
    const tag = count === 0 ? src.slice(from, to) : internTag(src, from, page[base + 1]!);
    if (!split) return new X12Segment(tag, src, offset, this.index, page, base);
    const text = src.slice(from, to);
    return new X12Segment(tag, text, offset, this.index, page, base, splitElements(text, d));
  }

  // Where the component and repetition separators next occur in `buf` at or after a position
  // (buf.length: nowhere), found once per position passed, as for line breaks: searching the buffer
  // from each segment would scan to its end for separators that most files never use.
  private componentAt = -1;
  private repetitionAt = -1;
  private nulAt = -1;

  /** Whether `sep` (the component or repetition separator, or NUL) occurs in `src[from, to)`. */
  private nextIn(src: string, sep: string, from: number, to: number): boolean {
    if (src !== this.buf) return src.slice(from, to).includes(sep);
    const which = sep === NUL ? 2 : sep === this.delimiters?.component ? 0 : 1;
    let at = which === 0 ? this.componentAt : which === 1 ? this.repetitionAt : this.nulAt;
    if (at < from) {
      const i = src.indexOf(sep, from);
      at = i === -1 ? src.length : i;
      if (which === 0) this.componentAt = at;
      else if (which === 1) this.repetitionAt = at;
      else this.nulAt = at;
    }
    return at < to;
  }

  /**
   * Reads an ISA at `pos`. Line breaks inside the first 105 characters are wrapping and are skipped;
   * if the separators are not at their fixed positions the ISA was trimmed and is read by splitting.
   * Returns false when more input is needed.
   */
  private readIsa(out: (X12Token | X12Segment)[], final: boolean): boolean {
    const b = this.buf;
    const start = this.pos;
    if (b.charCodeAt(start) === CTRL_Z) {
      // A DOS end-of-file mark (Ctrl-Z) after the last interchange ends the input, when only
      // blanks (or more marks) follow it; anywhere else it is data outside an interchange.
      let j = start;
      while (j < b.length && (b.charCodeAt(j) === CTRL_Z || isBlankCode(b.charCodeAt(j)))) j++;
      if (j === b.length) {
        if (!final) return false;
        this.endJunk(out);
        out.push({
          type: 'diagnostic',
          diagnostic: {
            severity: 'info',
            level: 'interchange',
            code: '000',
            rule: 'DOS_END_OF_FILE',
            message: 'Ctrl-Z (DOS end-of-file mark) after the last interchange; taken as the end of input',
            offset: this.offsetOf(start),
          },
        });
        this.pos = b.length;
        return false;
      }
    }
    const tag = isaTagAt(b, start);
    if (tag === 'more' && !final) return false;
    if (tag !== true) {
      // Not an ISA where one must be: skip to the next one (or the end), and say so when it ends.
      const nextIsa = b.indexOf('ISA', start + 1);
      // Without a next ISA, the last two characters may begin one.
      const end = nextIsa !== -1 ? nextIsa : final ? b.length : Math.max(start, b.length - 2);
      this.noteJunk(b, start, end);
      this.pos = end;
      if (nextIsa === -1) {
        if (final) this.endJunk(out);
        return false;
      }
      return true;
    }
    this.endJunk(out);
    // Collect 106 significant characters (line breaks inside are wrapping), remembering raw positions.
    let chars = '';
    let i = start;
    while (i < b.length && chars.length < 105) {
      const c = b[i]!;
      if (!isLineBreak(c)) chars += c;
      i++;
    }
    if (chars.length < 105 || i >= b.length) {
      if (!final) return false;
    }
    const elementSep = chars[3] ?? '*';
    const fixedWidth =
      chars.length >= 105 && ISA_SEPARATOR_POSITIONS.every((p) => chars[p] === elementSep) && i < b.length;
    let elements: string[];
    let component: string;
    let segmentTerm: string;
    let after: number;
    if (fixedWidth) {
      component = chars[104]!;
      const term = terminatorAt(b, i);
      if (term === 'more' && !final) return false;
      if (term !== 'more') i = term;
      segmentTerm = b[i]!;
      after = i + 1;
      // A multi-byte terminator arrives as one UTF-16 unit or a surrogate pair; CRLF counts as newline.
      if (segmentTerm >= '\ud800' && segmentTerm <= '\udbff' && i + 1 < b.length) {
        segmentTerm += b[i + 1]!;
        after = i + 2;
      }
      elements = chars.slice(4, 103).split(elementSep);
      elements.push(component);
    } else {
      // Trimmed ISA: split on the element separator; ISA16 is the single character after the 16th.
      const r = this.readTrimmedIsa(start, elementSep, final);
      if (r === 'more') return false;
      if (!r) {
        out.push({
          type: 'diagnostic',
          diagnostic: {
            severity: 'error',
            level: 'interchange',
            code: '024',
            rule: 'ISA_UNREADABLE',
            message: 'ISA segment cannot be read (no 16 elements and terminator)',
            offset: this.offsetOf(start),
            segmentId: 'ISA',
          },
        });
        this.pos = b.length;
        return false;
      }
      ({ elements, component, segmentTerm, after } = r);
    }
    if (segmentTerm === '\r') segmentTerm = '\n';
    this.newlineTerminator = segmentTerm === '\n';
    const version = (elements[11] ?? '').trim();
    const repCandidate = elements[10] ?? '';
    // ISA11 is a separator only from 4020 on; in 4010 it is the standards id `U`.
    const repetition =
      version >= '00402' && repCandidate.length === 1 && !/[A-Za-z0-9 ]/.test(repCandidate)
        ? repCandidate
        : undefined;
    const delimiters: Delimiters = repetition
      ? { element: elementSep, component, repetition, segment: segmentTerm }
      : { element: elementSep, component, segment: segmentTerm };
    this.index += 1;
    const segment: Segment = {
      tag: 'ISA',
      elements: elements.map((e) => [e]),
      offset: this.offsetOf(start),
      index: this.index,
    };
    this.delimiters = delimiters;
    // Separator positions found for the previous interchange's delimiters no longer hold.
    this.componentAt = -1;
    this.repetitionAt = -1;
    this.pos = after;
    out.push({ type: 'isa', segment, isa: { delimiters, fixedWidth } });
    return true;
  }

  /** Adds buf[from, to) to the data outside an interchange being skipped. */
  private noteJunk(b: string, from: number, to: number): void {
    const junk = (this.junk ??= { offset: this.offsetOf(from), head: '', characters: 0, segments: false });
    if (junk.head.length < 99) junk.head += b.slice(from, Math.min(to, from + 99 - junk.head.length));
    junk.characters += to - from;
    if (!junk.segments && this.lastDelimiters)
      junk.segments = holdsSegments(b.slice(from, to), this.lastDelimiters);
  }

  /**
   * Reports the data skipped outside an interchange: an error when it holds segments (documents no
   * ISA/IEA carries, which no ack answers), a warning when it is text (see textAfterTrailer).
   */
  private endJunk(out: (X12Token | X12Segment)[]): void {
    const junk = this.junk;
    if (junk === undefined) return;
    this.junk = undefined;
    const text = junk.head.trimEnd();
    out.push({
      type: 'diagnostic',
      diagnostic: junk.segments
        ? {
            severity: 'error',
            level: 'interchange',
            code: '024',
            rule: 'DATA_OUTSIDE_INTERCHANGE',
            message: `segments outside any interchange (no ISA before them) were not read and no acknowledgement answers them: ${quotedText(text, junk.characters)}`,
            offset: junk.offset,
          }
        : textAfterTrailer('IEA', text, junk.characters, junk.offset, '024'),
    });
  }

  private readTrimmedIsa(
    start: number,
    sep: string,
    final: boolean,
  ): { elements: string[]; component: string; segmentTerm: string; after: number } | undefined | 'more' {
    const b = this.buf;
    let count = 0;
    let i = start;
    const elements: string[] = [];
    let cur = '';
    // Past `ISA` and the first separator, which a wrap may have split.
    for (let tagChars = 0; i < b.length && tagChars < 4; i++) if (!isLineBreak(b[i]!)) tagChars++;
    count = 1;
    for (; i < b.length && count < 16; i++) {
      const c = b[i]!;
      if (isLineBreak(c)) continue;
      if (c === sep) {
        elements.push(cur);
        cur = '';
        count++;
      } else cur += c;
      if (i - start > 400) return undefined;
    }
    elements.push(cur);
    if (count < 16) return final ? undefined : 'more';
    // i is at ISA16 (skip wrapping line breaks), then the terminator.
    while (i < b.length && isLineBreak(b[i]!)) i++;
    if (i + 1 >= b.length) return final ? undefined : 'more';
    const component = b[i]!;
    let t = terminatorAt(b, i + 1);
    if (t === 'more') {
      if (!final) return 'more';
      t = i + 1;
    }
    let segmentTerm = b[t]!;
    let after = t + 1;
    if (segmentTerm >= '\ud800' && segmentTerm <= '\udbff' && t + 1 < b.length) {
      segmentTerm += b[t + 1]!;
      after = t + 2;
    }
    return { elements, component, segmentTerm, after };
  }
}

/**
 * Whether text outside an interchange holds X12 segments: a tag (two or three letters and digits)
 * followed by an element separator, at its start or after a terminator or line break. The
 * separator is the last interchange's, or any other character that comes back later on the line:
 * the next interchange may use its own (`IXA|00|…`, an ISA damaged in transit). Text such as a mail
 * footer has none ("Re: order 5" has one colon); a GS or ST there is part of an interchange whose
 * ISA is lost.
 */
function holdsSegments(text: string, d: Delimiters): boolean {
  for (const part of text.split(d.segment)) {
    for (const line of part.split(/[\r\n]+/)) {
      const m = SEGMENT_START.exec(line);
      if (m === null) continue;
      const separator = m[2]!;
      if (separator === d.element || line.includes(separator, m[0].length)) return true;
    }
  }
  return false;
}

/** A segment tag at the start of a line, and the character after it. */
const SEGMENT_START = /^\s*([A-Z][A-Z0-9]{1,2})([^A-Za-z0-9\s])/;

/**
 * Whether `b` holds the tag `ISA` at `start`, line breaks skipped (a wrapped file can split the tag:
 * `IS` at the end of one line, `A*00*…` on the next); 'more' when the text ends first.
 */
function isaTagAt(b: string, start: number): boolean | 'more' {
  let n = 0;
  for (let i = start; i < b.length; i++) {
    const c = b[i]!;
    if (isLineBreak(c)) continue;
    if (c !== 'ISA'[n]) return false;
    if (++n === 3) return true;
  }
  return 'more';
}

/**
 * Where the segment terminator of a fixed-width ISA is, given `i`, the position just after ISA16.
 * A line break there is either the terminator itself or a wrap that fell right after ISA16 (a
 * file wrapped at 105 columns, or one whose next ISA landed so): after a newline terminator comes
 * the next segment's tag, a letter or digit (maybe indented), while after a wrap comes the
 * terminator, which is never one (it must differ from the data). 'more' when the text ends inside the line breaks.
 */
function terminatorAt(b: string, i: number): number | 'more' {
  if (i >= b.length || !isLineBreak(b[i]!)) return i;
  let j = i;
  while (j < b.length && isLineBreak(b[j]!)) j++;
  // Lines after a newline terminator may be indented.
  let k = j;
  while (k < b.length && (b[k] === ' ' || b[k] === '\t')) k++;
  if (k >= b.length) return 'more';
  return isAlphanumeric(b.charCodeAt(k)) ? i : j;
}

const isAlphanumeric = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Elements of a segment that has components or repetitions, as arrays (the tag left out). Only
 * values that hold a separator are split.
 */
function splitElements(
  text: string,
  d: Delimiters,
): { elements: string[][]; repetitions: Map<number, string[][]> | undefined } {
  const parts = text.split(d.element);
  const n = parts.length - 1;
  const elements: string[][] = new Array<string[]>(n);
  const rep = d.repetition;
  let repetitions: Map<number, string[][]> | undefined;
  for (let i = 1; i <= n; i++) {
    const v = parts[i]!;
    if (rep !== undefined && v.includes(rep)) {
      const reps = v.split(rep).map((r) => (r.includes(d.component) ? r.split(d.component) : [r]));
      elements[i - 1] = reps[0]!;
      repetitions ??= new Map();
      repetitions.set(i, reps);
    } else elements[i - 1] = v.includes(d.component) ? v.split(d.component) : [v];
  }
  return { elements, repetitions };
}

/** Segment tags by their base-37 code: the same few tags recur, so each is one shared string. */
const TAGS = new Array<string | undefined>(37 * 37 * 37).fill(undefined);
const BASE37 = new Uint8Array(128);
for (let ch = 48; ch <= 57; ch++) BASE37[ch] = ch - 47;
for (let ch = 65; ch <= 90; ch++) BASE37[ch] = ch - 54;

function internTag(src: string, from: number, end: number): string {
  const n = end - from;
  if (n < 2 || n > 3) return src.slice(from, end);
  const a = src.charCodeAt(from);
  const b = src.charCodeAt(from + 1);
  const c = n === 3 ? src.charCodeAt(from + 2) : 0;
  if ((a | b | c) >= 128) return src.slice(from, end);
  const da = BASE37[a]!;
  const db = BASE37[b]!;
  const dc = BASE37[c]!;
  if (da === 0 || db === 0 || (n === 3 && dc === 0)) return src.slice(from, end);
  const code = (da * 37 + db) * 37 + dc;
  return (TAGS[code] ??= src.slice(from, end));
}

/** Async form: text or bytes in (UTF-8; bytes that are not valid UTF-8 are decoded as Windows-1252), tokens out. */
export async function* tokenizeX12(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<X12Token> {
  const t = new X12Tokenizer();
  const decoder = new StreamDecoder();
  for await (const chunk of input) {
    t.append(decoder.write(chunk), decoder.lastWasAscii, decoder.singleByte);
    for (let tok = t.next(); tok; tok = t.next()) yield tok;
  }
  t.append(decoder.end());
  for (let tok = t.next(true); tok; tok = t.next(true)) yield tok;
}

/**
 * UTF-8 stream decoding that falls back to Windows-1252 for the whole stream as soon as a chunk is
 * not valid UTF-8 (partners send both; X12 itself is ASCII). Windows-1252, not Latin-1: 0x80 is
 * the euro sign, 0x92 a right quote. ASCII chunks, by far the common case, skip both decoders:
 * `isAscii` and a latin1 copy are several times faster.
 */
export class StreamDecoder {
  private utf8 = new TextDecoder('utf-8', { fatal: true });
  private cp1252 = false;
  /**
   * The bytes of a character the last chunk did not finish (the UTF-8 decoder holds them too):
   * if the next chunk shows the stream is not UTF-8 after all, they are decoded with it.
   */
  private tail: Buffer | undefined;
  /** True when the last `write` was 7-bit text (checked on the bytes); false when unknown or not. */
  lastWasAscii = false;

  /** Whether the input is read as Windows-1252 (it was not UTF-8): one byte per character. */
  get singleByte(): boolean {
    return this.cp1252;
  }

  write(chunk: Buffer | Uint8Array | string): string {
    this.lastWasAscii = false;
    if (typeof chunk === 'string') return chunk;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.tail && isAscii(buf)) {
      this.lastWasAscii = true;
      return buf.toString('latin1');
    }
    if (this.cp1252) return decodeWindows1252(buf);
    try {
      const text = this.utf8.decode(buf, { stream: true });
      this.tail = unfinishedCharacter(buf, this.tail);
      return text;
    } catch {
      this.cp1252 = true;
      const bytes = this.tail ? Buffer.concat([this.tail, buf]) : buf;
      this.tail = undefined;
      return decodeWindows1252(bytes);
    }
  }

  end(): string {
    if (!this.tail) return '';
    const tail = this.tail;
    this.tail = undefined;
    try {
      return this.utf8.decode();
    } catch {
      // The input ends inside a UTF-8 character: its bytes were Windows-1252 after all.
      return decodeWindows1252(tail);
    }
  }
}

/**
 * Windows-1252 differs from Latin-1 only in 0x80-0x9F; the five bytes it leaves undefined keep
 * their Latin-1 (C1 control) value, as WHATWG decoders do. A table rather than
 * `TextDecoder('windows-1252')`, which some Node builds (without full ICU) decode as Latin-1.
 */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1 = /[\u0080-\u009f]/;
const C1_ALL = /[\u0080-\u009f]/g;

function decodeWindows1252(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return C1.test(text) ? text.replace(C1_ALL, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!) : text;
}

/**
 * The bytes at the end of `buf` (after `before`, the previous unfinished ones, when `buf` is all
 * continuation bytes) that start a UTF-8 character it does not finish; undefined when none.
 */
function unfinishedCharacter(buf: Buffer, before: Buffer | undefined): Buffer | undefined {
  const all = before ? Buffer.concat([before, buf]) : buf;
  if (!endsInsideCharacter(all)) return undefined;
  let i = all.length - 1;
  while (i > 0 && (all[i]! & 0xc0) === 0x80) i--;
  return Buffer.from(all.subarray(i));
}

/** True when the last bytes start a multi-byte UTF-8 sequence that the chunk does not finish. */
function endsInsideCharacter(buf: Buffer): boolean {
  for (let i = buf.length - 1, back = 0; i >= 0 && back < 4; i--, back++) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return back + 1 < need;
  }
  return false;
}
