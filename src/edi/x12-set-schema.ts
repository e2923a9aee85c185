/**
 * Transaction-set schemas as data (segment order within loops, usage, max use, mandatory elements,
 * lengths, the code values the maps rely on) and the validator that walks a set against one,
 * yielding diagnostics with the AK3-04 / AK4-03 codes the 997/999 reports.
 */
import type { Diagnostic, Segment } from './edi-types.js';
import { parseEdiDate, parseEdiTime } from './edi-datetime.js';

export type ElementType = 'AN' | 'ID' | 'N0' | 'N2' | 'R' | 'DT' | 'TM';

export interface ElementSpec {
  /** Mandatory; X (conditional) and O are not checked for presence. */
  readonly req: 'M' | 'O' | 'X';
  readonly type: ElementType;
  readonly min: number;
  readonly max: number;
  readonly codes?: readonly string[];
}

export interface SegmentSpec {
  readonly seg: string;
  readonly req: 'M' | 'O';
  readonly max: number;
  /** Index 0 is element 01; `undefined` entries are not checked. */
  readonly elements?: readonly (ElementSpec | undefined)[];
}

export interface LoopSpec {
  readonly loop: string;
  readonly req: 'M' | 'O';
  readonly max: number;
  /** The first entry is the loop's opening segment. */
  readonly body: readonly (SegmentSpec | LoopSpec)[];
}

export interface SetSchema {
  readonly setId: string;
  /** Between ST and SE. */
  readonly body: readonly (SegmentSpec | LoopSpec)[];
}

type Entry = SegmentSpec | LoopSpec;
const isLoop = (e: Entry): e is LoopSpec => 'loop' in e;
const openingTag = (e: Entry): string => (isLoop(e) ? openingTag(e.body[0]!) : e.seg);

interface Frame {
  readonly entries: readonly Entry[];
  idx: number;
  readonly counts: number[];
}

export interface SetValidationContext {
  readonly interchangeControlNumber?: string;
  readonly groupControlNumber?: string;
  readonly transactionControlNumber?: string;
}

function allTags(entries: readonly Entry[], into: Set<string>): Set<string> {
  for (const e of entries) {
    if (isLoop(e)) allTags(e.body, into);
    else into.add(e.seg);
  }
  return into;
}
const tagCache = new WeakMap<SetSchema, Set<string>>();

const positionCache = new WeakMap<readonly Entry[], ReadonlyMap<string, readonly number[]>>();
/** Opening tag → its entry indexes in a loop body, so each segment finds its place without a scan. */
function positionsOf(entries: readonly Entry[]): ReadonlyMap<string, readonly number[]> {
  let m = positionCache.get(entries);
  if (!m) {
    const built = new Map<string, number[]>();
    entries.forEach((e, i) => {
      const t = openingTag(e);
      const list = built.get(t) ?? [];
      list.push(i);
      built.set(t, list);
    });
    m = built;
    positionCache.set(entries, m);
  }
  return m;
}

