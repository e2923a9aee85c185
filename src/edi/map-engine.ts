/**
 * Outbound half of the map engine (the inbound half is map-inbound.ts): walks a declarative map
 * (map-definition.ts) over a canonical document and writes `Segment`s. It knows nothing of X12 or
 * EDIFACT syntax: the caller wraps the body segments in an envelope. Problems become diagnostics;
 * nothing throws.
 */
import { errorText } from './edi-diagnostic.js';
import type { Diagnostic, Segment } from './edi-types.js';
import { fromIsoDateTime } from './edi-datetime.js';
import { isoToEdifactDateTime } from './edifact-datetime.js';
import { ssccToGs1 } from './gs1-sscc.js';
import { isNegativeDecimal, negateDecimal, toImpliedDecimal } from './implied-decimal.js';
import {
  isHierarchyRule,
  isLoopRule,
  lastIndexOf,
  type CodeTable,
  type ElementRule,
  type HierarchyRule,
  type LoadedMap,
  type LoopRule,
  type Rule,
  type SegmentRule,
  type WhenValue,
} from './map-definition.js';
import type { MapContext } from './map-inbound.js';
import {
  arrayPath,
  cachedPath as path,
  getPath,
  isObject,
  stripArray,
  type JsonObject,
} from './map-paths.js';

export type SegmentData = Pick<Segment, 'tag' | 'elements'>;

export interface OutboundResult {
  readonly segments: SegmentData[];
  readonly diagnostics: Diagnostic[];
}

const outbound = (d: { readonly direction?: string }): boolean => d.direction !== 'inbound';

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
  /** Codes the current pass's sign segments are written with (`negate` of a negative value), by tag. */
  signs: ReadonlyMap<string, Readonly<Record<string, WhenValue>>>;
  /** The key of the group whose items are being written (`groupBy`), for `groupKey` elements. */
  groupKey: string | undefined;
  /** Items a segment wrote through an indexed path (`references[0].value`), for `skipWritten`. */
  readonly written: WeakSet<object>;
}

const NO_SIGNS: ReadonlyMap<string, Readonly<Record<string, WhenValue>>> = new Map();

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
      signs: NO_SIGNS,
      groupKey: undefined,
      written: new WeakSet(),
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

/** A `groupBy` loop's items: every group's, in order, each with its group's key. */
function groupedItems(st: OutState, rule: LoopRule): { item: unknown; key: string | undefined }[] {
  const group = rule.groupBy!;
  const groups = getPath(st.root, path(group.list).steps);
  const out: { item: unknown; key: string | undefined }[] = [];
  if (!Array.isArray(groups)) return out;
  for (const g of groups) {
    if (!isObject(g)) continue;
    const key = g[group.key];
    const items = getPath(g, arrayPath(rule.repeat!).steps);
    if (!Array.isArray(items)) continue;
    for (const x of items) out.push({ item: x, key: typeof key === 'string' ? key : undefined });
  }
  return out;
}

function itemsAt(st: OutState, item: JsonObject, repeat: string): unknown[] {
  if (st.map.definition.split && stripArray(repeat) === st.map.definition.split) return [item];
  const p = arrayPath(repeat);
  const v = getPath(p.fromRoot ? st.root : item, p.steps);
  return Array.isArray(v) ? v : [];
}

/** The outbound `negate` elements of a rule list's own segment rules (cached: most lists have none). */
const negateElements = new WeakMap<readonly Rule[], readonly ElementRule[]>();

function negatesOf(rules: readonly Rule[]): readonly ElementRule[] {
  let found = negateElements.get(rules);
  if (!found) {
    found = rules.flatMap((rule) =>
      isLoopRule(rule) || isHierarchyRule(rule) || !outbound(rule) || rule.repeat
        ? []
        : rule.elements.filter((er) => er.negate && er.to && outbound(er)),
    );
    negateElements.set(rules, found);
  }
  return found;
}

