import { TextDecoder } from 'node:util';
import type { Delimiters, Diagnostic, Segment } from './edi-types.js';
import { EdifactSyntaxError } from './edifact-syntax-errors.js';

/*
 * Streaming UN/EDIFACT tokenizer: Buffers in, `Segment`s out, memory bounded by the longest segment.
 *
 * Why not the `edifact` package's Parser/Tokenizer here: it takes JS strings (so the caller must
 * pick the encoding before the UNB that declares it has been read), throws on the first unexpected
 * character instead of reporting and carrying on, only recognises a UNA at the start of a write(),
 * has no repetition separator (syntax 4) and no byte offsets. We still use it in the tests as the
 * reference our segmenting is compared against, and its segment tables in edifact-segment-rules.ts.
 * Speed is not the reason: measured by CPU time on a 13 MB DESADV interchange (busy 2-core machine),
 * its Parser scans at ~175 MB/s with no-op callbacks but 8-24 MB/s once it builds segment arrays;
 * ours yields segment objects with offsets and decoding at ~30-50 MB/s (`batches`).
 *
 * The scan runs over a latin1 view of the bytes (one char per byte, so offsets stay byte offsets
 * and a multi-byte UTF-8 character never straddles a split); only components holding bytes >= 0x80
 * are decoded, per the interchange's syntax identifier.
 */

export interface EdifactTokenizerOptions {
  /** A segment longer than this (in bytes) is reported and skipped, so a file without terminators cannot exhaust memory. */
  readonly maxSegmentLength?: number;
}

export type EdifactToken =
  | {
      readonly kind: 'segment';
      readonly segment: Segment;
      /** The delimiters the segment was read with (after a UNB: including the syntax 4 repetition separator). */
      readonly delimiters: Delimiters;
      /** Whether the current interchange started with a UNA. */
      readonly serviceStringAdvice: boolean;
    }
  | { readonly kind: 'diagnostic'; readonly diagnostic: Diagnostic };

interface MutableDelimiters {
  component: string;
  element: string;
  decimal: string;
  /** '' when the interchange has no release character. */
  release: string;
  /** '' before syntax version 4. */
  repetition: string;
  segment: string;
}

const defaultDelimiters = (): MutableDelimiters => ({
  component: ':',
  element: '+',
  decimal: '.',
  release: '?',
  repetition: '',
  segment: "'",
});

/** Syntax level B without UNA uses the ISO 646 information separators IS1..IS4 as delimiters. */
const levelBDelimiters = (): MutableDelimiters => ({
  component: '\x1f',
  element: '\x1d',
  decimal: '.',
  release: '',
  repetition: '',
  segment: '\x1c',
});

/** Single-byte character sets of the syntax identifiers, used when the bytes are not valid UTF-8. */
const singleByteEncodingBySyntaxId: Readonly<Record<string, string>> = {
  UNOA: 'windows-1252',
  UNOB: 'windows-1252',
  // ISO 8859-1; windows-1252 is its superset and is what such files usually really are.
  UNOC: 'windows-1252',
  UNOD: 'iso-8859-2',
  UNOE: 'iso-8859-5',
  UNOF: 'iso-8859-7',
  UNOG: 'iso-8859-3',
  UNOH: 'iso-8859-4',
  UNOI: 'iso-8859-6',
  UNOJ: 'iso-8859-8',
  UNOK: 'iso-8859-9',
  UNOW: 'windows-1252',
  UNOX: 'windows-1252',
  UNOY: 'windows-1252',
};

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const singleByteDecoders = new Map<string, TextDecoder>();

function singleByteDecoder(syntaxId: string): TextDecoder {
  const label = singleByteEncodingBySyntaxId[syntaxId] ?? 'windows-1252';
  let decoder = singleByteDecoders.get(label);
  if (decoder === undefined) {
    decoder = new TextDecoder(label);
    singleByteDecoders.set(label, decoder);
  }
  return decoder;
}

const NON_ASCII = /[\x80-\xff]/;
// Control characters are in no EDIFACT repertoire's data; level B uses some of them as delimiters only.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const LINE_BREAKS = /[\r\n]+/g;
const DEFAULT_MAX_SEGMENT = 1024 * 1024;
const NO_REPETITIONS: ReadonlyMap<number, string[][]> = new Map();

function isFiller(code: number): boolean {
  // Whitespace, NUL padding and a DOS end-of-file mark between segments carry no data.
  return code === 0x0a || code === 0x0d || code === 0x20 || code === 0x09 || code === 0x00 || code === 0x1a;
}