/** Validates a set's segments (ST … SE inclusive, or the body alone) against `schema`. */
export function validateSet(
  schema: SetSchema,
  segments: readonly Segment[],
  ctx: SetValidationContext = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  let known = tagCache.get(schema);
  if (!known) {
    known = allTags(schema.body, new Set());
    tagCache.set(schema, known);
  }
  const first = segments[0]?.tag === 'ST' ? 1 : 0;
  const last =
    segments.length > 0 && segments[segments.length - 1]!.tag === 'SE'
      ? segments.length - 1
      : segments.length;
  const stack: Frame[] = [
    { entries: schema.body, idx: 0, counts: new Array<number>(schema.body.length).fill(0) },
  ];
  const add = (
    seg: Segment | undefined,
    position: number,
    fields: Pick<Diagnostic, 'code' | 'rule' | 'message'> & Partial<Diagnostic>,
  ): void => {
    out.push({
      severity: 'error',
      level: 'segment',
      ...ctx,
      ...(seg ? { segmentId: seg.tag, offset: seg.offset } : {}),
      segmentPosition: position,
      ...fields,
    });
  };
  const missing = (frame: Frame, from: number, to: number, position: number): void => {
    for (let k = from; k < to; k++) {
      const e = frame.entries[k]!;
      if (e.req === 'M' && frame.counts[k] === 0) {
        add(undefined, position, {
          segmentId: openingTag(e),
          code: '3',
          rule: 'MANDATORY_SEGMENT_MISSING',
          message: `mandatory segment ${openingTag(e)} missing`,
        });
      }
    }
  };
  for (let i = first; i < last; i++) {
    const seg = segments[i]!;
    const position = i + (first === 1 ? 1 : 2);
    for (;;) {
      const frame = stack[stack.length - 1]!;
      let k = -1;
      const at = positionsOf(frame.entries).get(seg.tag);
      if (at) {
        for (const j of at) {
          if (j >= frame.idx) {
            k = j;
            break;
          }
        }
      }
      // Inside a loop, its opening tag again means a new instance: let the parent handle it.
      const inLoop = stack.length > 1;
      if (k === 0 && inLoop && frame.counts[0]! > 0) k = -1;
      if (k >= 0) {
        missing(frame, frame.idx + (frame.counts[frame.idx]! > 0 ? 1 : 0), k, position);
        const e = frame.entries[k]!;
        frame.counts[k]! += 1;
        frame.idx = k;
        if (frame.counts[k]! > e.max) {
          add(
            seg,
            position,
            isLoop(e)
              ? {
                  code: '4',
                  rule: 'LOOP_OVER_MAX',
                  message: `loop ${e.loop} occurs more than ${e.max} times`,
                }
              : {
                  code: '5',
                  rule: 'SEGMENT_OVER_MAX',
                  message: `segment ${seg.tag} occurs more than ${e.max} times`,
                },
          );
        }
        if (isLoop(e)) {
          const f: Frame = { entries: e.body, idx: 0, counts: new Array<number>(e.body.length).fill(0) };
          stack.push(f);
          continue; // re-run: the opening segment is matched inside the new frame
        }
        checkElements(e, seg, position, out, ctx);
        break;
      }
      if (inLoop) {
        stack.pop();
        missing(frame, frame.idx + 1, frame.entries.length, position);
        continue;
      }
      // At the top and nowhere ahead: out of order, unexpected, or unknown.
      if (known.has(seg.tag))
        add(seg, position, {
          code: '7',
          rule: 'SEGMENT_OUT_OF_ORDER',
          message: `segment ${seg.tag} is out of sequence`,
        });
      else if (!/^[A-Z][A-Z0-9]{1,2}$/.test(seg.tag))
        add(seg, position, {
          code: '1',
          rule: 'UNRECOGNIZED_SEGMENT',
          message: `"${seg.tag}" is not a segment id`,
        });
      else
        add(seg, position, {
          severity: 'warning',
          code: '2',
          rule: 'UNEXPECTED_SEGMENT',
          message: `segment ${seg.tag} is not expected in a ${schema.setId}; ignored`,
        });
      break;
    }
  }
  const sePosition = last - first + 2;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    missing(frame, frame.idx + (frame.counts[frame.idx]! > 0 ? 1 : 0), frame.entries.length, sePosition);
  }
  return out;
}

function checkElements(
  spec: SegmentSpec,
  seg: Segment,
  position: number,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  const specs = spec.elements;
  if (!specs) return;
  const add = (el: number, code: string, rule: string, message: string): void => {
    out.push({
      severity: 'error',
      level: 'element',
      ...ctx,
      segmentId: seg.tag,
      segmentPosition: position,
      elementPosition: el,
      offset: seg.offset,
      code,
      rule,
      message,
    });
  };
  let el = 0;
  let v = '';
  // Built only when a message needs it: this loop runs for every element of every segment.
  const nameOf = (): string => `${seg.tag}${String(el).padStart(2, '0')}`;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    if (!s) continue;
    el = i + 1;
    v = seg.elements[i]?.[0] ?? '';
    if (v.length > 0 && (v.charCodeAt(0) === 32 || v.charCodeAt(v.length - 1) === 32)) v = v.trim();
    if (v === '') {
      if (s.req === 'M') add(el, '1', 'MANDATORY_ELEMENT_MISSING', `${nameOf()} is mandatory`);
      continue;
    }
    const len =
      s.type === 'N0' || s.type === 'N2'
        ? v.replace(/^-/, '').length
        : s.type === 'R'
          ? v.replace(/[-.]/g, '').length
          : v.length;
    if (len < s.min) add(el, '4', 'ELEMENT_TOO_SHORT', `${nameOf()} "${v}" is shorter than ${s.min}`);
    else if (len > s.max) add(el, '5', 'ELEMENT_TOO_LONG', `${nameOf()} "${v}" is longer than ${s.max}`);
    switch (s.type) {
      case 'N0':
      case 'N2':
        if (!/^-?\d+$/.test(v)) add(el, '6', 'INVALID_CHARACTER', `${nameOf()} "${v}" is not numeric`);
        break;
      case 'R':
        if (!/^-?(\d+\.?\d*|\.\d+)$/.test(v))
          add(el, '6', 'INVALID_CHARACTER', `${nameOf()} "${v}" is not a decimal number`);
        break;
      case 'DT':
        if (!parseEdiDate(v)) add(el, '8', 'INVALID_DATE', `${nameOf()} "${v}" is not a valid date`);
        break;
      case 'TM':
        if (!parseEdiTime(v)) add(el, '9', 'INVALID_TIME', `${nameOf()} "${v}" is not a valid time`);
        break;
      default:
        if (s.codes && !s.codes.includes(v))
          add(el, '7', 'INVALID_CODE', `${nameOf()} "${v}" is not one of ${s.codes.join(', ')}`);
    }
  }
}
