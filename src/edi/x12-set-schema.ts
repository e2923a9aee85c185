/**
 * Transaction-set schemas as data (segment order within loops, usage, max use, mandatory elements,
 * lengths, the code values the maps rely on, the X12 syntax notes) and the validator that walks a
 * set against one, yielding diagnostics with the AK3-04 / AK4-03 codes the 997/999 reports.
 *
 * Every set of every file goes through `validateSet`, so a schema is compiled once (tag → entry
 * indexes, element specs and syntax notes as arrays, scratch counters) and the walk allocates
 * nothing but the diagnostics it reports.
 */
import type { Diagnostic, DiagnosticTrigger, Segment } from './edi-types.js';
import { parseEdiDate, parseEdiTime } from './edi-datetime.js';
import { elementCount, elementSpan, elementText, X12Segment, type ElementSpan } from './x12-segment.js';
import { X12_SET_SCHEMAS } from './x12-set-schemas.js';

export type ElementType = 'AN' | 'ID' | 'N0' | 'N2' | 'R' | 'DT' | 'TM';

export interface ElementSpec {
  /** Mandatory; X (conditional, see the segment's syntax notes) and O are not checked for presence. */
  readonly req: 'M' | 'O' | 'X';
  readonly type: ElementType;
  readonly min: number;
  readonly max: number;
  readonly codes?: readonly string[];
}

/**
 * An X12 syntax note (relational condition) in the standard's own notation: the kind letter, then
 * two-digit element positions. P paired (all or none), R required (at least one), E exclusion (at
 * most one), C conditional (if the first, then all the others), L list conditional (if the first,
 * then at least one of the others). E.g. `P0304`, `R020305`, `L07030506`.
 */
export type SyntaxNote = `${'P' | 'R' | 'E' | 'C' | 'L'}${number}`;

export interface SegmentSpec {
  readonly seg: string;
  readonly req: 'M' | 'O';
  readonly max: number;
  /** Index 0 is element 01; `undefined` entries are not checked. */
  readonly elements?: readonly (ElementSpec | undefined)[];
  readonly notes?: readonly SyntaxNote[];
  /**
   * The data element reference numbers (X12 dictionary) of the segment's elements, index 0 being
   * element 01: a 999 names a situational trigger's element by it in CTX06.
   */
  readonly refs?: readonly number[];
  /**
   * 1-based positions of the composite elements (whose components the component separator
   * divides) and of the elements that may repeat (5010's repetition separator). Any other element
   * holding either separator is a data error: X12 has no release character, so the value would be
   * cut at the separator.
   */
  readonly composites?: readonly number[];
  readonly repeats?: readonly number[];
  /**
   * How many elements the standard defines for the segment (the most of the versions the schema
   * serves): an element past it is AK4/IK4 3 "too many data elements". Unset: not checked.
   */
  readonly maxElements?: number;
}

export interface LoopSpec {
  /** A name for messages: the loop's opening segment. */
  readonly loop: string;
  /** Loop Identifier Code (447) as the standard's transaction set diagram gives it: 999 CTX04. */
  readonly id: string;
  readonly req: 'M' | 'O';
  readonly max: number;
  /** The first entry is the loop's opening segment. */
  readonly body: readonly (SegmentSpec | LoopSpec)[];
}

export interface SetSchema {
  readonly setId: string;
  /** Between ST and SE. */
  readonly body: readonly (SegmentSpec | LoopSpec)[];
  readonly hierarchy?: HierarchySpec;
}

/**
 * A parent-pointer hierarchy (X12 HL) and the level codes an implementation allows only under
 * parents of some levels: a code valid in the standard but not in that context is reported as
 * 999 IK403 `I6` (code value not used in the implementation; 997 AK403 7) with the parent's level
 * code as its situational trigger.
 */
export interface HierarchySpec {
  readonly seg: string;
  /** 1-based element positions of the id, the parent id and the level code. */
  readonly id: number;
  readonly parent: number;
  readonly level: number;
  /** Level code → the parent level codes it may sit under. */
  readonly parents: Readonly<Record<string, readonly string[]>>;
}

export interface SetValidationContext {
  readonly interchangeControlNumber?: string;
  readonly groupControlNumber?: string;
  readonly transactionControlNumber?: string;
}

/* -------------------------------------------------------------------------------------------- */
/* Segment access: the only places the validator reads a segment's elements (x12-segment.ts).  */

/** Element `i` (0-based) carries data: some component is not empty or blank. */
function presentAt(seg: Segment, i: number): boolean {
  if (seg instanceof X12Segment && seg.simple) {
    if (i >= seg.elementCount) return false;
    const text = seg.src;
    for (let k = seg.start(i), end = seg.end(i); k < end; k++) if (text.charCodeAt(k) !== 32) return true;
    return false;
  }
  const el = seg.elements[i];
  if (el === undefined) return false;
  const v = el[0]!;
  if (v.length > 0 && v.charCodeAt(0) !== 32) return true;
  for (let c = 0; c < el.length; c++) if (!isBlank(el[c]!)) return true;
  return false;
}

function isBlank(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) !== 32) return false;
  return true;
}

/* -------------------------------------------------------------------------------------------- */
/* Compiled schemas                                                                             */

const T_AN = 0;
const T_ID = 1;
const T_N = 2;
const T_R = 3;
const T_DT = 4;
const T_TM = 5;
const TYPE_CODE: Readonly<Record<ElementType, number>> = {
  AN: T_AN,
  ID: T_ID,
  N0: T_N,
  N2: T_N,
  R: T_R,
  DT: T_DT,
  TM: T_TM,
};

interface CElement {
  readonly mandatory: boolean;
  readonly type: number;
  readonly min: number;
  readonly max: number;
  /** Allowed codes by `shortCode` when they all are short alphanumerics (most are), else by text. */
  readonly shortCodes: Int32Array | undefined;
  readonly codes: ReadonlySet<string> | undefined;
  readonly codeList: string;
}

