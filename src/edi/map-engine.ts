/**
 * Runs a declarative map (map-definition.ts) in either direction over `Segment`s. It knows nothing
 * of X12 or EDIFACT syntax: the caller hands it the segments of one transaction set / message
 * (without ST/SE or UNH/UNT) and gets canonical documents back, or hands it a document and gets
 * segments to wrap in an envelope. Problems become diagnostics; nothing throws.
 */
import { errorText } from './edi-diagnostic.js';
import type { Diagnostic, Segment } from './edi-types.js';
import {
  fromIsoDateTime,
  parseEdiDate,
  parseEdiTime,
  toIsoDateTime,
  type DateParts,
  type TimeParts,
} from './edi-datetime.js';
import { edifactDateTimeToIso, isoToEdifactDateTime } from './edifact-datetime.js';
import { fromImpliedDecimal, normalizeDecimal, toImpliedDecimal } from './implied-decimal.js';
import {
  isHierarchyRule,
  isLoopRule,
  type CodeTable,
  type DefaultValue,
  type ElementRule,
  type HierarchyRule,
  type LoadedMap,
  type Rule,
  type SegmentRule,
  type WhenValue,
} from './map-definition.js';
import {
  forEachPath,
  getPath,
  isObject,
  parsePath,
  setPath,
  type JsonObject,
  type ParsedPath,
} from './map-paths.js';

export type SegmentData = Pick<Segment, 'tag' | 'elements'>;

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

export interface OutboundResult {
  readonly segments: SegmentData[];
  readonly diagnostics: Diagnostic[];
}

/* ------------------------------------------------------------------------------------------------ */
/* Path cache: rules are data parsed once; the hot loop must not re-parse paths per segment.         */

const pathCache = new Map<string, ParsedPath>();
function path(text: string): ParsedPath {
  let p = pathCache.get(text);
  if (!p) {
    const parsed = parsePath(text);
    // Maps are validated at load, so a bad path here means a hand-built map: treat it as self.
    p = typeof parsed === 'string' ? { fromRoot: false, self: true, steps: [] } : parsed;
    pathCache.set(text, p);
  }
  return p;
}

const arrayPathCache = new Map<string, ParsedPath>();
/** The path of an array named `items[]` (repeat targets, hierarchy slots), cached by its text. */
function arrayPath(text: string): ParsedPath {
  let p = arrayPathCache.get(text);
  if (!p) {
    p = path(stripArray(text));
    arrayPathCache.set(text, p);
  }
  return p;
}

function stripArray(text: string): string {
  return text.endsWith('[]') ? text.slice(0, -2) : text;
}

/** Tags a rule list can consume, so a loop knows where it ends. */
const memberCache = new WeakMap<readonly Rule[], ReadonlySet<string>>();
function memberTags(rules: readonly Rule[]): ReadonlySet<string> {
  let set = memberCache.get(rules);
  if (set) return set;
  const s = new Set<string>();
  for (const r of rules) {
    if (isHierarchyRule(r)) {
      s.add(r.hierarchy.seg);
      for (const lvl of Object.values(r.levels)) for (const t of memberTags(lvl.rules)) s.add(t);
    } else if (isLoopRule(r)) {
      s.add(r.loop);
      for (const t of memberTags(r.rules)) s.add(t);
    } else s.add(r.seg);
  }
  set = s;
  memberCache.set(rules, set);
  return set;
}

function ruleTag(rule: Rule): string {
  if (isHierarchyRule(rule)) return rule.hierarchy.seg;
  if (isLoopRule(rule)) return rule.loop;
  return rule.seg;
}

const hierarchyMemberCache = new WeakMap<HierarchyRule, ReadonlySet<string>>();
function hierarchyMembers(rule: HierarchyRule): ReadonlySet<string> {
  let set = hierarchyMemberCache.get(rule);
  if (!set) {
    set = memberTags([rule]);
    hierarchyMemberCache.set(rule, set);
  }
  return set;
}

