/**
 * Inbound half of the map engine: a declarative map (map-definition.ts) is compiled once per
 * `LoadedMap` into a tree of closures (paths pre-split, code tables as Maps, transforms and `when`
 * tests resolved, `init` objects as factories), which then runs over the body segments of each
 * transaction set / message. Interpreting the rules per segment cost ~20% of a translation
 * (bench/edi-throughput.ts); the compiled tree does the same work without re-reading the rules.
 * The map stays data in edi-maps/*.yaml; only its in-memory form changes.
 */
import { errorText } from './edi-diagnostic.js';
import type { Diagnostic, Segment } from './edi-types.js';
import { parseEdiDate, parseEdiTime, toIsoDateTime, type DateParts, type TimeParts } from './edi-datetime.js';
import { edifactDateTimeToIso } from './edifact-datetime.js';
import { fromImpliedDecimal, normalizeDecimal } from './implied-decimal.js';
import { elementCount, elementEquals, elementValue } from './x12-segment.js';
import {
  isHierarchyRule,
  isLoopRule,
  type DefaultValue,
  type ElementRule,
  type HierarchyRule,
  type LoadedMap,
  type LoopRule,
  type Rule,
  type SegmentRule,
  type WhenValue,
} from './map-definition.js';
import {
  arrayPath,
  cachedPath,
  forEachPath,
  getPath,
  isObject,
  setPath,
  type JsonObject,
  type PathStep,
} from './map-paths.js';

export interface MapContext {
  /** Partner time zone; overrides the map's when given. */
  readonly timeZone?: string;
  /** Fields merged over every produced document (envelope data: id, tenantId, source, …). */
  readonly base?: JsonObject;
  /** Diagnostics get these control numbers so acks can point at the right set. */
  readonly diagnosticContext?: Pick<
    Diagnostic,
    'interchangeControlNumber' | 'groupControlNumber' | 'transactionControlNumber'
  >;
  /** Segment position of the first body segment (ST/UNH is 1, so usually 2). */
  readonly firstPosition?: number;
  /** EDIFACT decimal mark for `decimal` transforms. */
  readonly decimalMark?: string;
}

export interface InboundResult {
  readonly documents: JsonObject[];
  readonly diagnostics: Diagnostic[];
}

/** Deep copy of the small JSON values maps use for `init` and `defaults`. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneJson(v)) as T;
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const k in value) out[k] = cloneJson(value[k]);
    return out as T;
  }
  return value;
}

/** Tags a rule list can consume, so a loop knows where it ends. */
export function memberTags(rules: readonly Rule[], into = new Set<string>()): Set<string> {
  for (const r of rules) {
    if (isHierarchyRule(r)) {
      into.add(r.hierarchy.seg);
      for (const lvl of Object.values(r.levels)) memberTags(lvl.rules, into);
    } else if (isLoopRule(r)) {
      into.add(r.loop);
      memberTags(r.rules, into);
    } else into.add(r.seg);
  }
  return into;
}

const ruleTag = (rule: Rule): string =>
  isHierarchyRule(rule) ? rule.hierarchy.seg : isLoopRule(rule) ? rule.loop : rule.seg;

const inbound = (d: { readonly direction?: string }): boolean => d.direction !== 'outbound';

/** Element `el`, component `comp` (both 1-based), trimmed; '' when absent. */
const valueOf = (seg: Segment, el: number, comp = 1): string => elementValue(seg, el - 1, comp - 1);

/* ------------------------------------------------------------------------------------------------ */
/* Run-time state                                                                                   */

interface InState {
  readonly root: JsonObject;
  readonly timeZone: string;
  readonly diagnostics: Diagnostic[];
  readonly ctx: MapContext;
  readonly firstPosition: number;
}

function diag(
  st: InState,
  seg: Segment | undefined,
  segIndex: number,
  fields: Omit<Diagnostic, 'level'> & { level?: Diagnostic['level'] },
): void {
  st.diagnostics.push({
    level: fields.elementPosition ? 'element' : 'segment',
    ...st.ctx.diagnosticContext,
    ...(seg ? { segmentId: seg.tag, offset: seg.offset, segmentPosition: segIndex + st.firstPosition } : {}),
    ...fields,
  });
}