interface CNote {
  readonly kind: 'P' | 'R' | 'E' | 'C' | 'L';
  readonly text: SyntaxNote;
  /** 0-based element indexes, in the note's order. */
  readonly at: readonly number[];
  /** Bit `index` set for the note's first element, and for the others. */
  readonly first: number;
  readonly rest: number;
}

interface CSegment {
  readonly isLoop: false;
  readonly tag: string;
  readonly mandatory: boolean;
  readonly max: number;
  /**
   * The elements to read, ascending 0-based indexes: those with a spec and those a note names, so
   * that each is read once. `specs` and `noteBits` run alongside (no spec: not checked itself).
   */
  readonly scan: Int32Array;
  readonly specs: readonly (CElement | undefined)[];
  readonly noteBits: Int32Array;
  /** One past the last mandatory element in `scan`. */
  readonly mandatoryEnd: number;
  readonly notes: readonly CNote[];
  readonly noteTable: NoteTable | undefined;
  readonly refs: readonly number[] | undefined;
  /** Anything to check in the segment's elements at all. */
  readonly checked: boolean;
  /** The schema's hierarchy segment (HL): its parent's level is checked. */
  readonly hierarchy: boolean;
  /** Bit `index` (0-based) set for the composite elements, and for the repeating ones. */
  readonly composites: number;
  readonly repeats: number;
  /** The segment's defined element count (`SegmentSpec.maxElements`), or the largest int32. */
  readonly maxElements: number;
}

interface CLoop {
  readonly isLoop: true;
  readonly tag: string;
  /** The loop's name, for messages. */
  readonly name: string;
  readonly mandatory: boolean;
  readonly max: number;
  readonly body: CBody;
}

type CEntry = CSegment | CLoop;

interface CBody {
  readonly entries: readonly CEntry[];
  /**
   * `nextAt[tagId * stride + from]`: the first entry at or after `from` that a segment with that tag
   * opens, or -1; so each segment finds its place with one array read (ids past the table: -1).
   */
  readonly nextAt: Int16Array;
  readonly stride: number;
  /** One past the last mandatory entry: the missing-segment scan stops there. */
  readonly mandatoryEnd: number;
  /** The Loop Identifier Code of the loop this body belongs to; undefined for the set's top level. */
  readonly loopId: string | undefined;
  /**
   * Occurrences per entry of the instance being walked (a loop never contains itself, so one per
   * body suffices). Zeroed up to the last entry reached when the instance ends.
   */
  readonly counts: Int32Array;
}

interface CompiledSchema {
  readonly setId: string;
  readonly body: CBody;
  readonly bodies: readonly CBody[];
  /** A walk is under way or ended by an exception: counters may need zeroing first. */
  dirty: boolean;
  readonly known: ReadonlySet<string>;
  /** The walk's stack, preallocated to the schema's loop depth. */
  readonly stack: CBody[];
  readonly stackIdx: Int32Array;
  readonly hierarchy: CHierarchy | undefined;
}

interface CHierarchy {
  /** 0-based element indexes. */
  readonly id: number;
  readonly parent: number;
  readonly level: number;
  readonly parents: ReadonlyMap<string, ReadonlySet<string>>;
  readonly tag: string;
  /**
   * Scratch for the walk: the last parent looked up and its segment index (-1: none), since
   * siblings share their parent. Otherwise a parent is looked for in the few segments before its
   * child, and past those in an index of ids built on demand (each segment indexed once, so a set
   * of far or missing parents stays linear); HL segments whose level has no rule cost nothing.
   */
  lastParentId: string;
  lastParentAt: number;
  readonly index: Map<string, number>;
  indexedUpTo: number;
}

/** How far back a parent is looked for segment by segment before the id index is used. */
const PARENT_WINDOW = 64;

/**
 * A 1–3 character [0-9A-Z] string as a number (base 37, 0 = no character), or -1. Segment tags and
 * most code values are such strings; numbers compare and hash without the string compares a Map
 * or Set with string keys does for every freshly tokenized value.
 */
function shortCode(t: string, from = 0, to = t.length): number {
  const n = to - from;
  if (n <= 0 || n > 3) return -1;
  const a = t.charCodeAt(from);
  const b = n > 1 ? t.charCodeAt(from + 1) : 0;
  const c = n > 2 ? t.charCodeAt(from + 2) : 0;
  if ((a | b | c) >= 128) return -1;
  const da = BASE37[a]!;
  const db = BASE37[b]!;
  const dc = BASE37[c]!;
  if (da === 0 || (n > 1 && db === 0) || (n > 2 && dc === 0)) return -1;
  return (da * 37 + db) * 37 + dc;
}

/** '0'–'9' → 1–10, 'A'–'Z' → 11–36, anything else 0 (also the padding digit). */
const BASE37 = new Uint8Array(128);
for (let ch = 48; ch <= 57; ch++) BASE37[ch] = ch - 47;
for (let ch = 65; ch <= 90; ch++) BASE37[ch] = ch - 54;

/** Segment tag code → a small id shared by all compiled schemas (-1: no schema lists it). */
const TAG_IDS = new Int16Array(37 * 37 * 37).fill(-1);
let tagIdCount = 0;

function tagId(tag: string, assign: boolean): number {
  const code = shortCode(tag);
  if (code < 0) {
    if (assign) throw new Error(`segment tag ${tag} is not 2–3 letters and digits`);
    return -1;
  }
  let id = TAG_IDS[code]!;
  if (id < 0 && assign) TAG_IDS[code] = id = tagIdCount++;
  return id;
}

const NOTE_KINDS = 'PRECL';