/**
 * The sign segments of one pass of `rules` over `item`: a negative value with `negate` (an
 * allowance) has its segment (ALC) written with the `negate` codes (A) instead of the rule's own.
 */
function passSigns(st: OutState, rules: readonly Rule[], item: unknown): OutState['signs'] {
  let signs: Map<string, Readonly<Record<string, WhenValue>>> | undefined;
  for (const er of negatesOf(rules)) {
    const v = valueAt(st, item, er.to!);
    if (typeof v === 'string' && isNegativeDecimal(v))
      (signs ??= new Map()).set(er.negate!.seg, er.negate!.when);
  }
  return signs ?? NO_SIGNS;
}

function renderRules(st: OutState, rules: readonly Rule[], item: JsonObject): void {
  const outer = st.signs;
  st.signs = passSigns(st, rules, item);
  try {
    renderPass(st, rules, item);
  } finally {
    st.signs = outer;
  }
}

function renderPass(st: OutState, rules: readonly Rule[], item: JsonObject): void {
  let opening = true;
  for (const rule of rules) {
    if (isHierarchyRule(rule)) {
      renderHierarchy(st, rule, item);
      continue;
    }
    if (!outbound(rule)) continue;
    if (isLoopRule(rule)) {
      const grouped = rule.groupBy && rule.repeat ? groupedItems(st, rule) : undefined;
      const items = grouped
        ? grouped.map((g) => g.item)
        : rule.repeat
          ? itemsAt(st, item, rule.repeat)
          : [item];
      const outerKey = st.groupKey;
      items.forEach((x, idx) => {
        if (!isObject(x)) return;
        st.repeatIndex = idx + 1;
        if (grouped) st.groupKey = grouped[idx]!.key;
        const first = rule.rules[0];
        // A loop whose opening segment has nothing to say is not written at all.
        if (
          first &&
          !isLoopRule(first) &&
          !isHierarchyRule(first) &&
          !segmentHasData(st, first, x) &&
          !passSigns(st, rule.rules, x).has(first.seg)
        )
          return;
        renderRules(st, rule.rules, x);
      });
      st.groupKey = outerKey;
      continue;
    }
    const srule = rule as SegmentRule;
    const opens = opening;
    opening = false;
    if (srule.repeat) {
      itemsAt(st, item, srule.repeat).forEach((x, idx) => {
        st.repeatIndex = idx + 1;
        if (srule.skipWritten && isObject(x) && st.written.has(x)) return;
        emitSegment(st, srule, x, true);
      });
    } else if (srule.always || segmentHasData(st, srule, item)) {
      // A pass whose opening segment is left out (onlyWhenItFits: a party whose role has no code)
      // is left out whole: the segments after it belong to it (its CTA, COM).
      if (!emitSegment(st, srule, item, false) && opens && srule.onlyWhenItFits) return;
    }
    if (srule.lastOf !== undefined) warnLeftOver(st, srule, srule.lastOf, item);
  }
}

/** Items of a list past the last one its segments carry (`lastOf`) are not written, and said so. */
function warnLeftOver(st: OutState, rule: SegmentRule, list: string, item: JsonObject): void {
  const values = valueAt(st, item, list);
  if (!Array.isArray(values)) return;
  const fit = lastIndexOf(rule, list) + 1;
  for (let n = fit; n < values.length; n++) {
    const v: unknown = values[n];
    if (!hasValue(v)) continue;
    st.diagnostics.push({
      severity: 'warning',
      level: 'segment',
      code: '5',
      rule: 'VALUE_NOT_WRITTEN',
      message: `${list}[${n}] "${String(v)}" has no ${rule.seg} to go in (${fit} fit); not written`,
      segmentId: rule.seg,
    });
  }
}

