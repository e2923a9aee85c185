/**
 * Inbound maps compiled to JavaScript, the way ajv compiles schemas: each rule list of a map
 * becomes one generated function that switches on the segment tag, and each segment rule one
 * straight-line function that reads its elements, converts them and writes the canonical fields
 * with literal keys (`target["shipmentId"] = v`), so V8 sees one shape and one call target at each
 * site. Loops and hierarchies call the lists of their bodies.
 *
 * Why: the closure tree this replaces ran a megamorphic call per element op, a path walk or a
 * generic write per field, and an object per date part, pair list entry and HL node. On the 16 MB
 * 856 (11,500 sets, map stage alone, warm) this took it from ~380 to ~215 ms CPU and from ~244 to
 * ~149 MB allocated, ~110 MB of which is the documents themselves (ADR 5).
 *
 * Safety: no string a map supplies is spliced into the source except through JSON.stringify
 * (tags, keys, codes, messages' paths); other values (tables, sets, paths, factories, numbers that
 * are not plain integers) reach the code through the constants array `K`. Comments in the
 * generated source carry only sanitised rule ids. The maps stay data (edi-maps/*.yaml, partner
 * overrides); a map that compiles to something invalid fails like any other map error, as a
 * MAP_ENGINE_FAILURE diagnostic of mapInbound.
 */
import { compileHierarchy, type Apply, type CompiledLevel, type RunList } from './map-hierarchy.js';
import {
  isHierarchyRule,
  isLoopRule,
  type ElementRule,
  type HierarchyRule,
  type LoadedMap,
  type LoopRule,
  type Rule,
  type SegmentRule,
  type WhenValue,
} from './map-definition.js';
import {
  cloneJson,
  codeNotInTable,
  datePart,
  decimal,
  dtmDateTime,
  finishDateTime,
  impliedDecimal,
  leftOut,
  notKept,
  notRead,
  negated,
  passHas,
  passNotKept,
  routeToGroup,
  setGroupField,
  setGroupKey,
  timePart,
  toNumber,
  valueLeftOut,
  type InState,
} from './map-inbound-runtime.js';
import {
  arrayAt,
  arrayPath,
  cachedPath,
  getPath,
  isObject,
  setPath,
  type JsonObject,
  type PathStep,
} from './map-paths.js';
import type { Segment } from './edi-types.js';
import { ssccFromGs1 } from './gs1-sscc.js';
import { edifactGroupEnd, edifactGroupName, type GroupEnd } from './edifact-message-structure.js';
import { elementCount, elementEquals, elementValue } from './x12-segment.js';

export type { RunList } from './map-hierarchy.js';

/** What generated code calls, as `h.name`. */
const HELPERS = {
  elementValue,
  elementEquals,
  elementCount,
  isObject,
  getPath,
  setPath,
  arrayAt,
  impliedDecimal,
  decimal,
  toNumber,
  dtmDateTime,
  datePart,
  timePart,
  finishDateTime,
  codeNotInTable,
  notKept,
  notRead,
  leftOut,
  valueLeftOut,
  passHas,
  passNotKept,
  negated,
  runSplitLoop,
  ssccFromGs1,
  routeToGroup,
  setGroupField,
  setGroupKey,
};

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