function isAlphanumeric(ch: string): boolean {
  return /^[A-Za-z0-9]$/.test(ch);
}

export class EdifactTokenizer {
  private sep: MutableDelimiters = defaultDelimiters();
  private unaRepetition = '';
  private explicitUna = false;
  private syntaxId = '';
  private syntaxVersionNumber = '';
  private segmentIndex = 0;
  private skipping = false;
  /** Cached public view of `sep`; reset whenever the delimiters change. */
  private frozen: Delimiters | undefined;
  /** Charset problems are reported once per interchange, not once per component. */
  private readonly reported = new Set<string>();
  private readonly maxSegmentLength: number;

  constructor(options: EdifactTokenizerOptions = {}) {
    this.maxSegmentLength = options.maxSegmentLength ?? DEFAULT_MAX_SEGMENT;
  }

  /** The delimiters in force after the last segment read (tokens carry their own; this is for the end state). */
  get delimiters(): Delimiters {
    if (this.frozen === undefined) {
      const { component, element, decimal, release, repetition, segment } = this.sep;
      this.frozen = {
        component,
        element,
        decimal,
        segment,
        ...(release ? { release } : {}),
        ...(repetition ? { repetition } : {}),
      };
    }
    return this.frozen;
  }

  async *tokenize(input: AsyncIterable<Uint8Array>): AsyncGenerator<EdifactToken> {
    for await (const batch of this.batches(input)) yield* batch;
  }

  /**
   * The tokens of each input chunk as one array: one await per chunk instead of one per segment,
   * which is most of the cost of an async generator on small segments.
   */
  async *batches(input: AsyncIterable<Uint8Array>): AsyncGenerator<EdifactToken[]> {
    let pending = '';
    let base = 0;
    let atStart = true;
    for await (const chunk of input) {
      pending += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
      if (atStart) {
        if (pending.length < 3 && '\xef\xbb\xbf'.startsWith(pending)) continue;
        atStart = false;
        if (pending.startsWith('\xef\xbb\xbf')) {
          // A UTF-8 byte order mark says nothing EDIFACT needs; drop it.
          pending = pending.slice(3);
          base = 3;
        }
      }
      const out: EdifactToken[] = [];
      const consumed = this.drain(pending, base, false, out);
      pending = consumed === pending.length ? '' : pending.slice(consumed);
      base += consumed;
      if (out.length > 0) yield out;
    }
    const out: EdifactToken[] = [];
    this.drain(pending, base, true, out);
    if (out.length > 0) yield out;
  }

  /** Consumes the complete segments of `text`; returns how many chars were consumed. */
  private drain(text: string, base: number, eof: boolean, out: EdifactToken[]): number {
    let pos = 0;
    const n = text.length;
    while (pos < n) {
      if (this.skipping) {
        const end = this.findTerminator(text, pos);
        if (end < 0) return n;
        this.skipping = false;
        pos = end + 1;
        continue;
      }
      if (isFiller(text.charCodeAt(pos)) && text[pos] !== this.sep.element) {
        pos++;
        continue;
      }
      // A UNA is only recognised whole: wait for more data when the text might be the start of one.
      if (!eof && n - pos < 9 && 'UNA'.startsWith(text.slice(pos, pos + 3))) return pos;
      if (text.startsWith('UNA', pos) && n - pos >= 9) {
        this.readServiceStringAdvice(text.slice(pos, pos + 9), base + pos, out);
        pos += 9;
        continue;
      }
      if (!this.explicitUna && text.startsWith('UNB', pos)) this.sniffDelimiters(text.charAt(pos + 3));
      const end = this.findTerminator(text, pos);
      if (end < 0) {
        if (!eof) {
          if (n - pos > this.maxSegmentLength) {
            out.push(
              this.tokenDiagnostic(
                'SEGMENT_TOO_LONG',
                EdifactSyntaxError.UnspecifiedError,
                'error',
                base + pos,
                `no segment terminator within ${this.maxSegmentLength} bytes; skipped to the next terminator`,
              ),
            );
            this.skipping = true;
            return n;
          }
          return pos;
        }
        const rest = text.slice(pos);
        if (rest.trim() === '') return n;
        out.push(
          this.tokenDiagnostic(
            'SEGMENT_TERMINATOR_MISSING',
            EdifactSyntaxError.Missing,
            'warning',
            base + pos,
            'the last segment has no segment terminator',
          ),
        );
        this.emitSegment(rest, base + pos, out);
        return n;
      }
      this.emitSegment(text.slice(pos, end), base + pos, out);
      pos = end + 1;
    }
    return pos;
  }