/* ------------------------------------------------------------------------------------------------ */
/* Compiled pieces                                                                                  */

/** Makes a fresh copy of a constant JSON value without walking it generically per call. */
type Factory = () => unknown;

function compileFactory(value: unknown): Factory {
  if (Array.isArray(value)) {
    if (value.length === 0) return () => [];
    const items = value.map((v: unknown) => compileFactory(v));
    return () => items.map((f) => f());
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    const makers = keys.map((k) => compileFactory(value[k]));
    return () => {
      const out: JsonObject = {};
      for (let i = 0; i < keys.length; i++) out[keys[i]!] = makers[i]!();
      return out;
    };
  }
  return () => value;
}

const objectFactory = (init: Readonly<Record<string, unknown>> | undefined): (() => JsonObject) => {
  if (!init) return () => ({});
  const f = compileFactory(init);
  return () => f() as JsonObject;
};

/** A write to a map path: relative to the current item, or to the document root with `$.`. */
interface Writer {
  readonly self: boolean;
  readonly fromRoot: boolean;
  readonly steps: readonly PathStep[];
  /** Set for the common one-key path (`shipmentId`), which then needs no path walk. */
  readonly key: string | undefined;
}

function compileWriter(to: string): Writer {
  const p = cachedPath(to);
  const only = p.steps.length === 1 && p.steps[0]!.index === undefined ? p.steps[0]!.key : undefined;
  return { self: p.self, fromRoot: p.fromRoot, steps: p.steps, key: only };
}

function write(st: InState, w: Writer, target: JsonObject, value: unknown, onlyIfUnset: boolean): void {
  const base = w.fromRoot ? st.root : target;
  if (w.key !== undefined) {
    if (onlyIfUnset && base[w.key] !== undefined) return;
    base[w.key] = value;
    return;
  }
  if (onlyIfUnset && getPath(base, w.steps) !== undefined) return;
  setPath(base, w.steps, value);
}

/** The array a `repeat: 'items[]'` rule appends to, created on first use. */
function compileArrayTarget(repeat: string): (st: InState, item: JsonObject) => unknown[] {
  const p = arrayPath(repeat);
  const { fromRoot, steps } = p;
  return (st, item) => {
    const base = fromRoot ? st.root : item;
    let arr = getPath(base, steps);
    if (!Array.isArray(arr)) {
      arr = [];
      setPath(base, steps, arr);
    }
    return arr as unknown[];
  };
}

type When = (seg: Segment) => boolean;

function compileWhen(when: Readonly<Record<string, WhenValue>> | undefined): When | undefined {
  if (!when) return undefined;
  const checks = Object.entries(when).map(([key, want]) => {
    const [el, comp] = key.split('.');
    const e = Number(el);
    const c = comp ? Number(comp) : 1;
    if (typeof want === 'string') return (seg: Segment): boolean => elementEquals(seg, e - 1, want, c - 1);
    const wanted = new Set(want);
    return (seg: Segment): boolean => wanted.has(valueOf(seg, e, c));
  });
  if (checks.length === 1) return checks[0]!;
  return (seg) => checks.every((check) => check(seg));
}

/* ------------------------------------------------------------------------------------------------ */
/* Element rules                                                                                    */

/** Date parts collected from a segment's date/time/timeCode elements, per target path. */
interface DateTimeParts {
  readonly to: string;
  date?: DateParts;
  time?: TimeParts;
  code?: string;
  dateOnly?: boolean;
  el: number;
}

/**
 * The segment being mapped. One object serves every segment (a segment's ops never map another
 * segment), so mapping a segment allocates only what it writes.
 */
interface SegmentRun {
  st: InState;
  seg: Segment;
  segIndex: number;
  target: JsonObject;
  selfValue: unknown;
  /** Per target path, in the order first written; usually one. */
  dates: DateTimeParts[] | undefined;
}

type ElementOp = (run: SegmentRun) => void;