function compileNote(text: SyntaxNote, tag: string): CNote {
  const kind = text[0] as CNote['kind'];
  const digits = text.slice(1);
  if (!NOTE_KINDS.includes(kind) || digits.length < 4 || digits.length % 2 !== 0 || !/^\d+$/.test(digits))
    throw new Error(`${tag}: malformed syntax note ${text}`);
  const at: number[] = [];
  for (let i = 0; i < digits.length; i += 2) at.push(Number(digits.slice(i, i + 2)) - 1);
  if (at.some((a) => a < 0 || a > 30))
    throw new Error(`${tag}: syntax note ${text} names an element past 31`);
  const rest = at.slice(1).reduce((m, a) => m | (1 << a), 0);
  return { kind, text, at, first: 1 << at[0]!, rest };
}

const K_P = 0;
const K_R = 1;
const K_E = 2;
const K_C = 3;
const K_L = 4;
const KIND_CODE: Readonly<Record<CNote['kind'], number>> = { P: K_P, R: K_R, E: K_E, C: K_C, L: K_L };

/**
 * A segment's notes as flat arrays for the all-hold test: R notes first, then by lowest element,
 * so the test stops at the first note that names only elements past the segment's last one.
 */
interface NoteTable {
  readonly kind: Uint8Array;
  readonly first: Int32Array;
  readonly rest: Int32Array;
  readonly low: Uint8Array;
}

function noteTable(notes: readonly CNote[]): NoteTable | undefined {
  if (notes.length === 0) return undefined;
  const sorted = [...notes].sort(
    (a, b) => Number(b.kind === 'R') - Number(a.kind === 'R') || Math.min(...a.at) - Math.min(...b.at),
  );
  return {
    kind: Uint8Array.from(sorted, (n) => KIND_CODE[n.kind]),
    first: Int32Array.from(sorted, (n) => n.first),
    rest: Int32Array.from(sorted, (n) => n.rest),
    low: Uint8Array.from(sorted, (n) => Math.min(...n.at)),
  };
}

/** Whether every note holds, given the bit mask of the elements present and how many the segment has. */
function notesHold(t: NoteTable, present: number, count: number): boolean {
  const kind = t.kind;
  for (let n = 0; n < kind.length; n++) {
    const k = kind[n]!;
    if (k !== K_R && t.low[n]! >= count) break;
    const first = t.first[n]!;
    const rest = t.rest[n]!;
    const m = present & (first | rest);
    if (k === K_P) {
      if (m !== 0 && m !== (first | rest)) return false;
    } else if (k === K_R) {
      if (m === 0) return false;
    } else if (k === K_E) {
      if ((m & (m - 1)) !== 0) return false;
    } else if ((m & first) !== 0) {
      if (k === K_C ? (m & rest) !== rest : (m & rest) === 0) return false;
    }
  }
  return true;
}

function compileBody(
  entries: readonly (SegmentSpec | LoopSpec)[],
  loopId: string | undefined,
  known: Set<string>,
  bodies: CBody[],
  hierarchyTag: string | undefined,
): { body: CBody; depth: number } {
  const out: CEntry[] = [];
  let depth = 1;
  let mandatoryEnd = 0;
  entries.forEach((e, i) => {
    let c: CEntry;
    if ('loop' in e) {
      const inner = compileBody(e.body, e.id, known, bodies, hierarchyTag);
      depth = Math.max(depth, inner.depth + 1);
      c = {
        isLoop: true,
        tag: inner.body.entries[0]!.tag,
        name: e.loop,
        mandatory: e.req === 'M',
        max: e.max,
        body: inner.body,
      };
    } else {
      known.add(e.seg);
      const notes = (e.notes ?? []).map((n) => compileNote(n, e.seg));
      const named = new Set(notes.flatMap((n) => n.at));
      const scan: number[] = [];
      const specs: (CElement | undefined)[] = [];
      const end = Math.max(e.elements?.length ?? 0, ...[...named].map((a) => a + 1));
      for (let at = 0; at < end; at++) {
        const spec = e.elements?.[at];
        if (!spec && !named.has(at)) continue;
        scan.push(at);
        specs.push(
          spec && {
            mandatory: spec.req === 'M',
            type: TYPE_CODE[spec.type],
            min: spec.min,
            max: spec.max,
            shortCodes:
              spec.codes && spec.codes.every((v) => shortCode(v) >= 0)
                ? Int32Array.from(spec.codes, (v) => shortCode(v))
                : undefined,
            codes: spec.codes ? new Set(spec.codes) : undefined,
            codeList: spec.codes ? spec.codes.join(', ') : '',
          },
        );
      }
      c = {
        isLoop: false,
        tag: e.seg,
        mandatory: e.req === 'M',
        max: e.max,
        scan: Int32Array.from(scan),
        specs,
        noteBits: Int32Array.from(scan, (at) => (named.has(at) ? 1 << at : 0)),
        mandatoryEnd: specs.reduce((end, sp, k) => (sp?.mandatory ? k + 1 : end), 0),
        notes,
        noteTable: noteTable(notes),
        refs: e.refs,
        checked: scan.length > 0 || e.maxElements !== undefined,
        hierarchy: e.seg === hierarchyTag,
        composites: bitsOf(e.composites),
        repeats: bitsOf(e.repeats),
        maxElements: e.maxElements ?? 0x7fffffff,
      };
    }
    out.push(c);
    if (c.mandatory) mandatoryEnd = i + 1;
  });
  const ids = out.map((e) => tagId(e.tag, true));
  const stride = out.length;
  const nextAt = new Int16Array(tagIdCount * stride).fill(-1);
  for (let from = 0; from < stride; from++)
    for (let k = stride - 1; k >= from; k--) nextAt[ids[k]! * stride + from] = k;
  const body: CBody = {
    entries: out,
    nextAt,
    stride,
    mandatoryEnd,
    loopId,
    counts: new Int32Array(out.length),
  };
  bodies.push(body);
  return { body, depth };
}

/** 1-based element positions (up to 31) as a bit mask of 0-based indexes. */
const bitsOf = (positions: readonly number[] | undefined): number =>
  (positions ?? []).reduce((m, p) => m | (1 << (p - 1)), 0);