/** Makes a fresh copy of a constant JSON value (`init`, `defaults`) without a generic walk per call. */
export function compileFactory(value: unknown): () => unknown {
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

function objectFactory(init: Readonly<Record<string, unknown>> | undefined): () => JsonObject {
  if (!init) return () => ({});
  const f = compileFactory(init);
  return () => f() as JsonObject;
}

/**
 * One pass of a repeating loop in which a `splitsItem` segment occurs more than once (rare: a 210
 * LX with several L1): the segments up to the first one map into `first`; from each later one on,
 * into a new item of `list`, a copy of `first` as it was before the first one (the loop's context).
 */
function runSplitLoop(
  st: InState,
  segs: readonly Segment[],
  start: number,
  end: number,
  first: JsonObject,
  list: unknown[],
  run: RunList,
  isSplit: (seg: Segment) => boolean,
): void {
  let from = start;
  let item = first;
  let context: JsonObject | undefined;
  for (let k = start + 1; k < end; k++) {
    if (!isSplit(segs[k]!)) continue;
    run(st, segs, from, k, item);
    if (context === undefined) context = cloneJson(item);
    else {
      item = cloneJson(context);
      list.push(item);
    }
    from = k;
  }
  run(st, segs, from, end, item);
}

/* ------------------------------------------------------------------------------------------------ */
/* Source text                                                                                      */

/** The source of one rule list and the constants it reads as `K[n]`. */
class Source {
  readonly constants: unknown[] = [];
  readonly functions: string[] = [];
  #names = 0;

  /** A value the source reads as `K[n]`. */
  constant(value: unknown): string {
    return `K[${this.constants.push(value) - 1}]`;
  }

  name(prefix: string): string {
    return `${prefix}${this.#names++}`;
  }

  /** A literal for strings, plain integers and booleans; anything else becomes a constant. */
  value(v: unknown): string {
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v);
    return this.constant(v);
  }
}

