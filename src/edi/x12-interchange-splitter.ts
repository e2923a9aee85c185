/**
 * Cuts an X12 byte stream into runs of whole interchanges, each at least `minBytes` long, for
 * translation on worker threads (parallel-translate.ts). A cut is made only where the tokenizer
 * would start a new interchange for certain: at an `ISA` that follows an IEA segment (its
 * terminator, then blanks), in an interchange whose ISA is the fixed-width 106 characters with a
 * one-character terminator that is not a line break. Anything else - a trimmed or wrapped ISA, a
 * newline terminator, data after an IEA, bytes that are not 7-bit, an interchange longer than
 * `maxBytes` - makes the splitter give up: from its last cut on, the input is translated serially.
 */
import { isAscii } from 'node:buffer';

export interface InterchangeRun {
  readonly bytes: Buffer;
  /** Byte offset of `bytes[0]` in the input. */
  readonly offset: number;
}

/** Element-separator positions of a fixed-width ISA (as in x12-tokenizer.ts). */
const ISA_SEPARATORS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];
const ISA_LENGTH = 106;
const I = 0x49;
const S = 0x53;
const A = 0x41;
const E = 0x45;

/** A wrapped ISA is read by the tokenizer without its line breaks: not a place to trust positions. */
function hasLineBreak(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] === 10 || b[i] === 13) return true;
  return false;
}

/** Space, tab, CR, LF, FF, VT, NUL: what the tokenizer skips between segments. */
const isBlank = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0;

export class X12InterchangeSplitter {
  /** Bytes not handed out yet, as they arrived (the last one may be a non-7-bit chunk). */
  private parts: Buffer[] = [];
  private size = 0;
  /** Input offset of the first byte not handed out. */
  private start = 0;
  /** In the joined pending bytes: where the interchange being walked starts, and its delimiters. */
  private isaAt = 0;
  private sep = -1;
  private term = -1;
  /** Where to look for the walked interchange's IEA next. */
  private from = 0;
  private gaveUp = false;

  constructor(
    private readonly minBytes = 1024 * 1024,
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  /** True once the rest of the input has to be translated serially, from `offset` on. */
  get failed(): boolean {
    return this.gaveUp;
  }

  /** Input offset of the bytes `rest` returns. */
  get offset(): number {
    return this.start;
  }

  /** Adds a chunk of input; returns the runs it completed. Once `failed`, only collects. */
  push(chunk: Buffer): InterchangeRun[] {
    if (chunk.length === 0) return [];
    if (this.gaveUp || !isAscii(chunk)) {
      // A non-7-bit chunk stays a piece of its own: the serial decoder sees it as the stream had it.
      this.gaveUp = true;
      this.parts.push(chunk);
      return [];
    }
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size < this.minBytes) return [];
    return this.cut();
  }

  /** Ends the input: the last run (undefined when nothing is left, or after giving up). */
  finish(): InterchangeRun | undefined {
    if (this.gaveUp || this.size === 0) return undefined;
    const bytes = this.joined();
    const run = { bytes, offset: this.start };
    this.start += bytes.length;
    this.parts = [];
    this.size = 0;
    return run;
  }

  /** What was not handed out, in arrival pieces: the serial translation's input after giving up. */
  rest(): Buffer[] {
    const out = this.parts;
    this.parts = [];
    this.size = 0;
    return out;
  }

  private joined(): Buffer {
    if (this.parts.length !== 1) this.parts = [Buffer.concat(this.parts, this.size)];
    return this.parts[0]!;
  }

  private cut(): InterchangeRun[] {
    const runs: InterchangeRun[] = [];
    let b = this.joined();
    for (;;) {
      if (this.sep < 0 && !this.readIsa(b)) break;
      const next = this.nextInterchange(b);
      if (next === undefined) break;
      if (next < 0) {
        this.gaveUp = true;
        break;
      }
      this.isaAt = next;
      this.sep = -1;
      if (next >= this.minBytes) {
        runs.push({ bytes: b.subarray(0, next), offset: this.start });
        b = b.subarray(next);
        this.start += next;
        this.isaAt = 0;
        this.parts = [b];
        this.size = b.length;
      }
    }
    if (!this.gaveUp && this.size > this.maxBytes) this.gaveUp = true;
    return runs;
  }

  /** Reads the delimiters of the ISA at `isaAt`; false when more input is needed or it gave up. */
  private readIsa(b: Buffer): boolean {
    const at = this.isaAt;
    if (b.length < at + ISA_LENGTH) return false;
    const sep = b[at + 3]!;
    const component = b[at + ISA_LENGTH - 2]!;
    const term = b[at + ISA_LENGTH - 1]!;
    const ok =
      b[at] === I &&
      b[at + 1] === S &&
      b[at + 2] === A &&
      ISA_SEPARATORS.every((p) => b[at + p] === sep) &&
      !hasLineBreak(b, at, at + ISA_LENGTH - 1) &&
      !isBlank(term) &&
      term !== sep &&
      term !== component &&
      component !== sep;
    if (!ok) {
      this.gaveUp = true;
      return false;
    }
    this.sep = sep;
    this.term = term;
    this.from = at + ISA_LENGTH;
    return true;
  }

  /**
   * Where the interchange after the walked one starts (its `ISA`); undefined when more input is
   * needed, -1 when its IEA is followed by anything but blanks and an ISA.
   */
  private nextInterchange(b: Buffer): number | undefined {
    const sep = this.sep;
    const term = this.term;
    for (;;) {
      const p = b.indexOf(IEA_NEEDLES[sep]!, this.from);
      if (p === -1) {
        this.from = Math.max(this.from, b.length - 3);
        return undefined;
      }
      this.from = p + 1;
      // An IEA only where a segment starts: after the terminator and any blanks.
      let q = p - 1;
      while (q >= this.isaAt && isBlank(b[q]!)) q--;
      if (q < this.isaAt || b[q] !== term) continue;
      const end = b.indexOf(term, p + 4);
      if (end === -1) {
        this.from = p;
        return undefined;
      }
      let k = end + 1;
      while (k < b.length && isBlank(b[k]!)) k++;
      if (k + 3 > b.length) {
        this.from = p;
        return undefined;
      }
      return b[k] === I && b[k + 1] === S && b[k + 2] === A ? k : -1;
    }
  }
}

/** `IEA` followed by each possible element separator. */
const IEA_NEEDLES: Buffer[] = Array.from({ length: 128 }, (_, c) => Buffer.from([I, E, A, c]));