const compiled = new WeakMap<SetSchema, CompiledSchema>();

function compile(schema: SetSchema): CompiledSchema {
  let c = compiled.get(schema);
  if (!c) {
    const known = new Set<string>();
    const bodies: CBody[] = [];
    const h = schema.hierarchy;
    const { body, depth } = compileBody(schema.body, undefined, known, bodies, h?.seg);
    c = {
      setId: schema.setId,
      body,
      bodies,
      dirty: false,
      known,
      stack: new Array<CBody>(depth).fill(body),
      stackIdx: new Int32Array(depth),
      hierarchy: h && {
        id: h.id - 1,
        parent: h.parent - 1,
        level: h.level - 1,
        parents: new Map(Object.entries(h.parents).map(([code, under]) => [code, new Set(under)])),
        tag: h.seg,
        lastParentId: '',
        lastParentAt: -1,
        index: new Map(),
        indexedUpTo: 0,
      },
    };
    compiled.set(schema, c);
  }
  return c;
}

/* -------------------------------------------------------------------------------------------- */
/* Walk                                                                                         */

const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

let segmentIds: ReadonlySet<string> | undefined;

/**
 * The segment ids of every set we have a schema for: a segment out of place that is one of them
 * is a segment "not in defined transaction set" (AK304 6); any other well-formed id is
 * "unrecognized" (1). Without the standard's segment directory, an id of a set we have no schema
 * for counts as unrecognized.
 */
function definedSegmentIds(): ReadonlySet<string> {
  if (segmentIds === undefined) {
    const ids = new Set<string>(['ST', 'SE', 'GS', 'GE', 'ISA', 'IEA', 'TA1']);
    for (const schema of Object.values(X12_SET_SCHEMAS)) compile(schema).known.forEach((t) => ids.add(t));
    segmentIds = ids;
  }
  return segmentIds;
}

/**
 * Validates a set's segments (ST … SE inclusive, or the body alone) against `schema`.
 * Synchronous and not re-entered: the compiled schema's scratch stack is reused call after call.
 */
export function validateSet(
  schema: SetSchema,
  segments: readonly Segment[],
  ctx: SetValidationContext = {},
): Diagnostic[] {
  return walk(schema, segments, ctx, undefined);
}

/**
 * Adds the loop (AK303/IK303) and the element's reference number (AK402/IK402) to diagnostics that
 * another step reported on this set's segments (the map: HL ids and parents, values it cannot
 * convert), from the same walk validateSet makes. For the rare set that has such diagnostics.
 */
export function locateInSet(
  schema: SetSchema,
  segments: readonly Segment[],
  diagnostics: Diagnostic[],
): void {
  if (diagnostics.length > 0) walk(schema, segments, {}, diagnostics);
}

/**
 * The Loop Identifier Code (AK303/IK303) of segment `tag` when it is absent: the loop it opens,
 * else the loop it sits in (the first place the schema has it); undefined at the set's top level
 * or when the schema has no such segment.
 */
export function loopIdForSegment(schema: SetSchema, tag: string): string | undefined {
  const find = (
    body: readonly (SegmentSpec | LoopSpec)[],
    loopId: string | undefined,
  ): { found: boolean; loopId: string | undefined } => {
    for (const e of body) {
      if ('loop' in e) {
        if (e.loop === tag) return { found: true, loopId: e.id };
        const inner = find(e.body, e.id);
        if (inner.found) return inner;
      } else if (e.seg === tag) return { found: true, loopId };
    }
    return { found: false, loopId: undefined };
  };
  return find(schema.body, undefined).loopId;
}