/** Deep copy of the small JSON values maps use for `init`; structuredClone is slow per call. */
function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneJson(v)) as T;
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const k in value) out[k] = cloneJson(value[k]);
    return out as T;
  }
  return value;
}

const tagIndexCache = new WeakMap<readonly Rule[], ReadonlyMap<string, readonly Rule[]>>();
function rulesByTag(rules: readonly Rule[]): ReadonlyMap<string, readonly Rule[]> {
  let idx = tagIndexCache.get(rules);
  if (idx) return idx;
  const m = new Map<string, Rule[]>();
  for (const r of rules) {
    const t = ruleTag(r);
    const list = m.get(t) ?? [];
    list.push(r);
    m.set(t, list);
  }
  idx = m;
  tagIndexCache.set(rules, idx);
  return idx;
}

function elementValue(seg: SegmentData, el: number, comp = 1): string {
  const e = seg.elements[el - 1];
  if (!e) return '';
  const v = e[comp - 1];
  return v === undefined ? '' : v.trim();
}

type WhenCheck = readonly [el: number, comp: number, want: WhenValue];
const whenCache = new WeakMap<object, readonly WhenCheck[]>();

function whenMatches(seg: SegmentData, when: Readonly<Record<string, WhenValue>> | undefined): boolean {
  if (!when) return true;
  let checks = whenCache.get(when);
  if (!checks) {
    checks = Object.entries(when).map(([key, want]): WhenCheck => {
      const [el, comp] = key.split('.');
      return [Number(el), comp ? Number(comp) : 1, want];
    });
    whenCache.set(when, checks);
  }
  for (const [el, comp, want] of checks) {
    const v = elementValue(seg, el, comp);
    if (typeof want === 'string' ? v !== want : !want.includes(v)) return false;
  }
  return true;
}

const inbound = (d: { readonly direction?: string }): boolean => d.direction !== 'outbound';
const outbound = (d: { readonly direction?: string }): boolean => d.direction !== 'inbound';

/* ------------------------------------------------------------------------------------------------ */
/* Inbound                                                                                          */