  private findTerminator(text: string, from: number): number {
    const { segment, release } = this.sep;
    let i = text.indexOf(segment, from);
    while (i >= 0 && release && this.isReleased(text, i, from)) i = text.indexOf(segment, i + 1);
    return i;
  }

  /** A char is released when an odd number of release chars precede it (line breaks in between are wrapping). */
  private isReleased(text: string, at: number, from: number): boolean {
    let count = 0;
    for (let i = at - 1; i >= from; i--) {
      const ch = text[i];
      if (ch === this.sep.release) count++;
      else if ((ch === '\n' || ch === '\r') && this.stripsLineBreaks()) continue;
      else break;
    }
    return count % 2 === 1;
  }

  private stripsLineBreaks(): boolean {
    const { component, element, segment, release, repetition } = this.sep;
    return ![component, element, segment, release, repetition].some((d) => d === '\n' || d === '\r');
  }

  private readServiceStringAdvice(una: string, offset: number, out: EdifactToken[]): void {
    const [component, element, decimal, release, reserved, segment] = [...una.slice(3)] as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const sep: MutableDelimiters = {
      component,
      element,
      decimal,
      release: release === ' ' ? '' : release,
      repetition: '',
      segment,
    };
    const service = [component, element, sep.release, segment, reserved === ' ' ? '' : reserved].filter(
      (c) => c,
    );
    if (new Set(service).size !== service.length || service.some(isAlphanumeric)) {
      out.push(
        this.tokenDiagnostic(
          'UNA_SERVICE_CHARACTER_INVALID',
          EdifactSyntaxError.CharacterInvalidAsServiceCharacter,
          'error',
          offset,
          `UNA service characters must be distinct and not letters or digits: "${una}"; defaults used`,
          'UNA',
        ),
      );
      // Ambiguous delimiters cannot split anything; the defaults at least let the rest be read and reported.
      this.sep = defaultDelimiters();
      this.frozen = undefined;
      this.unaRepetition = '';
      this.explicitUna = true;
      return;
    }
    if (decimal !== '.' && decimal !== ',') {
      out.push(
        this.tokenDiagnostic(
          'UNA_DECIMAL_MARK_INVALID',
          EdifactSyntaxError.CharacterInvalidAsServiceCharacter,
          'warning',
          offset,
          `UNA decimal mark must be "." or ",", got "${decimal}"`,
          'UNA',
        ),
      );
    }
    this.sep = sep;
    this.frozen = undefined;
    this.unaRepetition = reserved === ' ' ? '' : reserved;
    this.explicitUna = true;
  }

  /** Without a UNA the byte after "UNB" is the element separator, which tells level A/C from level B. */
  private sniffDelimiters(elementSeparator: string): void {
    if (elementSeparator === '\x1d') this.sep = levelBDelimiters();
    else if (elementSeparator === '+' && this.sep.element !== '+') this.sep = defaultDelimiters();
    else return;
    this.frozen = undefined;
  }