/** Plain digits up to 15 long convert exactly with Number(); everything else takes the full check. */
function isPlainDigits(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** An element value its transform cannot read, with the AK4 code that reports it. */
function elementError(
  run: SegmentRun,
  code: string,
  rule: string,
  message: string,
  elementPosition: number,
): void {
  diag(run.st, run.seg, run.segIndex, { severity: 'error', code, rule, message, elementPosition });
}

/** The value conversion of a plain element (table, then transform); undefined = nothing to write. */
type Convert = (run: SegmentRun, raw: string) => unknown;

function compileConvert(map: LoadedMap, er: ElementRule): Convert {
  let lookup: ((v: string) => string) | undefined;
  if (er.table) {
    const table = new Map(Object.entries(map.tables.get(er.table) ?? {}));
    const fallback = er.tableDefault;
    lookup = (v) => table.get(v) ?? (fallback !== undefined ? fallback : v);
  }
  const to = er.to ?? '';
  const t = er.transform;
  const withTable =
    (f: (run: SegmentRun, v: string, raw: string) => unknown): Convert =>
    (run, raw) =>
      f(run, lookup ? lookup(raw) : raw, raw);
  switch (t) {
    case undefined:
    case 'trim':
      return lookup ? (_run, raw) => lookup(raw) : (_run, raw) => raw;
    case 'upper':
      return withTable((_run, v) => v.toUpperCase());
    case 'n0':
    case 'n1':
    case 'n2':
    case 'n3': {
      const places = Number(t[1]);
      return withTable((run, v, raw) => {
        const out = fromImpliedDecimal(v, places);
        if (out === undefined)
          elementError(run, '6', 'INVALID_NUMBER', `"${raw}" is not a numeric ${t} value for ${to}`, er.el);
        return out;
      });
    }
    case 'decimal':
      return withTable((run, v, raw) => {
        const out = normalizeDecimal(v, run.st.ctx.decimalMark);
        if (out === undefined)
          elementError(run, '6', 'INVALID_DECIMAL', `"${raw}" is not a decimal for ${to}`, er.el);
        return out;
      });
    case 'number':
    case 'integer':
      return withTable((run, v, raw) => {
        let n: number;
        if (isPlainDigits(v)) n = Number(v);
        else {
          const s = normalizeDecimal(v, run.st.ctx.decimalMark);
          n = s === undefined ? NaN : Number(s);
        }
        if (!Number.isFinite(n) || (t === 'integer' && !Number.isInteger(n))) {
          elementError(run, '6', 'INVALID_NUMBER', `"${raw}" is not a number for ${to}`, er.el);
          return undefined;
        }
        return n;
      });
    default:
      return withTable((_run, v) => v);
  }
}

function compilePairs(er: ElementRule): ElementOp {
  const promote = new Map(
    Object.entries(er.pairs?.promote ?? {}).map(([q, field]) => [q, compileWriter(field)] as const),
  );
  const listWriter = er.to ? compileWriter(er.to) : undefined;
  const first = er.el;
  return (run) => {
    const seg = run.seg;
    const list: { qualifier: string; value: string }[] = [];
    for (let el = first, n = elementCount(seg); el < n; el += 2) {
      const qualifier = valueOf(seg, el);
      const value = valueOf(seg, el + 1);
      if (qualifier === '' && value === '') continue;
      const field = promote.get(qualifier);
      // "Unset" is judged on the item itself, as the map language documents for `promote`.
      if (field !== undefined && getPath(run.target, field.steps) === undefined)
        write(run.st, field, run.target, value, false);
      else list.push({ qualifier, value });
    }
    if (listWriter) write(run.st, listWriter, run.target, list, false);
  };
}

function compileElement(map: LoadedMap, er: ElementRule): ElementOp | undefined {
  if (!inbound(er) || er.fixed !== undefined || er.compute) return undefined;
  if (er.pairs) return compilePairs(er);
  if (!er.to) return undefined;
  const to = er.to;
  const writer = compileWriter(to);
  const isSelf = to === '.';
  const onlyIfUnset = er.onlyIfUnset === true;
  const el = er.el;
  const comp = er.comp ?? 1;
  const dflt = er.default;
  /** Reads the element; an empty one takes the default, a non-string default is written as is. */
  const read = (run: SegmentRun): string | undefined => {
    const raw = valueOf(run.seg, el, comp);
    if (raw !== '') return raw;
    if (dflt === undefined) return undefined;
    if (typeof dflt !== 'string') {
      write(run.st, writer, run.target, dflt, onlyIfUnset);
      return undefined;
    }
    return dflt;
  };
  const t = er.transform;
  if (t === 'dtmFormat')
    // Output-only: the format code is read together with the value by `dtm`.
    return (run) => void read(run);
  if (t === 'dtm' || t === 'dtmDate') {
    // EDIFACT DTM: the value and its format code (component 3) are read together.
    const dateOnly = t === 'dtmDate';
    return (run) => {
      const raw = read(run);
      if (raw === undefined) return;
      const format = valueOf(run.seg, el, 3);
      const iso = edifactDateTimeToIso(raw, format, run.st.timeZone, dateOnly);
      if (iso === undefined)
        elementError(
          run,
          '8',
          'INVALID_DATE',
          `invalid DTM date "${raw}" (format "${format}") for ${to}`,
          el,
        );
      else if (isSelf) run.selfValue = iso;
      else write(run.st, writer, run.target, iso, onlyIfUnset);
    };
  }
  if (t === 'date' || t === 'dateOnly' || t === 'time' || t === 'timeCode') {
    // The parts of one date-time are gathered per target path and written once the segment is read.
    return (run) => {
      const raw = read(run);
      if (raw === undefined) return;
      run.dates ??= [];
      let parts = run.dates.find((p) => p.to === to);
      if (parts === undefined) {
        parts = { to, el };
        run.dates.push(parts);
      }
      if (t === 'time') {
        const tp = parseEdiTime(raw);
        if (!tp) elementError(run, '9', 'INVALID_TIME', `invalid time "${raw}" for ${to}`, el);
        else parts.time = tp;
      } else if (t === 'timeCode') parts.code = raw;
      else {
        const dp = parseEdiDate(raw);
        if (!dp) elementError(run, '8', 'INVALID_DATE', `invalid date "${raw}" for ${to}`, el);
        else {
          parts.date = dp;
          parts.dateOnly = t === 'dateOnly';
          parts.el = el;
        }
      }
    };
  }
  const convert = compileConvert(map, er);
  return (run) => {
    const raw = read(run);
    if (raw === undefined) return;
    const value = convert(run, raw);
    if (value === undefined) return;
    if (isSelf) run.selfValue = value;
    else write(run.st, writer, run.target, value, onlyIfUnset);
  };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function finishDates(run: SegmentRun, dates: readonly DateTimeParts[]): void {
  for (const parts of dates) {
    const to = parts.to;
    if (!parts.date) continue;
    let iso: string | undefined;
    if (parts.dateOnly) {
      const d = parts.date;
      iso = `${String(d.year).padStart(4, '0')}-${pad2(d.month)}-${pad2(d.day)}`;
    } else iso = toIsoDateTime(parts.date, parts.time, parts.code, run.st.timeZone);
    if (iso === undefined) {
      diag(run.st, run.seg, run.segIndex, {
        severity: 'error',
        code: '7',
        rule: 'UNKNOWN_TIME_CODE',
        message: `unknown time code "${parts.code ?? ''}" for ${to}`,
        elementPosition: parts.el,
      });
      continue;
    }
    if (to === '.') run.selfValue = iso;
    else write(run.st, compileWriterCached(to), run.target, iso, false);
  }
}

const writerCache = new Map<string, Writer>();
function compileWriterCached(to: string): Writer {
  let w = writerCache.get(to);
  if (!w) {
    w = compileWriter(to);
    writerCache.set(to, w);
  }
  return w;
}

/* ------------------------------------------------------------------------------------------------ */
/* Rules                                                                                            */

type Apply = (st: InState, segs: readonly Segment[], i: number, end: number, item: JsonObject) => number;

interface CompiledRule {
  readonly when: When | undefined;
  /** Returns how many segments it consumed (at least 1). */
  readonly apply: Apply;
  /** Hierarchy rules take the segment without a direction or `when` check. */
  readonly unconditional: boolean;
}

interface CompiledRules {
  /** Inbound candidates per opening tag, in map order. */
  readonly byTag: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Every tag a rule of this list opens with, outbound-only ones included: they end loops too. */
  readonly tags: ReadonlySet<string>;
}

function runRules(
  st: InState,
  rules: CompiledRules,
  segs: readonly Segment[],
  start: number,
  end: number,
  item: JsonObject,
): void {
  const byTag = rules.byTag;
  let i = start;
  while (i < end) {
    const seg = segs[i]!;
    const candidates = byTag.get(seg.tag);
    let consumed = 1;
    if (candidates !== undefined) {
      for (const rule of candidates) {
        if (!rule.unconditional && rule.when !== undefined && !rule.when(seg)) continue;
        consumed = rule.apply(st, segs, i, end, item);
        break;
      }
    }
    i += consumed > 1 ? consumed : 1;
  }
}

function compileRules(map: LoadedMap, rules: readonly Rule[]): CompiledRules {
  const byTag = new Map<string, CompiledRule[]>();
  const tags = new Set<string>();
  const compiled: CompiledRules = { byTag, tags };
  for (const rule of rules) {
    const tag = ruleTag(rule);
    tags.add(tag);
    let c: CompiledRule | undefined;
    if (isHierarchyRule(rule))
      c = { when: undefined, unconditional: true, apply: compileHierarchy(map, rule, compiled) };
    else if (!inbound(rule)) continue;
    else if (isLoopRule(rule))
      c = { when: compileWhen(rule.when), unconditional: false, apply: compileLoop(map, rule, compiled) };
    else
      c = {
        when: compileWhen(rule.when),
        unconditional: false,
        apply: compileSegment(map, rule as SegmentRule),
      };
    const list = byTag.get(tag) ?? [];
    list.push(c);
    byTag.set(tag, list);
  }
  return compiled;
}

function compileLoop(map: LoadedMap, rule: LoopRule, siblings: CompiledRules): Apply {
  const members = memberTags(rule.rules);
  const body = compileRules(map, rule.rules);
  const loopTag = rule.loop;
  const target = rule.repeat ? compileArrayTarget(rule.repeat) : undefined;
  const init = objectFactory(rule.init);
  return (st, segs, i, end, item) => {
    let j = i + 1;
    // Tags the map does not know stay inside the loop; a sibling rule's tag ends it.
    while (j < end) {
      const tag = segs[j]!.tag;
      if (tag === loopTag || (!members.has(tag) && siblings.tags.has(tag))) break;
      j++;
    }
    let into = item;
    if (target) {
      into = init();
      target(st, item).push(into);
    }
    runRules(st, body, segs, i, j, into);
    return j - i;
  };
}

const RUN: SegmentRun = {
  st: undefined as unknown as InState,
  seg: undefined as unknown as Segment,
  segIndex: 0,
  target: {},
  selfValue: undefined,
  dates: undefined,
};

function compileSegment(map: LoadedMap, rule: SegmentRule): Apply {
  const ops: ElementOp[] = [];
  for (const er of rule.elements) {
    const op = compileElement(map, er);
    if (op) ops.push(op);
  }
  const target = rule.repeat ? compileArrayTarget(rule.repeat) : undefined;
  const init = objectFactory(rule.init);
  return (st, segs, i, _end, item) => {
    const arr = target ? target(st, item) : undefined;
    const run = RUN;
    run.st = st;
    run.seg = segs[i]!;
    run.segIndex = i;
    run.target = arr ? init() : item;
    run.selfValue = undefined;
    run.dates = undefined;
    for (const op of ops) op(run);
    if (run.dates) finishDates(run, run.dates);
    if (arr) arr.push(run.selfValue !== undefined ? run.selfValue : run.target);
    return 1;
  };
}

interface HlNode {
  readonly id: string;
  readonly parent: string;
  readonly level: string;
  readonly start: number;
  end: number;
  item: JsonObject;
  readonly children: HlNode[];
  parentNode: HlNode | undefined;
}

interface CompiledLevel {
  readonly rules: CompiledRules;
  readonly init: () => JsonObject;
  /** Child level → array path (relative to this level's item) where nodes of that level attach. */
  readonly slots: ReadonlyMap<string, readonly PathStep[]>;
}

/** Builds the parent-pointer tree, maps each node's own segments, then attaches items by level. */
function compileHierarchy(map: LoadedMap, rule: HierarchyRule, siblings: CompiledRules): Apply {
  const h = rule.hierarchy;
  const members = memberTags([rule]);
  const levels = new Map<string, CompiledLevel>();
  for (const [name, spec] of Object.entries(rule.levels)) {
    const slots = new Map<string, readonly PathStep[]>();
    for (const c of spec.children ?? []) if (!slots.has(c.level)) slots.set(c.level, arrayPath(c.path).steps);
    levels.set(name, { rules: compileRules(map, spec.rules), init: objectFactory(spec.init), slots });
  }
  const slotFor = (holder: HlNode, level: string): readonly PathStep[] | undefined =>
    levels.get(holder.level)?.slots.get(level);
  return (st, segs, start, end, item) => {
    const nodes: HlNode[] = [];
    const byId = new Map<string, HlNode>();
    let i = start;
    let current: HlNode | undefined;
    for (; i < end; i++) {
      const seg = segs[i]!;
      if (seg.tag === h.seg) {
        if (current) current.end = i;
        const id = valueOf(seg, h.id);
        current = {
          id,
          parent: valueOf(seg, h.parent),
          level: valueOf(seg, h.level),
          start: i,
          end,
          item: {},
          children: [],
          parentNode: undefined,
        };
        // X12 has no element code for a broken HL id or parent reference: 7 "invalid code value"
        // says the value is not one the set allows (8 would read "invalid date").
        if (byId.has(id))
          diag(st, seg, i, {
            severity: 'error',
            code: '7',
            rule: 'HL_DUPLICATE_ID',
            message: `duplicate ${h.seg} id "${id}"`,
            elementPosition: h.id,
            badData: id,
          });
        byId.set(id, current);
        nodes.push(current);
      } else if (!members.has(seg.tag) && siblings.tags.has(seg.tag)) break;
    }
    if (current) current.end = i;
    // Map each node's own segments into its item.
    for (const node of nodes) {
      const level = levels.get(node.level);
      if (!level) {
        diag(st, segs[node.start], node.start, {
          severity: 'warning',
          code: '7',
          rule: 'HL_UNKNOWN_LEVEL',
          message: `${h.seg} level "${node.level}" is not in the map; its segments are skipped`,
          elementPosition: h.level,
        });
        continue;
      }
      node.item = node.level === h.root ? item : level.init();
      runRules(st, level.rules, segs, node.start + 1, node.end, node.item);
    }
    // Link parents (HL02) – never segment order alone.
    let orphans: Set<HlNode> | undefined;
    for (const node of nodes) {
      if (node.parent === '') continue;
      const parent = byId.get(node.parent);
      if (!parent) {
        (orphans ??= new Set()).add(node);
        diag(st, segs[node.start], node.start, {
          severity: 'error',
          code: '7',
          rule: 'HL_PARENT_NOT_FOUND',
          message: `${h.seg} ${node.id} points at missing parent "${node.parent}"`,
          elementPosition: h.parent,
          badData: node.parent,
        });
        continue;
      }
      parent.children.push(node);
      node.parentNode = parent;
    }
    for (const node of nodes) {
      if (node.level === h.root || !levels.has(node.level) || orphans?.has(node)) continue;
      let holder: HlNode | undefined;
      let slot: readonly PathStep[] | undefined;
      for (let a = node.parentNode; a; a = a.parentNode) {
        slot = slotFor(a, node.level);
        if (slot) {
          holder = a;
          break;
        }
      }
      if (!holder) {
        // S-P-O-I: a pack above its order is adopted by the nearest descendant that can hold it.
        const queue = [...node.children];
        while (queue.length > 0 && !holder) {
          const d = queue.shift()!;
          slot = slotFor(d, node.level);
          if (slot) holder = d;
          else queue.push(...d.children);
        }
      }
      if (!holder || !slot) {
        diag(st, segs[node.start], node.start, {
          severity: 'warning',
          code: '7',
          rule: 'HL_UNATTACHED',
          message: `${h.seg} ${node.id} (level ${node.level}) has no ancestor or descendant that can hold it`,
          elementPosition: h.level,
          badData: node.level,
        });
        continue;
      }
      let arr = getPath(holder.item, slot);
      if (!Array.isArray(arr)) {
        arr = [];
        setPath(holder.item, slot, arr);
      }
      (arr as unknown[]).push(node.item);
    }
    return Math.max(i - start, 1);
  };
}

/* ------------------------------------------------------------------------------------------------ */
/* Documents                                                                                        */

type DefaultOp = (doc: JsonObject) => void;

function compileDefaults(defaults: Readonly<Record<string, DefaultValue>> | undefined): DefaultOp[] {
  return Object.entries(defaults ?? {}).map(([to, value]): DefaultOp => {
    const steps = cachedPath(to).steps;
    const from =
      isObject(value) && typeof value['from'] === 'string' ? cachedPath(value['from']).steps : undefined;
    const make = from ? undefined : compileFactory(value);
    // Defaults fill fields of objects that exist; they never invent a parent (no weight without a value).
    return (doc) => {
      let fill: () => unknown;
      if (from) {
        const resolved = getPath(doc, from);
        if (resolved === undefined) return;
        fill = () => cloneJson(resolved);
      } else fill = make!;
      forEachPath(doc, steps, (parent, key) => {
        if (parent[key] === undefined) parent[key] = fill();
      });
    };
  });
}

interface CompiledMap {
  readonly rules: CompiledRules;
  readonly defaults: readonly DefaultOp[];
  readonly split: readonly PathStep[] | undefined;
}

const compiledMaps = new WeakMap<LoadedMap, CompiledMap>();

function compileMap(map: LoadedMap): CompiledMap {
  let c = compiledMaps.get(map);
  if (!c) {
    const split = map.definition.split;
    c = {
      rules: compileRules(map, map.definition.rules),
      defaults: compileDefaults(map.definition.defaults),
      split: split ? cachedPath(split).steps : undefined,
    };
    compiledMaps.set(map, c);
  }
  return c;
}

function deepMerge(target: JsonObject, source: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (isObject(t) && isObject(v)) deepMerge(t, v);
    else target[k] = v;
  }
  return target;
}

function deepMergeMissing(target: JsonObject, source: JsonObject): void {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (t === undefined) target[k] = cloneJson(v);
    else if (isObject(t) && isObject(v)) deepMergeMissing(t, v);
  }
}