/** The set walk; `others`, when given, are located as the walk passes their segments. */
function walk(
  schema: SetSchema,
  segments: readonly Segment[],
  ctx: SetValidationContext,
  others: Diagnostic[] | undefined,
): Diagnostic[] {
  const c = compile(schema);
  const out: Diagnostic[] = [];
  const stack = c.stack;
  const stackIdx = c.stackIdx;
  const first = segments.length > 0 && segments[0]!.tag === 'ST' ? 1 : 0;
  const last =
    segments.length > 0 && segments[segments.length - 1]!.tag === 'SE'
      ? segments.length - 1
      : segments.length;
  let sp = 0;
  stack[0] = c.body;
  stackIdx[0] = 0;
  if (c.dirty) for (const b of c.bodies) b.counts.fill(0);
  c.dirty = true;
  if (c.hierarchy) {
    c.hierarchy.lastParentId = '';
    c.hierarchy.lastParentAt = -1;
    c.hierarchy.indexedUpTo = 0;
    if (c.hierarchy.index.size > 0) c.hierarchy.index.clear();
  }
  const offsetToPosition = first === 1 ? 1 : 2;
  for (let i = first; i < last; i++) {
    const seg = segments[i]!;
    const tag = seg.tag;
    const id = tagId(tag, false);
    const position = i + offsetToPosition;
    const reportedBefore = out.length;
    let matched: CSegment | undefined;
    for (;;) {
      const body = stack[sp]!;
      const from = stackIdx[sp]!;
      const counts = body.counts;
      const slot = id * body.stride + from;
      let k = id >= 0 && slot < body.nextAt.length ? body.nextAt[slot]! : -1;
      // Inside a loop, its opening tag again means a new instance: let the parent handle it.
      if (k === 0 && sp > 0 && counts[0]! > 0) k = -1;
      if (k >= 0) {
        if (k > from && from < body.mandatoryEnd)
          missing(body, from + (counts[from]! > 0 ? 1 : 0), k, position, out, ctx);
        const e = body.entries[k]!;
        const n = ++counts[k]!;
        stackIdx[sp] = k;
        if (n > e.max) {
          out.push(
            e.isLoop
              ? segmentDiagnostic(
                  seg,
                  position,
                  ctx,
                  '4',
                  'LOOP_OVER_MAX',
                  `loop ${e.name} occurs more than ${e.max} times`,
                )
              : segmentDiagnostic(
                  seg,
                  position,
                  ctx,
                  '5',
                  'SEGMENT_OVER_MAX',
                  `segment ${tag} occurs more than ${e.max} times`,
                ),
          );
        }
        if (e.isLoop) {
          sp++;
          stack[sp] = e.body;
          stackIdx[sp] = 0;
          continue; // re-run: the opening segment is matched inside the new frame
        }
        matched = e;
        if (e.checked) checkElements(e, seg, position, body.loopId, out, ctx);
        // Only the rare segment the tokenizer split on a component or repetition separator.
        if (!(seg instanceof X12Segment && seg.simple)) checkSeparators(e, seg, position, out, ctx);
        if (e.hierarchy)
          checkParentLevel(c.hierarchy!, e, segments, i, offsetToPosition, body.loopId, out, ctx);
        break;
      }
      if (sp > 0) {
        sp--;
        const reached = stackIdx[sp + 1]!;
        missing(body, reached + 1, body.entries.length, position, out, ctx);
        for (let z = 0; z <= reached; z++) counts[z] = 0;
        continue;
      }
      // At the top and nowhere ahead: out of order, unexpected, or unknown.
      if (c.known.has(tag))
        out.push(
          segmentDiagnostic(
            seg,
            position,
            ctx,
            '7',
            'SEGMENT_OUT_OF_ORDER',
            `segment ${tag} is out of sequence`,
          ),
        );
      else if (!SEGMENT_ID.test(tag))
        out.push(
          segmentDiagnostic(seg, position, ctx, '1', 'UNRECOGNIZED_SEGMENT', `"${tag}" is not a segment id`),
        );
      else if (definedSegmentIds().has(tag))
        out.push({
          ...segmentDiagnostic(
            seg,
            position,
            ctx,
            '6',
            'SEGMENT_NOT_IN_SET',
            `segment ${tag} is not in the ${c.setId} transaction set; ignored`,
          ),
          severity: 'warning',
        });
      else
        out.push({
          ...segmentDiagnostic(
            seg,
            position,
            ctx,
            '1',
            'UNRECOGNIZED_SEGMENT',
            `segment ${tag} is not a segment we know; ignored`,
          ),
          severity: 'warning',
        });
      break;
    }
    if (out.length > reportedBefore) locate(out, reportedBefore, seg, position, stack[sp]!, matched);
    if (others !== undefined) locate(others, 0, seg, position, stack[sp]!, matched);
  }
  const sePosition = last - first + 2;
  for (; sp >= 0; sp--) {
    const body = stack[sp]!;
    const from = stackIdx[sp]!;
    missing(body, from + (body.counts[from]! > 0 ? 1 : 0), body.entries.length, sePosition, out, ctx);
    for (let z = 0; z <= from; z++) body.counts[z] = 0;
  }
  c.dirty = false;
  return out;
}

function segmentDiagnostic(
  seg: Segment,
  position: number,
  ctx: SetValidationContext,
  code: string,
  rule: string,
  message: string,
): Diagnostic {
  return {
    severity: 'error',
    level: 'segment',
    ...ctx,
    segmentId: seg.tag,
    offset: seg.offset,
    segmentPosition: position,
    code,
    rule,
    message,
  };
}

const loopIdOf = (body: CBody): { loopId?: string } =>
  body.loopId !== undefined ? { loopId: body.loopId } : {};

/**
 * Adds where `seg` sits to the diagnostics reported on it from `from` on: its loop (AK303/IK303)
 * and each element's reference number (AK402/IK402). Runs only when there are errors; a missing
 * segment noticed at this position is another segment, whose loop `missing` named.
 */
function locate(
  out: Diagnostic[],
  from: number,
  seg: Segment,
  position: number,
  body: CBody,
  spec: CSegment | undefined,
): void {
  for (let d = from; d < out.length; d++) {
    const diag = out[d]!;
    if (diag.segmentPosition !== position || diag.segmentId !== seg.tag) continue;
    const ref = diag.elementPosition !== undefined ? spec?.refs?.[diag.elementPosition - 1] : undefined;
    out[d] = {
      ...diag,
      ...(diag.loopId === undefined ? loopIdOf(body) : {}),
      ...(ref !== undefined ? { elementReference: ref } : {}),
    };
  }
}

/** Mandatory entries in [from, to) of the instance being walked that did not occur. */
function missing(
  body: CBody,
  from: number,
  to: number,
  position: number,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  const end = to < body.mandatoryEnd ? to : body.mandatoryEnd;
  for (let k = from; k < end; k++) {
    const e = body.entries[k]!;
    if (e.mandatory && body.counts[k] === 0) {
      out.push({
        severity: 'error',
        level: 'segment',
        ...ctx,
        segmentPosition: position,
        segmentId: e.tag,
        ...loopIdOf(e.isLoop ? e.body : body),
        code: '3',
        rule: 'MANDATORY_SEGMENT_MISSING',
        message: `mandatory segment ${e.tag} missing`,
      });
    }
  }
}

const elementName = (tag: string, index: number): string => `${tag}${String(index + 1).padStart(2, '0')}`;

function elementDiagnostic(
  seg: Segment,
  position: number,
  index: number,
  ctx: SetValidationContext,
  code: string,
  rule: string,
  message: string,
  trigger?: DiagnosticTrigger,
): Diagnostic {
  return {
    severity: 'error',
    level: 'element',
    ...ctx,
    segmentId: seg.tag,
    segmentPosition: position,
    elementPosition: index + 1,
    offset: seg.offset,
    code,
    rule,
    message,
    ...(trigger ? { trigger } : {}),
  };
}

/** Scratch for `elementSpan`: the walk is synchronous, so one object serves every element. */
const SPAN: ElementSpan = { src: '', start: 0, end: 0 };