  private emitSegment(raw: string, offset: number, out: EdifactToken[]): void {
    let text = raw;
    if ((text.includes('\n') || text.includes('\r')) && this.stripsLineBreaks()) {
      // Wrapped EDIFACT: line breaks are not in any EDIFACT character repertoire, so they are layout.
      text = text.replace(LINE_BREAKS, '');
    } else if (this.sep.segment === '\n' && text.endsWith('\r')) {
      // Newline as terminator in a CRLF file: the CR belongs to the terminator, not the data.
      text = text.slice(0, -1);
    }
    const parsed = this.split(text);
    const tagElement = parsed.elements[0];
    const tag = (tagElement?.[0] ?? '').trim();
    const segment: {
      tag: string;
      elements: string[][];
      offset: number;
      index: number;
      repetitions?: Map<number, string[][]>;
    } = {
      tag,
      elements: [],
      offset,
      index: ++this.segmentIndex,
    };
    const isHeader = tag === 'UNB';
    const stray = parsed.strayRelease;
    if (stray) {
      this.reportOnce(
        'release',
        out,
        () => ({
          rule: 'RELEASE_CHARACTER_NOT_BEFORE_DELIMITER',
          message: `${tag} element ${stray.element}: release character "${this.sep.release}" before "${stray.next}", which is no delimiter; both kept as data`,
          severity: 'warning',
        }),
        tag,
        offset,
        stray.element,
        stray.component,
      );
    }
    // Most segments are plain ASCII without control characters: no per-component decoding needed.
    if (!NON_ASCII.test(text) && !CONTROL.test(text)) {
      segment.elements = parsed.elements.slice(1);
      if (parsed.repetitions.size > 0) {
        segment.repetitions = new Map([...parsed.repetitions].filter(([e]) => e > 0));
      }
    } else
      for (let e = 1; e < parsed.elements.length; e++) {
        const components = parsed.elements[e] ?? [];
        segment.elements.push(components.map((c, i) => this.decode(c, tag, offset, e, i + 1, isHeader, out)));
        const reps = parsed.repetitions.get(e);
        if (reps !== undefined) {
          segment.repetitions ??= new Map();
          segment.repetitions.set(
            e,
            reps.map((r) => r.map((c, i) => this.decode(c, tag, offset, e, i + 1, isHeader, out))),
          );
        }
      }
    if (tag === 'UNB') this.enterInterchange(segment.elements[0] ?? []);
    out.push({
      kind: 'segment',
      segment,
      delimiters: this.delimiters,
      serviceStringAdvice: this.explicitUna,
    });
    if (tag === 'UNZ') this.explicitUna = false;
  }

  private enterInterchange(syntax: readonly string[]): void {
    this.syntaxId = (syntax[0] ?? '').toUpperCase();
    this.syntaxVersionNumber = syntax[1] ?? '';
    this.reported.clear();
    this.frozen = undefined;
    // The repetition separator exists only from syntax version 4 on; UNA position 5 is "reserved" before.
    if (this.syntaxVersionNumber === '4') {
      this.sep.repetition = this.unaRepetition || (this.sep.element === '\x1d' ? '\x1e' : '*');
    } else {
      this.sep.repetition = '';
    }
  }