/** A rule id for a comment of the generated source: word characters only. */
const label = (id: string | undefined): string => (id ?? '').replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * Source that writes `value` (a local's name) at the map path `to`, relative to `target` or, for
 * `$.` paths, to the document root; what `setPath` does, unrolled. `.` and unusable paths write
 * nothing (a `.` value is the segment's own value, handled by the caller).
 */
function writeSource(src: Source, to: string, value: string, onlyIfUnset: boolean): string {
  if (to.endsWith('[]')) return appendSource(src, to, value);
  const p = cachedPath(to);
  const steps = p.steps;
  if (steps.length === 0) return '';
  const base = p.fromRoot ? 'st.root' : 'target';
  if (steps.length === 1 && steps[0]!.index === undefined) {
    const key = `${base}[${JSON.stringify(steps[0]!.key)}]`;
    return onlyIfUnset ? `if (${key} === undefined) ${key} = ${value};` : `${key} = ${value};`;
  }
  const k = src.constant(steps);
  if (onlyIfUnset) return `if (h.getPath(${base}, ${k}) === undefined) h.setPath(${base}, ${k}, ${value});`;
  if (steps.some((s) => s.index === '*')) return `h.setPath(${base}, ${k}, ${value});`;
  const out = [`{ let o = ${base}, x;`];
  steps.forEach((step, n) => {
    const key = `o[${JSON.stringify(step.key)}]`;
    const last = n === steps.length - 1;
    if (step.index === undefined) {
      out.push(
        last ? `${key} = ${value};` : `x = ${key}; if (!h.isObject(x)) { x = {}; ${key} = x; } o = x;`,
      );
      return;
    }
    const at = src.value(step.index);
    out.push(`x = ${key}; if (!Array.isArray(x)) { x = []; ${key} = x; }`);
    if (last) out.push(`while (x.length <= ${at}) x.push(undefined); x[${at}] = ${value};`);
    else
      out.push(
        `while (x.length <= ${at}) x.push({}); if (!h.isObject(x[${at}])) x[${at}] = {}; o = x[${at}];`,
      );
  });
  out.push('}');
  return out.join(' ');
}

/**
 * Source that appends `value` to the list at `to` (`address.lines[]`, inbound only): each segment
 * of a repeat adds its values after the ones before it (a second N3's street lines follow the
 * first's), where fixed indexes would overwrite them or, after a short first segment, leave holes.
 */
function appendSource(src: Source, to: string, value: string): string {
  const p = arrayPath(to);
  return `h.arrayAt(${p.fromRoot ? 'st.root' : 'target'}, ${src.constant(p.steps)}).push(${value});`;
}

/** The `when` test of a rule as an expression over `seg`. */
function whenSource(src: Source, when: Readonly<Record<string, WhenValue>> | undefined): string {
  if (!when) return 'true';
  const checks = Object.entries(when).map(([key, want]) => {
    const [el, comp] = key.split('.');
    const e = src.value(Number(el) - 1);
    const c = src.value((comp ? Number(comp) : 1) - 1);
    if (typeof want === 'string') return `h.elementEquals(seg, ${e}, ${JSON.stringify(want)}, ${c})`;
    return `${src.constant(new Set(want))}.has(h.elementValue(seg, ${e}, ${c}))`;
  });
  return checks.length === 0 ? 'true' : checks.join(' && ');
}

/* ------------------------------------------------------------------------------------------------ */
/* Segment rules                                                                                    */

/** The parts of one date-time a segment writes, in locals d<n> date, t<n> time, c<n> code, … */
interface DateTarget {
  readonly to: string;
  readonly n: number;
}

const DATE_PARTS = new Set(['date', 'dateOnly', 'time', 'timeCode']);

/**
 * One element rule. The element is read trimmed into `raw`; an empty one takes the rule's default
 * (a non-string default is written as is and ends the rule).
 */
function elementSource(
  src: Source,
  map: LoadedMap,
  er: ElementRule,
  dates: DateTarget[],
  offset = '',
): string {
  if (er.pairs) return pairsSource(src, er);
  if (er.groupKey === true)
    // The key of the item's group (`groupBy`), kept beside the item rather than in it.
    return `raw = h.elementValue(seg, ${src.value(er.el - 1)}, ${src.value((er.comp ?? 1) - 1)}); if (raw !== '') h.setGroupKey(st, seg, i, target, raw);`;
  const toGroup = er.toGroup;
  const to = toGroup ?? er.to!;
  const onlyIfUnset = er.onlyIfUnset === true;
  const t = er.transform;
  if (toGroup !== undefined && t !== undefined && DATE_PARTS.has(t))
    throw new Error(`toGroup ${toGroup}: a value of one element (dtm, dtmDate), not date parts`);
  const el = `${src.value(er.el)}${offset}`;
  const toText = JSON.stringify(to);
  const found = (v: string): string =>
    toGroup !== undefined
      ? `h.setGroupField(target, ${JSON.stringify(toGroup)}, ${v}, seg, i);`
      : to === '.'
        ? `self = ${v};`
        : writeSource(src, to, v, onlyIfUnset);

  let body: string;
  if (t === 'dtmFormat')
    body = ''; // output-only: `dtm` reads the format code with the value
  else if (t === 'dtm' || t === 'dtmDate')
    body = `v = h.dtmDateTime(st, seg, i, raw, ${t === 'dtmDate'}, ${toText}, ${el}); if (v !== undefined) { ${found('v')} }`;
  else if (t !== undefined && DATE_PARTS.has(t)) {
    // Parts of one date-time are gathered per target path and written once the segment is read.
    let target = dates.find((d) => d.to === to);
    if (!target) {
      target = { to, n: dates.length };
      dates.push(target);
    }
    const n = target.n;
    const created = `if (q${n} === 0) q${n} = ++seq;`;
    if (t === 'time')
      body = `${created} x = h.timePart(st, seg, i, raw, ${toText}, ${el}); if (x >= 0) t${n} = x;`;
    else if (t === 'timeCode') body = `${created} c${n} = raw;`;
    else
      body = `${created} x = h.datePart(st, seg, i, raw, ${toText}, ${el}); if (x >= 0) { d${n} = x; o${n} = ${t === 'dateOnly'}; e${n} = ${el}; }`;
  } else {
    let v = 'v = raw;';
    if (er.table) {
      const table = src.constant(new Map(Object.entries(map.tables.get(er.table) ?? {})));
      if (er.tableOnly && er.tableDefault === undefined)
        v = `v = ${table}.get(raw); if (v === undefined) h.codeNotInTable(st, seg, i, raw, ${src.value(er.table)}, ${toText}, ${el});`;
      else {
        const fallback = er.tableDefault !== undefined ? src.value(er.tableDefault) : 'raw';
        v = `v = ${table}.get(raw) ?? ${fallback};`;
      }
    }
    // A code the table lacks (tableOnly) was reported and leaves v undefined: no transform then.
    const guard = er.tableOnly ? 'if (v !== undefined) ' : '';
    if (t === 'upper') v += ` ${guard}v = v.toUpperCase();`;
    else if (t === 'sscc') v += ` ${guard}v = h.ssccFromGs1(v);`;
    else if (t === 'n0' || t === 'n1' || t === 'n2' || t === 'n3')
      v += ` ${guard}v = h.impliedDecimal(st, seg, i, v, raw, ${JSON.stringify(t)}, ${toText}, ${el});`;
    else if (t === 'decimal') v += ` ${guard}v = h.decimal(st, seg, i, v, raw, ${toText}, ${el});`;
    else if (t === 'number' || t === 'integer')
      v += ` ${guard}v = h.toNumber(st, seg, i, v, raw, ${t === 'integer'}, ${toText}, ${el});`;
    if (er.negate) {
      // The sign is another segment's (ALC 5463 A): anywhere in this pass, before or after this one.
      const sign = src.name('sign');
      src.functions.push(
        `function ${sign}(seg) { return seg.tag === ${JSON.stringify(er.negate.seg)} && ${whenSource(src, er.negate.when)}; }`,
      );
      v += ` if (v !== undefined && h.passHas(segs, start, end, ${sign})) v = h.negated(st, seg, i, v, ${toText});`;
    }
    body = `${v} if (v !== undefined) { ${found('v')} }`;
  }

  if (er.onlyIfCodeIn !== undefined) {
    // Only a code of that table is read (a 210 L003 that is a unit, not FR flat rate, is normalized).
    const codes = src.constant(new Set(Object.keys(map.tables.get(er.onlyIfCodeIn) ?? {})));
    body = `if (${codes}.has(raw)) { ${body} }`;
  }
  const none = er.noValue === undefined ? '' : ` if (raw === ${JSON.stringify(er.noValue)}) raw = '';`;
  const read = `raw = h.elementValue(seg, ${src.value(er.el - 1)}${offset}, ${src.value((er.comp ?? 1) - 1)});${none}`;
  const dflt = er.default;
  if (dflt === undefined) return `${read} if (raw !== '') { ${body} }`;
  if (typeof dflt === 'string') return `${read} if (raw === '') raw = ${JSON.stringify(dflt)}; ${body}`;
  return `${read} if (raw === '') { ${writeSource(src, to, src.value(dflt), onlyIfUnset)} } else { ${body} }`;
}

/**
 * Qualifier/value pairs from `el` on: a `promote`d qualifier's value goes to its own field while
 * that field is unset on the item; the others are listed as `{qualifier, value}` at `to`.
 */
function pairsSource(src: Source, er: ElementRule): string {
  const entry = 'pairs.push({ qualifier, value });';
  let route = entry;
  for (const [qualifier, field] of Object.entries(er.pairs?.promote ?? {}).reverse()) {
    const p = cachedPath(field);
    const steps = p.steps;
    // "Unset" is judged on the item itself, as the map language documents for `promote`.
    const unset =
      steps.length === 0
        ? 'false'
        : steps.length === 1 && steps[0]!.index === undefined
          ? `target[${JSON.stringify(steps[0]!.key)}] === undefined`
          : `h.getPath(target, ${src.constant(steps)}) === undefined`;
    const promote = `if (${unset}) { ${writeSource(src, field, 'value', false)} } else ${entry}`;
    route = `if (qualifier === ${JSON.stringify(qualifier)}) { ${promote} } else { ${route} }`;
  }
  return [
    '{ const pairs = [];',
    `for (let e = ${src.value(er.el)}, n = h.elementCount(seg); e < n; e += 2) {`,
    'const qualifier = h.elementValue(seg, e - 1, 0); const value = h.elementValue(seg, e, 0);',
    `if (qualifier === '' && value === '') continue; ${route} }`,
    er.to ? writeSource(src, er.to, 'pairs', false) : '',
    '}',
  ].join(' ');
}

function dateFinishSource(target: DateTarget): string {
  const { to, n } = target;
  const write = to === '.' ? 'self = v;' : writeSource(new Source(), to, 'v', false);
  return `if (d${n} >= 0) { v = h.finishDateTime(st, seg, i, d${n}, t${n}, c${n}, o${n}, ${JSON.stringify(to)}, e${n}); if (v !== undefined) { ${write} } }`;
}

/** A rule that reads a sign from its pass (`negate`) also takes the pass: `segs[start, end)`. */
const passParams = (rule: SegmentRule): string =>
  rule.elements.some((e) => e.negate !== undefined && inbound(e)) ? ', segs, start, end' : '';

/** A segment rule as `function name(st, seg, i, item)`; returns the function's name. */
function segmentSource(src: Source, map: LoadedMap, rule: SegmentRule): string {
  const name = src.name('segment');
  const dates: DateTarget[] = [];
  const ops: string[] = [];
  const notKept: string[] = [];
  // With `elementRepeats`, the elements read the composite at `el + k`, one item per k.
  const offset = rule.elementRepeats !== undefined ? ' + k' : '';
  for (const er of rule.elements) {
    if (!inbound(er) || er.fixed !== undefined || er.compute) continue;
    if (er.leftOut !== undefined) {
      const comp = er.comp === undefined ? 'undefined' : src.value(er.comp - 1);
      notKept.push(
        `h.valueLeftOut(st, seg, i, ${src.value(er.el - 1)}, ${comp}, ${JSON.stringify(er.leftOut)});`,
      );
      continue;
    }
    if (!er.pairs && !er.to && er.groupKey !== true && er.toGroup === undefined) continue;
    ops.push(elementSource(src, map, er, dates, offset));
  }
  const lines = [
    `// ${label(rule.id ?? rule.seg)}`,
    `function ${name}(st, seg, i, item${passParams(rule)}) {`,
  ];
  let list: string | undefined;
  let repeats = false;
  if (rule.repeat) {
    const p = arrayPath(rule.repeat);
    list = `h.arrayAt(${p.fromRoot ? 'st.root' : 'item'}, ${src.constant(p.steps)})`;
    const factory = src.constant(objectFactory(rule.init));
    if (rule.elementRepeats !== undefined) {
      // A later composite makes an item only when one of the values the rule reads is there.
      const present = rule.elements
        .filter((er) => inbound(er) && er.to !== undefined && er.leftOut === undefined)
        .map(
          (er) => `h.elementValue(seg, ${src.value(er.el - 1)} + k, ${src.value((er.comp ?? 1) - 1)}) !== ''`,
        )
        .join(' || ');
      lines.push(
        `const list = ${list};`,
        `for (let k = 0; k < ${src.value(rule.elementRepeats)}; k++) {`,
        `if (k > 0 && !(${present})) continue;`,
        `const target = ${factory}();`,
      );
      repeats = true;
    } else lines.push(`const list = ${list};`, `const target = ${factory}();`);
  } else lines.push('const target = item;');
  lines.push('let raw, v, x, self, seq = 0;');
  for (const d of dates)
    lines.push(`let d${d.n} = -1, t${d.n} = -1, c${d.n}, o${d.n} = false, e${d.n} = 0, q${d.n} = 0;`);
  lines.push(...ops);
  // Written in the order their first part was read, as the map language documents.
  if (dates.length === 1) lines.push(dateFinishSource(dates[0]!));
  else if (dates.length > 1)
    lines.push(
      `for (let q = 1; q <= seq; q++) { ${dates.map((d) => `if (q === q${d.n}) { ${dateFinishSource(d)} }`).join(' else ')} }`,
    );
  if (list) lines.push('list.push(self !== undefined ? self : target);');
  if (repeats) lines.push('}');
  lines.push(...notKept);
  lines.push('}');
  src.functions.push(lines.join('\n  '));
  return name;
}

/* ------------------------------------------------------------------------------------------------ */
/* Rule lists, loops, hierarchies                                                                   */

/** Source of a `switch` case list that breaks out of `label` for each of `tags`. */
const stopCases = (tags: Iterable<string>, label: string): string =>
  [...tags].map((t) => `case ${JSON.stringify(t)}:`).join(' ') + ` break ${label};`;

/**
 * The loop's `splitsItem` rule, if any. Its tag must be the loop body's own, not one a nested loop
 * or hierarchy consumes, so that counting it at the loop's level counts what the rule reads.
 */
function splitRule(rule: LoopRule): SegmentRule | undefined {
  const found = rule.rules.find(
    (r): r is SegmentRule => !isLoopRule(r) && !isHierarchyRule(r) && r.splitsItem === true && inbound(r),
  );
  if (!found) return undefined;
  const nested = memberTags(rule.rules.filter((r) => isLoopRule(r) || isHierarchyRule(r)));
  if (found.seg === rule.loop || nested.has(found.seg))
    throw new Error(
      `loop ${rule.id ?? rule.loop}: splitsItem segment ${found.seg} must belong to the loop itself, not open it or a nested loop`,
    );
  return found;
}

/**
 * Where an EDIFACT loop ends when its trigger opens a segment group of the message structure at
 * the map's nesting (`groups`, the triggers of the loops around it): the group's end, so the
 * segments the group owns stay in it whatever rules the enclosing lists have for their tags.
 */
function structureEnd(map: LoadedMap, groups: readonly string[]): GroupEnd | undefined {
  const d = map.definition;
  return d.standard === 'edifact' ? edifactGroupEnd(d.message, groups) : undefined;
}

/** A loop as `function name(st, segs, i, end, item)` returning the segments it consumed. */
function loopSource(
  src: Source,
  map: LoadedMap,
  rule: LoopRule,
  siblingTags: ReadonlySet<string>,
  groups: readonly string[],
): string {
  const name = src.name('loop');
  const path = [...groups, rule.loop];
  const body = src.constant(compileRuleList(map, rule.rules, path));
  const split = rule.repeat ? splitRule(rule) : undefined;
  const needs = rule.repeat ? rule.onlyWith : undefined;
  const groupEnd = structureEnd(map, path);
  const lines = [`// loop ${label(rule.id ?? rule.loop)}`, `function ${name}(st, segs, i, end, item) {`];
  if (groupEnd) {
    lines.push(`const j = ${src.constant(groupEnd)}(segs, i, end);`, 'let splits = 0, found = 0;');
    if (split)
      lines.push(
        `for (let k = i + 1; k < j; k++) { const seg = segs[k]; if (seg.tag === ${JSON.stringify(split.seg)} && ${whenSource(src, split.when)}) splits++; }`,
      );
    if (needs)
      lines.push(
        `for (let k = i + 1; k < j; k++) if (segs[k].tag === ${JSON.stringify(needs.seg)}) found++;`,
      );
  } else {
    const members = memberTags(rule.rules);
    // Tags the map does not know stay inside the loop; a sibling rule's tag ends it, and so does its own.
    const stops = new Set([rule.loop, ...[...siblingTags].filter((t) => !members.has(t))]);
    // The scan that finds the loop's end also counts the segments that would start a new item.
    const counts = split
      ? `case ${JSON.stringify(split.seg)}: { const seg = segs[j]; if (${whenSource(src, split.when)}) splits++; ${needs?.seg === split.seg ? 'found++; ' : ''}break; }`
      : '';
    const needCount =
      needs && needs.seg !== split?.seg ? `case ${JSON.stringify(needs.seg)}: found++; break;` : '';
    lines.push(
      'let j = i + 1, splits = 0, found = 0;',
      `scan: for (; j < end; j++) switch (segs[j].tag) { ${stopCases(stops, 'scan')} ${counts} ${needCount} }`,
    );
  }
  if (rule.whileUnset !== undefined)
    // A pass after the field is set is not kept, its group's segments with it.
    lines.push(
      `{ const had = ${valueSource(src, rule.whileUnset)}; if (had !== undefined) { h.passNotKept(st, segs, i, j, ${JSON.stringify(rule.whileUnset)}, had); return j - i; } }`,
    );
  lines.push('let into = item;');
  const group = rule.groupBy;
  if (group) {
    // The item is read first, then put into the group its key (or its entries' keys) names.
    if (!rule.repeat || split || rule.initFrom || needs)
      throw new Error(
        `loop ${rule.id ?? rule.loop}: groupBy needs a repeat, and no splitsItem, initFrom or onlyWith`,
      );
    const list = src.constant(cachedPath(group.list).steps);
    const itemsOf = src.constant(arrayPath(rule.repeat).steps);
    lines.push(
      `into = ${src.constant(objectFactory(rule.init))}();`,
      `${body}(st, segs, i, j, into);`,
      `h.routeToGroup(st, into, h.arrayAt(st.root, ${list}), ${src.value(group.key)}, ${group.splitBy === undefined ? 'undefined' : src.value(group.splitBy)}, ${src.constant(objectFactory(group.init))}, (g) => h.arrayAt(g, ${itemsOf}));`,
      'return j - i;',
      '}',
    );
    src.functions.push(lines.join('\n  '));
    return name;
  }
  if (rule.repeat) {
    const p = arrayPath(rule.repeat);
    lines.push(
      `into = ${src.constant(objectFactory(rule.init))}();`,
      `const list = h.arrayAt(${p.fromRoot ? 'st.root' : 'item'}, ${src.constant(p.steps)});`,
      'list.push(into);',
    );
    for (const [to, from] of Object.entries(rule.initFrom ?? {})) {
      const steps = src.constant(cachedPath(from).steps);
      lines.push(
        `{ const target = into; const v = h.getPath(st.root, ${steps}); if (v !== undefined) { ${writeSource(src, to, "typeof v === 'object' && v !== null ? structuredClone(v) : v", false)} } }`,
      );
    }
  }
  if (split) {
    const isSplit = src.name('isSplit');
    src.functions.push(
      `function ${isSplit}(seg) { return seg.tag === ${JSON.stringify(split.seg)} && ${whenSource(src, split.when)}; }`,
    );
    lines.push(
      `if (splits > 1) h.runSplitLoop(st, segs, i, j, into, list, ${body}, ${isSplit});`,
      `else ${body}(st, segs, i, j, into);`,
    );
  } else lines.push(`${body}(st, segs, i, j, into);`);
  if (needs)
    // The pass ran (its root writes stay); the item it opened is taken back, and said so.
    lines.push(
      `if (found === 0) { list.splice(list.lastIndexOf(into), 1); h.leftOut(st, segs[i], i, ${JSON.stringify(needs.reason)}); }`,
    );
  lines.push('return j - i;', '}');
  src.functions.push(lines.join('\n  '));
  return name;
}

function hierarchyApply(map: LoadedMap, rule: HierarchyRule, siblingTags: ReadonlySet<string>): Apply {
  const h = rule.hierarchy;
  const members = memberTags([rule]);
  const levels: CompiledLevel[] = Object.entries(rule.levels).map(([name, spec]) => {
    const slots = new Map<string, readonly PathStep[]>();
    for (const c of spec.children ?? []) if (!slots.has(c.level)) slots.set(c.level, arrayPath(c.path).steps);
    return { name, run: compileRuleList(map, spec.rules), init: objectFactory(spec.init), slots };
  });
  return compileHierarchy({
    seg: h.seg,
    id: h.id,
    parent: h.parent,
    level: h.level,
    root: h.root,
    levels,
    stops: new Set([...siblingTags].filter((t) => !members.has(t))),
  });
}

/** The value at the map path `field` of the item (or, for `$.`, the root), as an expression. */
function valueSource(src: Source, field: string): string {
  const p = cachedPath(field);
  const base = p.fromRoot ? 'st.root' : 'item';
  if (p.steps.length === 1 && p.steps[0]!.index === undefined)
    return `${base}[${JSON.stringify(p.steps[0]!.key)}]`;
  return `h.getPath(${base}, ${src.constant(p.steps)})`;
}

/**
 * A rule list as one function over `segs[start, end)`: per segment, the first rule for its tag
 * whose `when` holds (hierarchies take theirs unconditionally) maps it; loops and hierarchies
 * consume the segments that belong to them. Outbound-only rules map nothing but still end loops.
 * A segment no rule takes is not kept, with a SEGMENT_NOT_KEPT warning (`notRead`).
 * `groups`: the triggers of the loops around the list (EDIFACT loops end where their group does).
 */
export function compileRuleList(
  map: LoadedMap,
  rules: readonly Rule[],
  groups: readonly string[] = [],
): RunList {
  const src = new Source();
  const tags = new Set(rules.map(ruleTag));
  const cases = new Map<string, string[]>();
  const notKeptCases = new Map<string, string[]>();
  for (const rule of rules) {
    let test: string;
    let apply: string;
    if (isHierarchyRule(rule)) {
      test = 'true';
      apply = `consumed = ${src.constant(hierarchyApply(map, rule, tags))}(st, segs, i, end, item);`;
    } else if (!inbound(rule)) continue;
    else if (isLoopRule(rule)) {
      test = whenSource(src, rule.when);
      apply = `consumed = ${loopSource(src, map, rule, tags, groups)}(st, segs, i, end, item);`;
    } else {
      const srule = rule as SegmentRule;
      test = whenSource(src, srule.when);
      for (const [field, want] of Object.entries(srule.whenItem ?? {})) {
        const have = valueSource(src, field);
        test += ` && ${typeof want === 'string' ? `${have} === ${JSON.stringify(want)}` : `${src.constant(new Set(want))}.has(${have})`}`;
      }
      apply =
        srule.leftOut !== undefined
          ? `h.leftOut(st, seg, i, ${JSON.stringify(srule.leftOut)});`
          : `${segmentSource(src, map, srule)}(st, seg, i, item${passParams(srule)});`;
      if (srule.whileUnset) {
        // A repeat the first rule no longer takes goes on to the next; if none takes it, it is not kept.
        (notKeptCases.get(srule.seg) ?? notKeptCases.set(srule.seg, []).get(srule.seg)!).push(
          `if (${test}) { h.notKept(st, seg, i, ${JSON.stringify(srule.whileUnset)}, ${valueSource(src, srule.whileUnset)}); }`,
        );
        test = `${test} && ${valueSource(src, srule.whileUnset)} === undefined`;
      }
    }
    const tag = ruleTag(rule);
    const list = cases.get(tag) ?? [];
    list.push(`if (${test}) { ${apply} }`);
    cases.set(tag, list);
  }
  // A segment no rule reads (no rule for its tag here, or none whose `when` takes it) is said to
  // be left out: only that path pays, a read segment's branch is as before.
  const d = map.definition;
  const notRead = `h.notRead(st, segs, i, ${JSON.stringify(d.name)}, ${src.constant(d.standard === 'edifact' ? edifactGroupName(d.message) : undefined)});`;
  const switchCases = [...cases].map(
    ([tag, candidates]) =>
      `case ${JSON.stringify(tag)}: ${[...candidates, ...(notKeptCases.get(tag) ?? []), `{ ${notRead} }`].join(' else ')} break;`,
  );
  switchCases.push(`default: ${notRead}`);
  const source = [
    '"use strict";',
    ...src.functions,
    'return function list(st, segs, start, end, item) {',
    '  let i = start;',
    '  while (i < end) {',
    '    const seg = segs[i];',
    '    let consumed = 1;',
    `    switch (seg.tag) { ${switchCases.join('\n      ')} }`,
    '    i += consumed > 1 ? consumed : 1;',
    '  }',
    '};',
  ].join('\n');
  // Generated from map data through JSON.stringify and the constants array only (see the header).
  const make = new Function('h', 'K', source) as (h: typeof HELPERS, K: readonly unknown[]) => RunList;
  return make(HELPERS, src.constants);
}