/** Maps one transaction set's body segments (without ST/SE) to canonical documents. */
export function mapInbound(
  map: LoadedMap,
  segments: readonly Segment[],
  ctx: MapContext = {},
): InboundResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const compiled = compileMap(map);
    const root: JsonObject = {};
    const st: InState = {
      root,
      timeZone: ctx.timeZone ?? map.timeZone,
      diagnostics,
      ctx,
      firstPosition: ctx.firstPosition ?? 2,
    };
    runRules(st, compiled.rules, segments, 0, segments.length, root);
    const docs: JsonObject[] = [];
    if (compiled.split) {
      const items = getPath(root, compiled.split);
      delete root[compiled.split[0]!.key];
      for (const item of Array.isArray(items) ? items : []) {
        docs.push(deepMerge(cloneJson(root), isObject(item) ? item : {}));
      }
    } else docs.push(root);
    for (const doc of docs) {
      doc['documentType'] = map.definition.documentType;
      for (const op of compiled.defaults) op(doc);
      if (ctx.base) deepMergeMissing(doc, ctx.base);
    }
    return { documents: docs, diagnostics };
  } catch (err) {
    diagnostics.push({
      severity: 'error',
      level: 'transaction',
      code: '5',
      rule: 'MAP_ENGINE_FAILURE',
      message: `map ${map.definition.name} failed: ${errorText(err)}`,
      ...ctx.diagnosticContext,
    });
    return { documents: [], diagnostics };
  }
}