function checkElements(
  spec: CSegment,
  seg: Segment,
  position: number,
  loopId: string | undefined,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  const scan = spec.scan;
  const specs = spec.specs;
  const noteBits = spec.noteBits;
  const firstOfSegment = out.length;
  const count = elementCount(seg);
  const span = SPAN;
  let present = 0;
  let j = 0;
  for (; j < scan.length; j++) {
    const i = scan[j]!;
    if (i >= count) break;
    const s = specs[j];
    elementSpan(seg, i, span);
    let v = span.src;
    let a = span.start;
    let b = span.end;
    if (s === undefined) {
      // Only a note names it: presence is all that counts.
      if (b > a ? v.charCodeAt(a) !== 32 || presentAt(seg, i) : presentAt(seg, i)) present |= noteBits[j]!;
      continue;
    }
    if (b > a && (v.charCodeAt(a) === 32 || v.charCodeAt(b - 1) === 32)) {
      v = v.slice(a, b).trim();
      a = 0;
      b = v.length;
    }
    if (b === a) {
      // A blank first component: the element may still carry data in a later component.
      if (noteBits[j] !== 0 && presentAt(seg, i)) present |= noteBits[j]!;
      if (s !== undefined && s.mandatory)
        out.push(
          elementDiagnostic(
            seg,
            position,
            i,
            ctx,
            '1',
            'MANDATORY_ELEMENT_MISSING',
            `${elementName(seg.tag, i)} is mandatory`,
          ),
        );
      continue;
    }
    present |= noteBits[j]!;
    if (s === undefined) continue;
    const problem = checkValue(s, v, a, b);
    if (problem !== 0) reportValue(s, v.slice(a, b), problem, seg, position, i, out, ctx);
  }
  // Past the segment's last element only mandatory elements have anything to report.
  for (; j < spec.mandatoryEnd; j++) {
    const s = specs[j];
    if (s !== undefined && s.mandatory)
      out.push(
        elementDiagnostic(
          seg,
          position,
          scan[j]!,
          ctx,
          '1',
          'MANDATORY_ELEMENT_MISSING',
          `${elementName(seg.tag, scan[j]!)} is mandatory`,
        ),
      );
  }
  if (count > spec.maxElements) tooManyElements(spec, seg, position, out, ctx);
  // The common case, every note holding, costs a few bit tests.
  const table = spec.noteTable;
  if (table !== undefined && !notesHold(table, present, count))
    checkNotes(spec, seg, position, loopId, firstOfSegment, out, ctx);
}

/** AK4/IK4 3 on the first element past the segment's defined ones, the copy being its data. */
function tooManyElements(
  spec: CSegment,
  seg: Segment,
  position: number,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  // Empty elements past the end (a trailing separator some partners leave) carry nothing extra.
  let index = spec.maxElements;
  const count = elementCount(seg);
  while (index < count && !presentAt(seg, index)) index++;
  if (index === count) return;
  out.push({
    ...elementDiagnostic(
      seg,
      position,
      index,
      ctx,
      '3',
      'TOO_MANY_ELEMENTS',
      `${elementName(seg.tag, index)}: ${seg.tag} has ${spec.maxElements} elements, not ${count}`,
    ),
    badData: copyOfValue(elementText(seg, index)),
  });
}

/**
 * A component separator in a simple element, or a repetition separator in an element that does
 * not repeat: AK4/IK4 6 "invalid character in data element" (a 999 says 12 "too many repetitions"
 * for the repetition; a 997 has no such code). The copy of the bad data is the whole element, so
 * the ack shows what the value would have been cut to.
 */
function checkSeparators(
  spec: CSegment,
  seg: Segment,
  position: number,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  const elements = seg.elements;
  const repetitions = seg.repetitions;
  for (let i = 0; i < elements.length; i++) {
    const bit = i < 31 ? 1 << i : 0;
    const name = elementName(seg.tag, i);
    if (repetitions?.has(i + 1) === true && (spec.repeats & bit) === 0)
      out.push({
        ...elementDiagnostic(
          seg,
          position,
          i,
          ctx,
          '6',
          'REPETITION_NOT_ALLOWED',
          `${name} does not repeat: the repetition separator in "${shownValue(wholeElement(seg, i))}" is not allowed in its data`,
        ),
        implementationCode: '12',
        badData: copyOfValue(wholeElement(seg, i)),
      });
    else if (elements[i]!.length > 1 && (spec.composites & bit) === 0)
      out.push({
        ...elementDiagnostic(
          seg,
          position,
          i,
          ctx,
          '6',
          'COMPONENT_IN_SIMPLE_ELEMENT',
          `${name} is not a composite: the component separator in "${shownValue(wholeElement(seg, i))}" is not allowed in its data`,
        ),
        badData: copyOfValue(wholeElement(seg, i)),
      });
    if (holdsNul(seg, i))
      out.push({
        ...elementDiagnostic(
          seg,
          position,
          i,
          ctx,
          '6',
          'INVALID_CHARACTER',
          `${name} "${shownValue(wholeElement(seg, i))}" contains the NUL character (U+0000), which no X12 character set has`,
        ),
        badData: copyOfValue(wholeElement(seg, i)),
      });
  }
}

/** Whether element `i` holds a NUL in any component or repetition (the tokenizer split its segment). */
function holdsNul(seg: Segment, i: number): boolean {
  const has = (components: readonly string[] | undefined): boolean =>
    components !== undefined && components.some((c) => c.includes('\u0000'));
  return has(seg.elements[i]) || (seg.repetitions?.get(i + 1)?.some(has) ?? false);
}

/**
 * A value as a message quotes it: a hostile or broken file can hold an element of megabytes, and
 * each diagnostic quoting it whole (it is kept with the message and printed) multiplied the input.
 */
function shownValue(v: string): string {
  return v.length <= 80 ? v : `${v.slice(0, 80)}… (${v.length} characters)`;
}