  /**
   * Splits a segment into elements, repetitions and components, honouring the release character.
   * `repetitions` holds, per element position (1-based, the tag is 0), every repetition when there is more than one.
   */
  private split(text: string): {
    elements: string[][];
    repetitions: ReadonlyMap<number, string[][]>;
    /** Where the first release character stands before a character that is no delimiter. */
    strayRelease?: { element: number; component: number; next: string };
  } {
    const { component, element, release, repetition, segment } = this.sep;
    // Fast path for the common segment without release characters or repetitions: native split.
    if ((!release || !text.includes(release)) && (!repetition || !text.includes(repetition))) {
      return { elements: text.split(element).map((e) => e.split(component)), repetitions: NO_REPETITIONS };
    }
    let strayRelease: { element: number; component: number; next: string } | undefined;
    const elements: string[][] = [];
    const repetitions = new Map<number, string[][]>();
    let reps: string[][] | undefined;
    let components: string[] = [];
    let buf = '';
    let start = 0;
    const endElement = (): void => {
      if (reps !== undefined) {
        reps.push(components);
        repetitions.set(elements.length, reps);
        elements.push(reps[0] ?? []);
        reps = undefined;
      } else {
        elements.push(components);
      }
      components = [];
    };
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === release) {
        const next = text[i + 1];
        if (
          next !== undefined &&
          next !== component &&
          next !== element &&
          next !== release &&
          next !== repetition &&
          next !== segment
        ) {
          // ISO 9735 releases delimiters only. A partner writing `?` as text ("PO?A1") means it as
          // text: it is kept, and the caller says so once, rather than dropped without a word.
          strayRelease ??= { element: elements.length, component: components.length + 1, next };
          continue;
        }
        buf += text.slice(start, i) + (next ?? '');
        i++;
        start = i + 1;
      } else if (ch === component) {
        components.push(buf + text.slice(start, i));
        buf = '';
        start = i + 1;
      } else if (ch === element) {
        components.push(buf + text.slice(start, i));
        buf = '';
        start = i + 1;
        endElement();
      } else if (ch === repetition) {
        components.push(buf + text.slice(start, i));
        buf = '';
        start = i + 1;
        (reps ??= []).push(components);
        components = [];
      }
    }
    components.push(buf + text.slice(start));
    endElement();
    return strayRelease ? { elements, repetitions, strayRelease } : { elements, repetitions };
  }

  private decode(
    value: string,
    tag: string,
    offset: number,
    elementPosition: number,
    componentPosition: number,
    isHeader: boolean,
    out: EdifactToken[],
  ): string {
    if (value.includes('\u0000')) {
      // In no EDIFACT character repertoire, and no store can keep it: the message is rejected
      // (0085 21, invalid characters) rather than handing on a document that cannot be stored.
      out.push({
        kind: 'diagnostic',
        diagnostic: {
          severity: 'error',
          level: 'element',
          code: EdifactSyntaxError.InvalidCharacters,
          rule: 'INVALID_CHARACTER',
          message: `${tag} element ${elementPosition} contains the NUL character (U+0000), which no EDIFACT character set has`,
          segmentId: tag,
          elementPosition,
          componentPosition,
          offset,
        },
      });
    } else if (CONTROL.test(value)) {
      this.reportOnce(
        'control',
        out,
        () => ({
          rule: 'CONTROL_CHARACTER_IN_DATA',
          message: `control character in ${tag} element ${elementPosition}`,
          severity: 'warning',
        }),
        tag,
        offset,
        elementPosition,
        componentPosition,
      );
    }
    if (!NON_ASCII.test(value)) return value;
    const bytes = Buffer.from(value, 'latin1');
    // UNB is decoded before its syntax identifier is known; the identifier itself is plain ASCII.
    const syntaxId = isHeader ? '' : this.syntaxId;
    if (syntaxId === 'UNOA' || syntaxId === 'UNOB') {
      this.reportOnce(
        '7bit',
        out,
        () => ({
          rule: 'CHARACTER_OUTSIDE_SYNTAX_LEVEL',
          message: `${syntaxId} allows 7-bit characters only; 8-bit data decoded leniently`,
          severity: 'warning',
        }),
        tag,
        offset,
        elementPosition,
        componentPosition,
      );
    }
    try {
      const text = utf8Decoder.decode(bytes);
      if (
        syntaxId !== '' &&
        syntaxId !== 'UNOW' &&
        syntaxId !== 'UNOY' &&
        syntaxId !== 'UNOA' &&
        syntaxId !== 'UNOB'
      ) {
        this.reportOnce(
          'utf8',
          out,
          () => ({
            rule: 'UTF8_UNDER_SINGLE_BYTE_SYNTAX',
            message: `data is UTF-8 although the syntax identifier is ${syntaxId}; decoded as UTF-8`,
            severity: 'info',
          }),
          tag,
          offset,
          elementPosition,
          componentPosition,
        );
      }
      return text;
    } catch {
      if (syntaxId === 'UNOW' || syntaxId === 'UNOY') {
        this.reportOnce(
          'not-utf8',
          out,
          () => ({
            rule: 'INVALID_UTF8',
            message: `${syntaxId} data is not valid UTF-8; decoded as Windows-1252`,
            severity: 'warning',
          }),
          tag,
          offset,
          elementPosition,
          componentPosition,
        );
      }
      return singleByteDecoder(syntaxId).decode(bytes);
    }
  }

  private reportOnce(
    key: string,
    out: EdifactToken[],
    describe: () => { rule: string; message: string; severity: Diagnostic['severity'] },
    tag: string,
    offset: number,
    elementPosition: number,
    componentPosition: number,
  ): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const { rule, message, severity } = describe();
    out.push({
      kind: 'diagnostic',
      diagnostic: {
        severity,
        level: 'element',
        code: EdifactSyntaxError.InvalidCharacters,
        rule,
        message,
        segmentId: tag,
        elementPosition,
        componentPosition,
        offset,
      },
    });
  }

  private tokenDiagnostic(
    rule: string,
    code: string,
    severity: Diagnostic['severity'],
    offset: number,
    message: string,
    segmentId?: string,
  ): EdifactToken {
    return {
      kind: 'diagnostic',
      diagnostic: {
        severity,
        level: segmentId === 'UNA' ? 'interchange' : 'segment',
        code,
        rule,
        message,
        offset,
        ...(segmentId ? { segmentId } : {}),
      },
    };
  }
}

/** Convenience: tokenize a stream with a fresh tokenizer. */
export function tokenizeEdifact(
  input: AsyncIterable<Uint8Array>,
  options: EdifactTokenizerOptions = {},
): AsyncGenerator<EdifactToken> {
  return new EdifactTokenizer(options).tokenize(input);
}
