/**
 * The per-set results a functional group keeps for its 997/999, from each set's SE until the acks
 * are written at the end of the interchange: hundreds of sets per group in a large file.
 *
 * Results with no diagnostics - nearly all of them - are packed into typed arrays, whose bytes sit
 * outside the JS heap, and so is the set of control numbers seen (the duplicate check). As objects
 * (a result, its control number string, a `Set` entry) they were half of what each young-generation
 * GC copied on a long translation, because a group's results outlive a GC or two; and V8 grows
 * the young generation by what its GCs copy, which is what set the peak RSS of the 200 MB file
 * (bench/edi-throughput.ts, ADR 0005). A result with diagnostics, or a set id or control number
 * that does not fit the packing, stays an object. `results()` gives every result back, in input
 * order, as the objects it was given.
 */
import type { Diagnostic } from './edi-types.js';
import type { X12SetResult } from './x12-envelope.js';

/** The diagnostics of a set without any: one frozen array shared by all of them. */
export const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([]);

/** One string per set id, shared by the results a group hands back. */
const SET_IDS = new Map<string, string>();
export function internSetId(id: string): string {
  const known = SET_IDS.get(id);
  if (known !== undefined) return known;
  if (SET_IDS.size < 1000) SET_IDS.set(id, id);
  return id;
}

/** The number a string of `min`-`max` ASCII digits spells, or -1. */
function digitsValue(s: string, min: number, max: number): number {
  const n = s.length;
  if (n < min || n > max) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * First size of a group's typed arrays, doubled as sets come. Small enough that V8 keeps them on
 * the JS heap (64 bytes): a file of many small interchanges made a group's 9 KB of buffers outside
 * the heap each, which only a full GC gave back, and that raised its peak RSS by ~40 MB.
 */
const INITIAL_SLOTS = 16;

/**
 * ST02 values seen in a group: 4-9 digit strings, kept as (value, length) in an open-addressing
 * table of typed arrays ("0001" and "00001" are different control numbers).
 */
class ControlNumberSet {
  private values = new Int32Array(INITIAL_SLOTS);
  /** Length of the control number in the slot; 0 = empty. */
  private lengths = new Uint8Array(INITIAL_SLOTS);
  private size = 0;

  has(value: number, length: number): boolean {
    const mask = this.values.length - 1;
    for (let i = slotOf(value, length, mask); this.lengths[i] !== 0; i = (i + 1) & mask)
      if (this.values[i] === value && this.lengths[i] === length) return true;
    return false;
  }

  add(value: number, length: number): void {
    if (this.has(value, length)) return;
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    const mask = this.values.length - 1;
    let i = slotOf(value, length, mask);
    while (this.lengths[i] !== 0) i = (i + 1) & mask;
    this.values[i] = value;
    this.lengths[i] = length;
    this.size++;
  }

  private grow(): void {
    const values = this.values;
    const lengths = this.lengths;
    this.values = new Int32Array(values.length * 2);
    this.lengths = new Uint8Array(values.length * 2);
    this.size = 0;
    for (let i = 0; i < values.length; i++) if (lengths[i] !== 0) this.add(values[i]!, lengths[i]!);
  }
}

/** Multiplicative hashing: sequential control numbers spread over the table. */
const slotOf = (value: number, length: number, mask: number): number =>
  (Math.imul(value ^ (length << 28), 0x9e3779b1) >>> 7) & mask;

/** A slot whose result is an object in `others` (its second word is the index there). */
const OBJECT = 0xffffffff;

export class SetResultLog {
  /** Two words per set: ST01 | ST02 length << 10 | (ST03 index + 1) << 14, then ST02's value. */
  private words = new Uint32Array(INITIAL_SLOTS);
  private count = 0;
  private readonly others: X12SetResult[] = [];
  /** ST03 values seen (usually one per group). */
  private readonly refs: string[] = [];
  private readonly seen = new ControlNumberSet();
  private accepted = 0;
  private withWarnings = false;

  /** Sets recorded so far. */
  get length(): number {
    return this.count;
  }

  /** Sets not rejected. */
  get acceptedCount(): number {
    return this.accepted;
  }

  /** Whether an accepted set has warnings (AK5/IK5 E). */
  get anyWarnings(): boolean {
    return this.withWarnings;
  }

  /** Whether this 4-9 digit ST02 was noted before in the group. */
  hasControlNumber(controlNumber: string): boolean {
    const v = digitsValue(controlNumber, 4, 9);
    return v >= 0 && this.seen.has(v, controlNumber.length);
  }

  /** Notes an ST02 for the duplicate check; only 4-9 digit ones can be duplicates of a valid one. */
  noteControlNumber(controlNumber: string): void {
    const v = digitsValue(controlNumber, 4, 9);
    if (v >= 0) this.seen.add(v, controlNumber.length);
  }

  add(result: X12SetResult): void {
    if (result.status !== 'R') this.accepted++;
    if (result.status === 'E') this.withWarnings = true;
    if (this.count * 2 + 2 > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    const at = this.count * 2;
    this.count++;
    const { setId, controlNumber, implementationRef } = result;
    const id = digitsValue(setId, 3, 3);
    const value = digitsValue(controlNumber, 4, 9);
    if (
      result.status === 'A' &&
      result.diagnostics.length === 0 &&
      result.businessId === undefined &&
      id >= 0 &&
      value >= 0
    ) {
      let ref = 0;
      if (implementationRef !== undefined) {
        ref = this.refs.indexOf(implementationRef) + 1;
        if (ref === 0 && this.refs.length < 0x3ffff) ref = this.refs.push(implementationRef);
      }
      if (implementationRef === undefined || ref > 0) {
        this.words[at] = (id | (controlNumber.length << 10) | (ref << 14)) >>> 0;
        this.words[at + 1] = value;
        return;
      }
    }
    this.words[at] = OBJECT;
    this.words[at + 1] = this.others.push(result) - 1;
  }

  /** Every result in input order. */
  results(): X12SetResult[] {
    const out = new Array<X12SetResult>(this.count);
    const w = this.words;
    for (let k = 0; k < this.count; k++) {
      const head = w[k * 2]!;
      const value = w[k * 2 + 1]!;
      if (head === OBJECT) {
        out[k] = this.others[value]!;
        continue;
      }
      const ref = head >>> 14;
      out[k] = {
        setId: internSetId(String(head & 0x3ff).padStart(3, '0')),
        controlNumber: String(value).padStart((head >>> 10) & 0xf, '0'),
        ...(ref > 0 ? { implementationRef: this.refs[ref - 1]! } : {}),
        status: 'A',
        diagnostics: NO_DIAGNOSTICS,
      };
    }
    return out;
  }
}