/** The copy of bad data a diagnostic keeps: at most what AK404/IK404 carries (AN 1/99). */
function copyOfValue(v: string): string {
  // By code point, as the ack writer counts: a cut must not split a surrogate pair.
  return v.length <= 99 ? v : Array.from(v.slice(0, 198)).slice(0, 99).join('');
}

/** Element `i` (0-based) as received, separators included: a split segment's `src` is its own text. */
function wholeElement(seg: Segment, i: number): string {
  if (seg instanceof X12Segment) {
    const text = seg.src;
    const parts = text.split(text.charAt(seg.tag.length));
    return parts[i + 1] ?? '';
  }
  return (seg.repetitions?.get(i + 1) ?? [seg.elements[i] ?? []]).map((r) => r.join(':')).join('^');
}

/** A plain loop: code lists are short, and TypedArray#includes is a call the optimizer keeps out of line. */
function hasCode(codes: Int32Array, code: number): boolean {
  for (let i = 0; i < codes.length; i++) if (codes[i] === code) return true;
  return false;
}

/* Problems a value can have, as bits, so the common case (none) returns a plain 0. */
const TOO_SHORT = 1;
const TOO_LONG = 2;
const BAD_CHARS = 4;
const BAD_CODE = 8;
const BAD_DATE = 16;
const BAD_TIME = 32;

const isDigit = (ch: number): boolean => ch >= 48 && ch <= 57;

/**
 * The problems of the value `v.slice(from, to)` under `s` (0 when it is fine): length, characters,
 * code, date or time. It is read in place: most values are checked and never needed as strings.
 */
function checkValue(s: CElement, v: string, from: number, to: number): number {
  const n = to;
  let len = to - from;
  let bad = 0;
  switch (s.type) {
    case T_N: {
      // Length counts digits: a leading minus sign is not part of it.
      const start = from + (v.charCodeAt(from) === 45 ? 1 : 0);
      len = n - start;
      if (len === 0) bad = BAD_CHARS;
      for (let i = start; i < n; i++) if (!isDigit(v.charCodeAt(i))) bad = BAD_CHARS;
      break;
    }
    case T_R: {
      // Neither the sign nor the decimal point count toward the length.
      const start = from + (v.charCodeAt(from) === 45 ? 1 : 0);
      let digits = 0;
      let dots = 0;
      len = 0;
      for (let i = from; i < n; i++) {
        const ch = v.charCodeAt(i);
        if (ch !== 45 && ch !== 46) len++;
        if (i < start) continue;
        if (isDigit(ch)) digits++;
        else if (ch === 46) dots++;
        else bad = BAD_CHARS;
      }
      if (digits === 0 || dots > 1) bad = BAD_CHARS;
      break;
    }
    case T_DT:
      if (parseEdiDate(v.slice(from, to)) === undefined) bad = BAD_DATE;
      break;
    case T_TM:
      if (parseEdiTime(v.slice(from, to)) === undefined) bad = BAD_TIME;
      break;
    default:
      if (s.shortCodes !== undefined) {
        if (!hasCode(s.shortCodes, shortCode(v, from, to))) bad = BAD_CODE;
      } else if (s.codes !== undefined && !s.codes.has(v.slice(from, to))) bad = BAD_CODE;
  }
  if (len < s.min) bad |= TOO_SHORT;
  else if (len > s.max) bad |= TOO_LONG;
  return bad;
}

function reportValue(
  s: CElement,
  v: string,
  problem: number,
  seg: Segment,
  position: number,
  i: number,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  const name = elementName(seg.tag, i);
  const badData = copyOfValue(elementText(seg, i));
  const add = (code: string, rule: string, message: string): void => {
    out.push({ ...elementDiagnostic(seg, position, i, ctx, code, rule, message), badData });
  };
  const shown = shownValue(v);
  if (problem & TOO_SHORT) add('4', 'ELEMENT_TOO_SHORT', `${name} "${shown}" is shorter than ${s.min}`);
  if (problem & TOO_LONG) add('5', 'ELEMENT_TOO_LONG', `${name} "${shown}" is longer than ${s.max}`);
  if (problem & BAD_CHARS)
    add(
      '6',
      'INVALID_CHARACTER',
      `${name} "${shown}" is not ${s.type === T_R ? 'a decimal number' : 'numeric'}`,
    );
  if (problem & BAD_DATE) add('8', 'INVALID_DATE', `${name} "${shown}" is not a valid date`);
  if (problem & BAD_TIME) add('9', 'INVALID_TIME', `${name} "${shown}" is not a valid time`);
  if (problem & BAD_CODE) add('7', 'INVALID_CODE', `${name} "${shown}" is not one of ${s.codeList}`);
}

/**
 * Syntax notes: a requirement that a note adds is AK4/IK4 code 2, an exclusion it breaks code 10.
 * An element already reported for this segment (e.g. as mandatory) is not reported again.
 */