interface InState {
  readonly map: LoadedMap;
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

/** Maps one transaction set's body segments (without ST/SE) to canonical documents. */
export function mapInbound(
  map: LoadedMap,
  segments: readonly Segment[],
  ctx: MapContext = {},
): InboundResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const root: JsonObject = {};
    const st: InState = {
      map,
      root,
      timeZone: ctx.timeZone ?? map.timeZone,
      diagnostics,
      ctx,
      firstPosition: ctx.firstPosition ?? 2,
    };
    applyRules(st, map.definition.rules, segments, 0, segments.length, root);
    const docs: JsonObject[] = [];
    const splitPath = map.definition.split;
    if (splitPath) {
      const items = getPath(root, path(splitPath).steps);
      delete root[path(splitPath).steps[0]!.key];
      for (const item of Array.isArray(items) ? items : []) {
        docs.push(deepMerge(cloneJson(root), isObject(item) ? item : {}));
      }
    } else docs.push(root);
    for (const doc of docs) {
      doc['documentType'] = map.definition.documentType;
      applyDefaults(doc, map.definition.defaults);
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

function applyRules(
  st: InState,
  rules: readonly Rule[],
  segs: readonly Segment[],
  start: number,
  end: number,
  item: JsonObject,
): void {
  const byTag = rulesByTag(rules);
  let i = start;
  while (i < end) {
    const seg = segs[i]!;
    const candidates = byTag.get(seg.tag);
    let consumed = 1;
    if (candidates) {
      for (const rule of candidates) {
        if (isHierarchyRule(rule)) {
          consumed = applyHierarchy(st, rule, segs, i, end, item, byTag);
          break;
        }
        if (isLoopRule(rule)) {
          if (!inbound(rule) || !whenMatches(seg, rule.when)) continue;
          const members = memberTags(rule.rules);
          let j = i + 1;
          // Tags the map does not know stay inside the loop; a sibling rule's tag ends it.
          while (
            j < end &&
            segs[j]!.tag !== rule.loop &&
            (members.has(segs[j]!.tag) || !byTag.has(segs[j]!.tag))
          )
            j++;
          const target = rule.repeat ? newRepeatItem(st, item, rule.repeat, rule.init) : item;
          applyRules(st, rule.rules, segs, i, j, target);
          consumed = j - i;
          break;
        }
        const srule = rule as SegmentRule;
        if (!inbound(srule) || !whenMatches(seg, srule.when)) continue;
        applySegment(st, srule, seg, i, item);
        break;
      }
    }
    i += Math.max(consumed, 1);
  }
}

function newRepeatItem(
  st: InState,
  item: JsonObject,
  repeat: string,
  init: Readonly<Record<string, unknown>> | undefined,
): JsonObject {
  const p = arrayPath(repeat);
  const base = p.fromRoot ? st.root : item;
  let arr = getPath(base, p.steps);
  if (!Array.isArray(arr)) {
    arr = [];
    setPath(base, p.steps, arr);
  }
  const created: JsonObject = init ? (cloneJson(init) as JsonObject) : {};
  (arr as unknown[]).push(created);
  return created;
}

interface DateTimeParts {
  date?: DateParts;
  time?: TimeParts;
  code?: string;
  dateOnly?: boolean;
  el: number;
}

function applySegment(
  st: InState,
  rule: SegmentRule,
  seg: Segment,
  segIndex: number,
  item: JsonObject,
): void {
  let target = item;
  let selfValue: unknown;
  let arr: unknown[] | undefined;
  if (rule.repeat) {
    const p = arrayPath(rule.repeat);
    const base = p.fromRoot ? st.root : item;
    let a = getPath(base, p.steps);
    if (!Array.isArray(a)) {
      a = [];
      setPath(base, p.steps, a);
    }
    arr = a as unknown[];
    target = rule.init ? (cloneJson(rule.init) as JsonObject) : {};
  }
  let dates: Map<string, DateTimeParts> | undefined;
  for (const er of rule.elements) {
    if (!inbound(er) || er.fixed !== undefined || er.compute) continue;
    if (er.pairs) {
      applyPairs(st, er, seg, target);
      continue;
    }
    if (!er.to) continue;
    let raw = elementValue(seg, er.el, er.comp);
    if (raw === '') {
      if (er.default === undefined) continue;
      if (typeof er.default !== 'string') {
        write(st, er.to, target, er.default, er.onlyIfUnset);
        continue;
      }
      raw = er.default;
    }
    const t = er.transform;
    if (t === 'dtm' || t === 'dtmDate' || t === 'dtmFormat') {
      // EDIFACT DTM: the value and its format code (component 3) are read together; dtmFormat is output-only.
      if (t === 'dtmFormat') continue;
      const iso = edifactDateTimeToIso(raw, elementValue(seg, er.el, 3), st.timeZone, t === 'dtmDate');
      if (iso === undefined)
        diag(st, seg, segIndex, {
          severity: 'error',
          code: '8',
          rule: 'INVALID_DATE',
          message: `invalid DTM date "${raw}" (format "${elementValue(seg, er.el, 3)}") for ${er.to}`,
          elementPosition: er.el,
        });
      else if (er.to === '.') selfValue = iso;
      else write(st, er.to, target, iso, er.onlyIfUnset);
      continue;
    }
    if (t === 'date' || t === 'dateOnly' || t === 'time' || t === 'timeCode') {
      dates ??= new Map();
      const parts = dates.get(er.to) ?? { el: er.el };
      if (t === 'time') {
        const tp = parseEdiTime(raw);
        if (!tp)
          diag(st, seg, segIndex, {
            severity: 'error',
            code: '9',
            rule: 'INVALID_TIME',
            message: `invalid time "${raw}" for ${er.to}`,
            elementPosition: er.el,
          });
        else parts.time = tp;
      } else if (t === 'timeCode') parts.code = raw;
      else {
        const dp = parseEdiDate(raw);
        if (!dp)
          diag(st, seg, segIndex, {
            severity: 'error',
            code: '8',
            rule: 'INVALID_DATE',
            message: `invalid date "${raw}" for ${er.to}`,
            elementPosition: er.el,
          });
        else {
          parts.date = dp;
          parts.dateOnly = t === 'dateOnly';
          parts.el = er.el;
        }
      }
      dates.set(er.to, parts);
      continue;
    }
    const value = convertIn(st, er, raw, seg, segIndex);
    if (value === undefined) continue;
    if (er.to === '.') selfValue = value;
    else write(st, er.to, target, value, er.onlyIfUnset);
  }
  if (dates) {
    for (const [to, parts] of dates) {
      if (!parts.date) continue;
      let iso: string | undefined;
      if (parts.dateOnly) {
        const d = parts.date;
        iso = `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
      } else iso = toIsoDateTime(parts.date, parts.time, parts.code, st.timeZone);
      if (iso === undefined) {
        diag(st, seg, segIndex, {
          severity: 'error',
          code: '7',
          rule: 'UNKNOWN_TIME_CODE',
          message: `unknown time code "${parts.code ?? ''}" for ${to}`,
          elementPosition: parts.el,
        });
        continue;
      }
      if (to === '.') selfValue = iso;
      else write(st, to, target, iso, false);
    }
  }
  if (arr) arr.push(selfValue !== undefined ? selfValue : target);
}

function write(
  st: InState,
  to: string,
  target: JsonObject,
  value: unknown,
  onlyIfUnset: boolean | undefined,
): void {
  const p = path(to);
  const base = p.fromRoot ? st.root : target;
  if (onlyIfUnset && getPath(base, p.steps) !== undefined) return;
  setPath(base, p.steps, value);
}

function convertIn(st: InState, er: ElementRule, raw: string, seg: Segment, segIndex: number): unknown {
  let v: string = raw;
  if (er.table) {
    const table = st.map.tables.get(er.table);
    const mapped = table?.[v];
    if (mapped !== undefined) v = mapped;
    else if (er.tableDefault !== undefined) v = er.tableDefault;
  }
  switch (er.transform) {
    case undefined:
    case 'trim':
      return v;
    case 'upper':
      return v.toUpperCase();
    case 'n0':
    case 'n1':
    case 'n2':
    case 'n3': {
      const out = fromImpliedDecimal(v, Number(er.transform[1]));
      if (out === undefined)
        diag(st, seg, segIndex, {
          severity: 'error',
          code: '6',
          rule: 'INVALID_NUMBER',
          message: `"${raw}" is not a numeric ${er.transform} value for ${er.to ?? ''}`,
          elementPosition: er.el,
        });
      return out;
    }
    case 'decimal': {
      const out = normalizeDecimal(v, st.ctx.decimalMark);
      if (out === undefined)
        diag(st, seg, segIndex, {
          severity: 'error',
          code: '6',
          rule: 'INVALID_DECIMAL',
          message: `"${raw}" is not a decimal for ${er.to ?? ''}`,
          elementPosition: er.el,
        });
      return out;
    }
    case 'number':
    case 'integer': {
      const s = normalizeDecimal(v, st.ctx.decimalMark);
      const n = s === undefined ? NaN : Number(s);
      if (!Number.isFinite(n) || (er.transform === 'integer' && !Number.isInteger(n))) {
        diag(st, seg, segIndex, {
          severity: 'error',
          code: '6',
          rule: 'INVALID_NUMBER',
          message: `"${raw}" is not a number for ${er.to ?? ''}`,
          elementPosition: er.el,
        });
        return undefined;
      }
      return n;
    }
    default:
      return v;
  }
}

function applyPairs(st: InState, er: ElementRule, seg: Segment, target: JsonObject): void {
  const promote = er.pairs?.promote ?? {};
  const list: { qualifier: string; value: string }[] = [];
  for (let el = er.el; el < seg.elements.length; el += 2) {
    const qualifier = elementValue(seg, el);
    const value = elementValue(seg, el + 1);
    if (qualifier === '' && value === '') continue;
    const field = promote[qualifier];
    if (field !== undefined && getPath(target, path(field).steps) === undefined)
      write(st, field, target, value, false);
    else list.push({ qualifier, value });
  }
  if (er.to) write(st, er.to, target, list, false);
}

const slotCache = new WeakMap<HierarchyRule, ReadonlyMap<string, ReadonlyMap<string, string>>>();
/** holder level → child level → array path, computed once per map instead of per node. */
function slotTable(rule: HierarchyRule): ReadonlyMap<string, ReadonlyMap<string, string>> {
  let t = slotCache.get(rule);
  if (!t) {
    const m = new Map<string, Map<string, string>>();
    for (const [level, spec] of Object.entries(rule.levels)) {
      const inner = new Map<string, string>();
      for (const c of spec.children ?? []) if (!inner.has(c.level)) inner.set(c.level, c.path);
      m.set(level, inner);
    }
    t = m;
    slotCache.set(rule, t);
  }
  return t;
}

interface HlNode {
  readonly id: string;
  readonly parent: string;
  readonly level: string;
  readonly start: number;
  end: number;
  item: JsonObject;
  readonly children: HlNode[];
}

/** Builds the parent-pointer tree, maps each node's own segments, then attaches items by level. */
function applyHierarchy(
  st: InState,
  rule: HierarchyRule,
  segs: readonly Segment[],
  start: number,
  end: number,
  item: JsonObject,
  siblings: ReadonlyMap<string, readonly Rule[]>,
): number {
  const h = rule.hierarchy;
  const members = hierarchyMembers(rule);
  const nodes: HlNode[] = [];
  const byId = new Map<string, HlNode>();
  let i = start;
  let current: HlNode | undefined;
  for (; i < end; i++) {
    const seg = segs[i]!;
    if (seg.tag === h.seg) {
      if (current) current.end = i;
      const id = elementValue(seg, h.id);
      current = {
        id,
        parent: elementValue(seg, h.parent),
        level: elementValue(seg, h.level),
        start: i,
        end,
        item: {},
        children: [],
      };
      if (byId.has(id))
        diag(st, seg, i, {
          severity: 'error',
          code: '8',
          rule: 'HL_DUPLICATE_ID',
          message: `duplicate ${h.seg} id "${id}"`,
          elementPosition: h.id,
        });
      byId.set(id, current);
      nodes.push(current);
    } else if (!members.has(seg.tag) && siblings.has(seg.tag)) break;
  }
  if (current) current.end = i;
  // Map each node's own segments into its item.
  for (const node of nodes) {
    const level = rule.levels[node.level];
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
    node.item = node.level === h.root ? item : level.init ? (cloneJson(level.init) as JsonObject) : {};
    applyRules(st, level.rules, segs, node.start + 1, node.end, node.item);
  }
  // Link parents (HL02) – never segment order alone.
  const orphans = new Set<HlNode>();
  for (const node of nodes) {
    if (node.parent === '') continue;
    const parent = byId.get(node.parent);
    if (!parent) {
      orphans.add(node);
      diag(st, segs[node.start], node.start, {
        severity: 'error',
        code: '8',
        rule: 'HL_PARENT_NOT_FOUND',
        message: `${h.seg} ${node.id} points at missing parent "${node.parent}"`,
        elementPosition: h.parent,
      });
      continue;
    }
    parent.children.push(node);
  }
  const parentOf = new Map<HlNode, HlNode>();
  for (const n of nodes) for (const c of n.children) parentOf.set(c, n);
  const slots = slotTable(rule);
  const slotFor = (holder: HlNode, level: string): string | undefined => slots.get(holder.level)?.get(level);
  for (const node of nodes) {
    if (node.level === h.root || !rule.levels[node.level] || orphans.has(node)) continue;
    let holder: HlNode | undefined;
    let slot: string | undefined;
    for (let a = parentOf.get(node); a; a = parentOf.get(a)) {
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
        code: '8',
        rule: 'HL_UNATTACHED',
        message: `${h.seg} ${node.id} (level ${node.level}) has no ancestor or descendant that can hold it`,
        elementPosition: h.level,
      });
      continue;
    }
    const p = arrayPath(slot);
    let arr = getPath(holder.item, p.steps);
    if (!Array.isArray(arr)) {
      arr = [];
      setPath(holder.item, p.steps, arr);
    }
    (arr as unknown[]).push(node.item);
  }
  return Math.max(i - start, 1);
}

function applyDefaults(doc: JsonObject, defaults: Readonly<Record<string, DefaultValue>> | undefined): void {
  if (!defaults) return;
  for (const [to, value] of Object.entries(defaults)) {
    const p = path(to);
    const resolved =
      isObject(value) && typeof value['from'] === 'string' ? getPath(doc, path(value['from']).steps) : value;
    if (resolved === undefined) continue;
    // Defaults fill fields of objects that exist; they never invent a parent (no weight without a value).
    forEachPath(doc, p.steps, (parent, key) => {
      if (parent[key] === undefined) parent[key] = cloneJson(resolved);
    });
  }
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

/* ------------------------------------------------------------------------------------------------ */
/* Outbound                                                                                         */

interface OutState {
  readonly map: LoadedMap;
  readonly root: JsonObject;
  readonly timeZone: string;
  readonly out: SegmentData[];
  readonly diagnostics: Diagnostic[];
  readonly reverse: Map<string, Map<string, string>>;
  hlCount: number;
  lineCount: number;
  repeatIndex: number;
}

/** Renders one canonical document into body segments (no ST/SE/UNH/UNT), walking the rules in order. */
export function renderOutbound(
  map: LoadedMap,
  doc: JsonObject,
  ctx: Pick<MapContext, 'timeZone'> = {},
): OutboundResult {
  const diagnostics: Diagnostic[] = [];
  const out: SegmentData[] = [];
  try {
    const st: OutState = {
      map,
      root: doc,
      timeZone: ctx.timeZone ?? map.timeZone,
      out,
      diagnostics,
      reverse: new Map(),
      hlCount: 0,
      lineCount: 0,
      repeatIndex: 0,
    };
    renderRules(st, map.definition.rules, doc);
    return { segments: out, diagnostics };
  } catch (err) {
    diagnostics.push({
      severity: 'error',
      level: 'transaction',
      code: '5',
      rule: 'MAP_RENDER_FAILURE',
      message: `map ${map.definition.name} failed to render: ${errorText(err)}`,
    });
    return { segments: [], diagnostics };
  }
}

function itemsAt(st: OutState, item: JsonObject, repeat: string): unknown[] {
  if (st.map.definition.split && stripArray(repeat) === st.map.definition.split) return [item];
  const p = arrayPath(repeat);
  const v = getPath(p.fromRoot ? st.root : item, p.steps);
  return Array.isArray(v) ? v : [];
}

function renderRules(st: OutState, rules: readonly Rule[], item: JsonObject): void {
  for (const rule of rules) {
    if (isHierarchyRule(rule)) {
      renderHierarchy(st, rule, item);
      continue;
    }
    if (!outbound(rule)) continue;
    if (isLoopRule(rule)) {
      const items = rule.repeat ? itemsAt(st, item, rule.repeat) : [item];
      items.forEach((x, idx) => {
        if (!isObject(x)) return;
        st.repeatIndex = idx + 1;
        const first = rule.rules[0];
        // A loop whose opening segment has nothing to say is not written at all.
        if (first && !isLoopRule(first) && !isHierarchyRule(first) && !segmentHasData(st, first, x)) return;
        renderRules(st, rule.rules, x);
      });
      continue;
    }
    const srule = rule as SegmentRule;
    if (srule.repeat) {
      itemsAt(st, item, srule.repeat).forEach((x, idx) => {
        st.repeatIndex = idx + 1;
        emitSegment(st, srule, x, true);
      });
    } else if (srule.always || segmentHasData(st, srule, item)) emitSegment(st, srule, item, false);
  }
}

function segmentHasData(st: OutState, rule: SegmentRule, item: unknown): boolean {
  if (rule.always) return true;
  for (const er of rule.elements) {
    if (!outbound(er) || er.fixed !== undefined || er.compute) continue;
    if (er.pairs) {
      if (Object.values(er.pairs.promote ?? {}).some((f) => valueAt(st, item, f) !== undefined)) return true;
      const list = er.to ? valueAt(st, item, er.to) : undefined;
      if (Array.isArray(list) && list.length > 0) return true;
      continue;
    }
    if (er.to && valueAt(st, item, er.to) !== undefined && valueAt(st, item, er.to) !== '') return true;
  }
  return false;
}

function valueAt(st: OutState, item: unknown, to: string): unknown {
  const p = path(to);
  if (p.self) return item;
  return getPath(p.fromRoot ? st.root : item, p.steps);
}

function emitSegment(st: OutState, rule: SegmentRule, item: unknown, _repeated: boolean): void {
  const elements: string[][] = [];
  const put = (el: number, comp: number, value: string): void => {
    while (elements.length < el) elements.push(['']);
    const e = elements[el - 1]!;
    while (e.length < comp) e.push('');
    e[comp - 1] = value;
  };
  if (rule.when) {
    for (const [key, want] of Object.entries(rule.when)) {
      const [el, comp] = key.split('.');
      put(Number(el), comp ? Number(comp) : 1, typeof want === 'string' ? want : (want[0] ?? ''));
    }
  }
  let tooLong: { el: number; comp: number; text: string; to: string }[] | undefined;
  const hasTimeCode = new Set(
    rule.elements.filter((e) => e.transform === 'timeCode' && e.to).map((e) => e.to!),
  );
  for (const er of rule.elements) {
    if (!outbound(er)) continue;
    const comp = er.comp ?? 1;
    if (er.fixed !== undefined) {
      put(er.el, comp, er.fixed);
      continue;
    }
    if (er.compute) {
      const n =
        er.compute === 'hlCount'
          ? st.hlCount
          : er.compute === 'lineCount'
            ? st.lineCount
            : er.compute === 'repeatIndex'
              ? st.repeatIndex
              : st.out.length + 1;
      put(er.el, comp, String(n));
      continue;
    }
    if (er.pairs) {
      let el = er.el;
      for (const [qualifier, field] of Object.entries(er.pairs.promote ?? {})) {
        const v = valueAt(st, item, field);
        if (typeof v === 'string' && v !== '') {
          put(el, 1, qualifier);
          put(el + 1, 1, v);
          el += 2;
        }
      }
      const list = er.to ? valueAt(st, item, er.to) : undefined;
      if (Array.isArray(list)) {
        for (const pair of list) {
          if (!isObject(pair)) continue;
          put(el, 1, String(pair['qualifier'] ?? ''));
          put(el + 1, 1, String(pair['value'] ?? ''));
          el += 2;
        }
      }
      continue;
    }
    if (!er.to) continue;
    if (er.onlyIfUnset && (elements[er.el - 1]?.[comp - 1] ?? '') !== '') continue;
    const v = valueAt(st, item, er.to);
    if (v === undefined || v === null) continue;
    const text = convertOut(st, rule, er, v, hasTimeCode.has(er.to));
    if (text === undefined) continue;
    if (er.maxLength !== undefined && text.length > er.maxLength) {
      (tooLong ??= []).push({ el: er.el, comp, text, to: er.to });
      continue;
    }
    put(er.el, comp, text);
  }
  // A value that did not fit and that no fallback replaced is dropped, and said so.
  for (const t of tooLong ?? []) {
    if ((elements[t.el - 1]?.[t.comp - 1] ?? '') !== '') continue;
    st.diagnostics.push({
      severity: 'warning',
      level: 'element',
      code: '5',
      rule: 'VALUE_TOO_LONG',
      message: `${t.to} "${t.text}" does not fit ${rule.seg}${String(t.el).padStart(2, '0')}; not written`,
      segmentId: rule.seg,
      elementPosition: t.el,
    });
  }
  // Trailing empty elements and components are not written (X12 and EDIFACT both require that).
  for (const e of elements) while (e.length > 1 && e[e.length - 1] === '') e.pop();
  while (elements.length > 0 && elements[elements.length - 1]!.every((c) => c === '')) elements.pop();
  st.out.push({ tag: rule.seg, elements });
}

function reverseTable(st: OutState, name: string): Map<string, string> {
  let r = st.reverse.get(name);
  if (!r) {
    r = new Map();
    const table: CodeTable = st.map.tables.get(name) ?? {};
    for (const [code, value] of Object.entries(table)) if (!r.has(value)) r.set(value, code);
    st.reverse.set(name, r);
  }
  return r;
}

function convertOut(
  st: OutState,
  rule: SegmentRule,
  er: ElementRule,
  v: unknown,
  keepOffset: boolean,
): string | undefined {
  const t = er.transform;
  let s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  if (s === undefined) return undefined;
  if (t === 'dtm' || t === 'dtmDate' || t === 'dtmFormat') {
    const out = isoToEdifactDateTime(s, st.timeZone, t === 'dtmDate');
    if (!out) {
      st.diagnostics.push({
        severity: 'error',
        level: 'element',
        code: '8',
        rule: 'INVALID_DATE',
        message: `cannot write "${s}" as an EDIFACT DTM (${er.to ?? ''})`,
        segmentId: rule.seg,
        elementPosition: er.el,
      });
      return undefined;
    }
    return t === 'dtmFormat' ? out.format : out.value;
  }
  if (t === 'date' || t === 'dateOnly' || t === 'time' || t === 'timeCode') {
    const parts = fromIsoDateTime(s, st.timeZone, keepOffset);
    if (!parts) {
      st.diagnostics.push({
        severity: 'error',
        level: 'element',
        code: '8',
        rule: 'INVALID_DATE',
        message: `cannot write "${s}" as an EDI date (${er.to ?? ''})`,
        segmentId: rule.seg,
        elementPosition: er.el,
      });
      return undefined;
    }
    if (t === 'date' || t === 'dateOnly') return parts.date8;
    if (t === 'time') return parts.time6.endsWith('00') ? parts.time4 : parts.time6;
    return parts.timeCode;
  }
  if (t === 'n0' || t === 'n1' || t === 'n2' || t === 'n3') {
    const out = toImpliedDecimal(s, Number(t[1]));
    if (out === undefined)
      st.diagnostics.push({
        severity: 'error',
        level: 'element',
        code: '6',
        rule: 'INVALID_DECIMAL',
        message: `cannot write "${s}" with ${t} implied decimals (${er.to ?? ''})`,
        segmentId: rule.seg,
        elementPosition: er.el,
      });
    return out;
  }
  if (er.table) {
    const code = reverseTable(st, er.table).get(s);
    if (code !== undefined) s = code;
  }
  return s;
}

function renderHierarchy(st: OutState, rule: HierarchyRule, rootItem: JsonObject): void {
  const h = rule.hierarchy;
  const visit = (level: string, item: JsonObject, parentId: string): void => {
    const lvl = rule.levels[level];
    if (!lvl) return;
    st.hlCount += 1;
    if (level === 'I') st.lineCount += 1;
    const id = String(st.hlCount);
    const kids: { level: string; item: JsonObject }[] = [];
    for (const c of lvl.children ?? []) {
      const arr = getPath(item, arrayPath(c.path).steps);
      if (Array.isArray(arr)) for (const x of arr) if (isObject(x)) kids.push({ level: c.level, item: x });
    }
    const elements: string[][] = [];
    const set = (el: number, v: string): void => {
      while (elements.length < el) elements.push(['']);
      elements[el - 1] = [v];
    };
    set(h.id, id);
    set(h.parent, parentId);
    set(h.level, level);
    if (h.childCode) set(h.childCode, kids.length > 0 ? '1' : '0');
    st.out.push({ tag: h.seg, elements });
    renderRules(st, lvl.rules, item);
    for (const k of kids) visit(k.level, k.item, id);
  };
  visit(h.root, rootItem, '');
}