function segmentHasData(st: OutState, rule: SegmentRule, item: unknown): boolean {
  // A segment that carries a sign (ALC+A of an allowance) says something even without a code.
  if (rule.always || st.signs.has(rule.seg)) return true;
  for (const er of rule.elements) {
    if (!outbound(er) || er.compute) continue;
    if (er.fixed !== undefined) {
      // A constant that goes with a field (CTA+IC with a contact) says something when that field has a value.
      if (er.to !== undefined && hasValue(valueAt(st, item, er.to))) return true;
      continue;
    }
    if (er.groupKey === true) {
      if (hasValue(st.groupKey)) return true;
      continue;
    }
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

const hasValue = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function valueAt(st: OutState, item: unknown, to: string): unknown {
  const p = path(to);
  if (p.self) return item;
  return getPath(p.fromRoot ? st.root : item, p.steps);
}

/** Whether the item's fields have the values a `whenItem` asks for. */
function itemMatches(st: OutState, item: unknown, whenItem: Readonly<Record<string, WhenValue>>): boolean {
  return Object.entries(whenItem).every(([field, want]) => {
    const v = valueAt(st, item, field);
    return typeof want === 'string' ? v === want : want.some((w) => w === v);
  });
}

/** Writes the rule's segment; false when it is left out (onlyWhenItFits, whenItem). */
function emitSegment(st: OutState, rule: SegmentRule, item: unknown, _repeated: boolean): boolean {
  const elements: string[][] = [];
  const put = (el: number, comp: number, value: string): void => {
    while (elements.length < el) elements.push(['']);
    const e = elements[el - 1]!;
    while (e.length < comp) e.push('');
    e[comp - 1] = value;
  };
  const writeWhen = (when: Readonly<Record<string, WhenValue>>): void => {
    for (const [key, want] of Object.entries(when)) {
      const [el, comp] = key.split('.');
      put(Number(el), comp ? Number(comp) : 1, typeof want === 'string' ? want : (want[0] ?? ''));
    }
  };
  if (rule.whenItem && !itemMatches(st, item, rule.whenItem)) {
    // Read back, the segment would be taken only for such an item (a 214 K1 is the signer only on
    // a delivery): a value it would carry for another item is not written, and said so.
    const lost = rule.elements.find(
      (er) => outbound(er) && er.to !== undefined && hasValue(valueAt(st, item, er.to)),
    );
    if (lost)
      st.diagnostics.push({
        severity: 'warning',
        level: 'segment',
        code: '5',
        rule: 'SEGMENT_NOT_WRITTEN',
        message: `${lost.to} is written in ${rule.seg} only when ${Object.entries(rule.whenItem)
          .map(([field, want]) => `${field} is ${typeof want === 'string' ? want : want.join(' or ')}`)
          .join(' and ')}; this ${rule.seg} is not written`,
        segmentId: rule.seg,
      });
    return false;
  }
  if (rule.requires && !rule.requires.anyOf.some((f) => hasValue(valueAt(st, item, f)))) {
    const fields = rule.requires.anyOf.map((f) => {
      const el = rule.elements.find((er) => er.to === f && outbound(er))?.el;
      return el === undefined ? f : `${f} (${rule.seg}${String(el).padStart(2, '0')})`;
    });
    st.diagnostics.push({
      severity: 'error',
      level: 'segment',
      code: '5',
      rule: 'REQUIRED_FIELD_MISSING',
      message: `${rule.seg} needs ${fields.join(' or ')}; the document has ${fields.length === 2 ? 'neither' : 'none of them'}: ${rule.requires.reason}`,
      segmentId: rule.seg,
    });
    return false;
  }
  if (rule.when) writeWhen(rule.when);
  const sign = st.signs.get(rule.seg);
  if (sign) writeWhen(sign);
  let tooLong: { el: number; comp: number; text: string; to: string; er: ElementRule }[] | undefined;
  const hasTimeCode = new Set(
    rule.elements.filter((e) => e.transform === 'timeCode' && e.to).map((e) => e.to!),
  );
  for (const er of rule.elements) {
    if (!outbound(er)) continue;
    const comp = er.comp ?? 1;
    if (er.fixed !== undefined) {
      // With `to`, the constant qualifies that field's value (B310 035 "delivered" for B309's
      // date): written only when the field has one, as the syntax note pairing them requires.
      if (er.to === undefined || hasValue(valueAt(st, item, er.to))) put(er.el, comp, er.fixed);
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
    if (er.groupKey === true) {
      if (hasValue(st.groupKey)) put(er.el, comp, st.groupKey!);
      continue;
    }
    if (!er.to) continue;
    if (er.onlyIfUnset && (elements[er.el - 1]?.[comp - 1] ?? '') !== '') continue;
    if (er.unlessSet !== undefined && hasValue(valueAt(st, item, er.unlessSet))) continue;
    const v = valueAt(st, item, er.to);
    if (v === undefined || v === null) continue;
    if (er.onlyIfCodeIn !== undefined && !Object.hasOwn(st.map.tables.get(er.onlyIfCodeIn) ?? {}, String(v)))
      continue;
    const text = convertOut(st, rule, er, v, hasTimeCode.has(er.to));
    if (text === undefined) continue;
    if (er.maxLength !== undefined && text.length > er.maxLength) {
      (tooLong ??= []).push({ el: er.el, comp, text, to: er.to, er });
      continue;
    }
    put(er.el, comp, text);
    markWritten(st, item, er.to);
  }
  // A value that did not fit and that no fallback replaced is dropped, and said so.
  const unfit = (tooLong ?? []).filter((t) => (elements[t.el - 1]?.[t.comp - 1] ?? '') === '');
  // A value the segment cannot go without (`mustFit`): the document is refused, naming the field.
  const needed = unfit.filter((t) => t.er.mustFit !== undefined);
  if (needed.length > 0) {
    for (const t of needed)
      st.diagnostics.push({
        severity: 'error',
        level: 'element',
        code: '5',
        rule: 'VALUE_DOES_NOT_FIT',
        message: `${t.to} "${t.text}" does not fit ${rule.seg}${String(t.el).padStart(2, '0')} (at most ${t.er.maxLength} characters): ${t.er.mustFit}`,
        segmentId: rule.seg,
        elementPosition: t.el,
      });
    return false;
  }
  if (rule.onlyWhenItFits && unfit.length > 0) {
    const t = unfit[0]!;
    st.diagnostics.push({
      severity: 'warning',
      level: 'segment',
      code: '5',
      rule: 'SEGMENT_NOT_WRITTEN',
      message: `${t.to} "${t.text}" does not fit ${rule.seg}${String(t.el).padStart(2, '0')}; this ${rule.seg} is not written`,
      segmentId: rule.seg,
      elementPosition: t.el,
    });
    return false;
  }
  for (const t of unfit) {
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
  return true;
}

/** The item an indexed path's value belongs to (`references[0].value` → references[0]) is written. */
function markWritten(st: OutState, item: unknown, to: string): void {
  const p = path(to);
  const last = p.steps.length - 1;
  if (last < 1 || p.steps[last - 1]!.index === undefined) return;
  const owner = getPath(p.fromRoot ? st.root : item, p.steps.slice(0, last));
  if (isObject(owner)) st.written.add(owner);
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
  if (er.negate && s.startsWith('-')) {
    // The sign goes out in another segment (passSigns): the amount is written as its size.
    const size = negateDecimal(s);
    if (size === undefined) {
      st.diagnostics.push({
        severity: 'error',
        level: 'element',
        code: '6',
        rule: 'INVALID_DECIMAL',
        message: `cannot write "${s}" as a decimal (${er.to ?? ''})`,
        segmentId: rule.seg,
        elementPosition: er.el,
      });
      return undefined;
    }
    s = size;
  }
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
  if (t === 'sscc') return ssccToGs1(s);
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