function checkNotes(
  spec: CSegment,
  seg: Segment,
  position: number,
  loopId: string | undefined,
  firstOfSegment: number,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  const notes = spec.notes;
  for (let n = 0; n < notes.length; n++) {
    const note = notes[n]!;
    const at = note.at;
    switch (note.kind) {
      case 'P': {
        let present = -1;
        let absent = false;
        for (let j = 0; j < at.length; j++) {
          if (presentAt(seg, at[j]!)) {
            if (present < 0) present = at[j]!;
          } else absent = true;
        }
        if (present >= 0 && absent)
          for (let j = 0; j < at.length; j++)
            if (!presentAt(seg, at[j]!))
              requirement(spec, note, seg, position, at[j]!, present, loopId, firstOfSegment, out, ctx);
        break;
      }
      case 'R': {
        let any = false;
        for (let j = 0; j < at.length && !any; j++) any = presentAt(seg, at[j]!);
        if (!any) requirement(spec, note, seg, position, at[0]!, -1, loopId, firstOfSegment, out, ctx);
        break;
      }
      case 'E': {
        let present = -1;
        for (let j = 0; j < at.length; j++) {
          if (!presentAt(seg, at[j]!)) continue;
          if (present < 0) present = at[j]!;
          else if (!reported(out, firstOfSegment, at[j]! + 1))
            out.push({
              ...elementDiagnostic(
                seg,
                position,
                at[j]!,
                ctx,
                '10',
                'EXCLUSION_VIOLATED',
                `${elementName(seg.tag, at[j]!)} may not be present with ${elementName(seg.tag, present)} (syntax note ${note.text})`,
                triggerOf(spec, seg, position, loopId, present),
              ),
              badData: copyOfValue(elementText(seg, at[j]!)),
            });
        }
        break;
      }
      case 'C':
        if (presentAt(seg, at[0]!))
          for (let j = 1; j < at.length; j++)
            if (!presentAt(seg, at[j]!))
              requirement(spec, note, seg, position, at[j]!, at[0]!, loopId, firstOfSegment, out, ctx);
        break;
      case 'L':
        if (presentAt(seg, at[0]!)) {
          let any = false;
          for (let j = 1; j < at.length && !any; j++) any = presentAt(seg, at[j]!);
          if (!any) requirement(spec, note, seg, position, at[1]!, at[0]!, loopId, firstOfSegment, out, ctx);
        }
        break;
    }
  }
}

function triggerOf(
  spec: CSegment,
  seg: Segment,
  position: number,
  loopId: string | undefined,
  index: number,
): DiagnosticTrigger {
  const ref = spec.refs?.[index];
  return {
    segmentId: seg.tag,
    segmentPosition: position,
    ...(loopId !== undefined ? { loopId } : {}),
    elementPosition: index + 1,
    ...(ref !== undefined ? { elementReference: ref } : {}),
  };
}

function reported(out: readonly Diagnostic[], from: number, elementPosition: number): boolean {
  for (let d = from; d < out.length; d++) if (out[d]!.elementPosition === elementPosition) return true;
  return false;
}

/** A conditional element `missingIndex` that note requires; `triggerIndex` < 0 when nothing triggered it (R). */
function requirement(
  spec: CSegment,
  note: CNote,
  seg: Segment,
  position: number,
  missingIndex: number,
  triggerIndex: number,
  loopId: string | undefined,
  firstOfSegment: number,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  if (reported(out, firstOfSegment, missingIndex + 1)) return;
  const name = elementName(seg.tag, missingIndex);
  const why =
    note.kind === 'R'
      ? `at least one of ${note.at.map((a) => elementName(seg.tag, a)).join(', ')} is required`
      : `${
          note.kind === 'L'
            ? `one of ${note.at
                .slice(1)
                .map((a) => elementName(seg.tag, a))
                .join(', ')}`
            : name
        } is required when ${elementName(seg.tag, triggerIndex)} is present`;
  out.push(
    elementDiagnostic(
      seg,
      position,
      missingIndex,
      ctx,
      '2',
      'CONDITIONAL_ELEMENT_MISSING',
      `${why} (syntax note ${note.text})`,
      triggerIndex >= 0 ? triggerOf(spec, seg, position, loopId, triggerIndex) : undefined,
    ),
  );
}

/**
 * A level code that the implementation allows only under some parent levels (856 HL03 `I` under
 * O, P or T): reported on the level code as 999 IK403 `I6` "code value not used in
 * implementation" (997 AK403 7 "invalid code value", a 997 having no implementation codes), with
 * the parent's level code as the situational trigger. A parent that is absent, not yet seen or the
 * HL itself is left to the hierarchy's reader (HL_PARENT_NOT_FOUND, HL_PARENT_NOT_BEFORE), so that
 * it is reported once; so is a duplicate id (the nearest counts).
 */
function checkParentLevel(
  h: CHierarchy,
  spec: CSegment,
  segments: readonly Segment[],
  i: number,
  offsetToPosition: number,
  loopId: string | undefined,
  out: Diagnostic[],
  ctx: SetValidationContext,
): void {
  const seg = segments[i]!;
  const level = elementText(seg, h.level);
  const allowed = h.parents.get(level);
  if (allowed === undefined) return;
  const parentId = elementText(seg, h.parent);
  if (parentId === '') return;
  let parentAt = -1;
  if (parentId === h.lastParentId) parentAt = h.lastParentAt;
  else {
    const stop = i > PARENT_WINDOW ? i - PARENT_WINDOW : 0;
    for (let k = i - 1; k >= stop && parentAt < 0; k--) {
      const s = segments[k]!;
      if (s.tag === h.tag && elementText(s, h.id) === parentId) parentAt = k;
    }
    if (parentAt < 0 && stop > 0) {
      for (; h.indexedUpTo < stop; h.indexedUpTo++) {
        const s = segments[h.indexedUpTo]!;
        if (s.tag === h.tag) h.index.set(elementText(s, h.id), h.indexedUpTo);
      }
      parentAt = h.index.get(parentId) ?? -1;
    }
    h.lastParentId = parentId;
    h.lastParentAt = parentAt;
  }
  if (parentAt < 0) return;
  const parent = segments[parentAt]!;
  const parentLevel = elementText(parent, h.level);
  if (allowed.has(parentLevel)) return;
  out.push({
    ...elementDiagnostic(
      seg,
      i + offsetToPosition,
      h.level,
      ctx,
      '7',
      'LEVEL_NOT_ALLOWED_UNDER_PARENT',
      `${elementName(seg.tag, h.level)} "${level}" may only sit under ${[...allowed].join(', ')}, not under "${parentLevel}"`,
      triggerOf(spec, parent, parentAt + offsetToPosition, loopId, h.level),
    ),
    implementationCode: 'I6',
    badData: level,
  });
}
