/**
 * What compiled inbound maps call while they run (map-inbound-compile.ts, map-hierarchy.ts): the
 * state of one set, diagnostics, and the value conversions and date-times that can report a bad
 * value. They live here, not in the generated source, so that source stays short and each of its
 * calls has one target.
 */
import type { Diagnostic, Segment } from './edi-types.js';
import { ediDateNumber, ediTimeNumber, isoDateOf, isoFromEdiNumbers } from './edi-datetime.js';
import { edifactDateTimeToIso } from './edifact-datetime.js';
import type { GroupName } from './edifact-message-structure.js';
import { fromImpliedDecimal, isNegativeDecimal, negateDecimal, normalizeDecimal } from './implied-decimal.js';
import { isObject, type JsonObject } from './map-paths.js';
import { elementValue } from './x12-segment.js';

/** What the caller of `mapInbound` passes (map-inbound.ts re-exports it). */
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
  /**
   * Segment position of the segments' first entry (ST/UNH is 1): 2 when the body alone is passed,
   * 1 when the whole set is passed with a range (mapInbound's `from`).
   */
  readonly firstPosition?: number;
  /** EDIFACT decimal mark for `decimal` transforms. */
  readonly decimalMark?: string;
}

/** One set / message being mapped. */
export interface InState {
  readonly root: JsonObject;
  readonly timeZone: string;
  readonly diagnostics: Diagnostic[];
  readonly ctx: MapContext;
  readonly firstPosition: number;
}

export function diag(
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

/** Deep copy of the small JSON values maps use for `init`, `defaults` and an item's context. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneJson(v)) as T;
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const k in value) out[k] = cloneJson(value[k]);
    return out as T;
  }
  return value;
}

/** A segment as a message shows it: tag and elements, cut at 60 characters. */
function shortText(seg: Segment): string {
  const text = [seg.tag, ...seg.elements.map((e) => e.join(':'))].join('*');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A segment a rule would read into a field that an earlier segment already set (`whileUnset`), with
 * no later rule to take it: it is left out, and said so. The set is valid X12, so this is no ack
 * error: a transaction-level warning without a code, which the 997/999 does not report.
 */
export function notKept(st: InState, seg: Segment, segIndex: number, field: string, current: unknown): void {
  const kept = typeof current === 'string' || typeof current === 'number' ? ` ("${current}")` : '';
  diag(st, seg, segIndex, {
    severity: 'warning',
    level: 'transaction',
    code: '',
    rule: 'SEGMENT_NOT_KEPT',
    message: `${shortText(seg)} at position ${segIndex + st.firstPosition} is not kept: ${field} has one value, set${kept} by an earlier ${seg.tag}`,
  });
}

/**
 * A loop pass (`segs[start, end)`) that `whileUnset` does not read: its first segment is not kept,
 * `field` having a value already, and each segment of its group with it (a second CTA's COMs).
 */
export function passNotKept(
  st: InState,
  segs: readonly Segment[],
  start: number,
  end: number,
  field: string,
  current: unknown,
): void {
  const first = segs[start]!;
  notKept(st, first, start, field, current);
  const reason = `it belongs to the ${first.tag} at position ${start + st.firstPosition}, which is not kept`;
  for (let k = start + 1; k < end; k++) leftOut(st, segs[k]!, k, reason);
}

/**
 * A segment that belongs where it stands but whose value the canonical model has no field for at
 * that level (`leftOut`): not kept, and said so, like a repeat `notKept` leaves out.
 */
export function leftOut(st: InState, seg: Segment, segIndex: number, reason: string): void {
  diag(st, seg, segIndex, {
    severity: 'warning',
    level: 'transaction',
    code: '',
    rule: 'SEGMENT_NOT_KEPT',
    message: `${shortText(seg)} at position ${segIndex + st.firstPosition} is not kept: ${reason}`,
  });
}

/**
 * A segment of the body that no rule of the map read (its tag has no rule where it stands, or no
 * rule's `when` takes its codes: a DESADV PIA+3): the set may well be valid, but the canonical
 * document does not hold it, so it is said, never dropped in silence. `group` names the EDIFACT
 * segment group it stands in (X12 diagnostics get their loop from the set schema afterwards).
 */
export function notRead(
  st: InState,
  segs: readonly Segment[],
  segIndex: number,
  map: string,
  group: GroupName | undefined,
): void {
  const seg = segs[segIndex]!;
  const name = group?.(segs, segIndex);
  diag(st, seg, segIndex, {
    severity: 'warning',
    level: 'transaction',
    code: '',
    rule: 'SEGMENT_NOT_KEPT',
    message: `${shortText(seg)} at position ${segIndex + st.firstPosition}${name ? ` (segment group ${name})` : ''} is not kept: no rule of map ${map} reads this ${seg.tag} here`,
  });
}

/**
 * An element (`component` undefined: any of its components) or a component that the canonical
 * model has no place for where it stands (`leftOut` on an element rule): a value there is left
 * out, and said so, as a transaction-level warning without a code (the input is valid, so nothing
 * the ack reports). Read only when a segment holds such a value: rare, so `elements` is fine here.
 */
export function valueLeftOut(
  st: InState,
  seg: Segment,
  segIndex: number,
  element: number,
  component: number | undefined,
  reason: string,
): void {
  const parts = seg.elements[element];
  if (parts === undefined) return;
  const values = component === undefined ? parts : [parts[component] ?? ''];
  if (values.every((v) => v.trim() === '')) return;
  const value = values.join(':');
  const name = `${seg.tag}${String(element + 1).padStart(2, '0')}${component === undefined ? '' : `:${component + 1}`}`;
  diag(st, seg, segIndex, {
    severity: 'warning',
    level: 'transaction',
    code: '',
    rule: 'VALUE_NOT_KEPT',
    message: `${name} "${value}" of ${shortText(seg)} at position ${segIndex + st.firstPosition} is not kept: ${reason}`,
    elementPosition: element + 1,
    ...(component === undefined ? {} : { componentPosition: component + 1 }),
  });
}

/** An element value its transform cannot read, with the AK4 code that reports it and a copy (AK404). */
function elementError(
  st: InState,
  seg: Segment,
  segIndex: number,
  code: string,
  rule: string,
  message: string,
  elementPosition: number,
  badData: string,
): void {
  diag(st, seg, segIndex, { severity: 'error', code, rule, message, elementPosition, badData });
}

/** A code that a `tableOnly` element's table lacks: no canonical value, so the set cannot be mapped. */
export function codeNotInTable(
  st: InState,
  seg: Segment,
  segIndex: number,
  raw: string,
  table: string,
  to: string,
  el: number,
): void {
  diag(st, seg, segIndex, {
    severity: 'error',
    code: '7',
    implementationCode: 'I6',
    rule: 'CODE_NOT_MAPPED',
    message: `${seg.tag}${String(el).padStart(2, '0')} "${raw}" has no canonical value for ${to} (code table ${table})`,
    elementPosition: el,
    badData: raw,
  });
}

/** `n0`…`n3`: `v` is the value after the code table, `raw` the element as sent (for the message). */
export function impliedDecimal(
  st: InState,
  seg: Segment,
  segIndex: number,
  v: string,
  raw: string,
  transform: string,
  to: string,
  el: number,
): string | undefined {
  const out = fromImpliedDecimal(v, Number(transform[1]));
  if (out === undefined)
    elementError(
      st,
      seg,
      segIndex,
      '6',
      'INVALID_NUMBER',
      `"${raw}" is not a numeric ${transform} value for ${to}`,
      el,
      raw,
    );
  return out;
}

export function decimal(
  st: InState,
  seg: Segment,
  segIndex: number,
  v: string,
  raw: string,
  to: string,
  el: number,
): string | undefined {
  const out = normalizeDecimal(v, st.ctx.decimalMark);
  if (out === undefined)
    elementError(st, seg, segIndex, '6', 'INVALID_DECIMAL', `"${raw}" is not a decimal for ${to}`, el, raw);
  return out;
}

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

/** Whether one pass of a rule list, `segs[start, end)`, holds a segment `test` accepts (a `negate` sign). */
export function passHas(
  segs: readonly Segment[],
  start: number,
  end: number,
  test: (seg: Segment) => boolean,
): boolean {
  for (let k = start; k < end; k++) if (test(segs[k]!)) return true;
  return false;
}

/**
 * The amount of a segment whose sign is another's (`negate`: ALC+A makes it an allowance): its size
 * below zero. An amount the partner already sent negative stays so, with a warning: turned over, an
 * allowance of -100.00 became a charge of 100.00.
 */
export function negated(
  st: InState,
  seg: Segment,
  segIndex: number,
  v: string,
  to: string,
): string | undefined {
  if (!isNegativeDecimal(v)) return negateDecimal(v);
  diag(st, seg, segIndex, {
    severity: 'warning',
    level: 'transaction',
    code: '',
    rule: 'AMOUNT_ALREADY_NEGATIVE',
    message: `${shortText(seg)} at position ${segIndex + st.firstPosition}: ${to} "${v}" is sent below zero where its sign comes from another segment (an allowance); kept below zero, not turned into a charge`,
  });
  return v;
}

/** `number` and `integer`. */
export function toNumber(
  st: InState,
  seg: Segment,
  segIndex: number,
  v: string,
  raw: string,
  integer: boolean,
  to: string,
  el: number,
): number | undefined {
  let n: number;
  if (isPlainDigits(v)) n = Number(v);
  else {
    const s = normalizeDecimal(v, st.ctx.decimalMark);
    n = s === undefined ? NaN : Number(s);
  }
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    elementError(st, seg, segIndex, '6', 'INVALID_NUMBER', `"${raw}" is not a number for ${to}`, el, raw);
    return undefined;
  }
  return n;
}

/** EDIFACT DTM: the value with its format code (component 3 of the same element). */
export function dtmDateTime(
  st: InState,
  seg: Segment,
  segIndex: number,
  raw: string,
  dateOnly: boolean,
  to: string,
  el: number,
): string | undefined {
  const format = elementValue(seg, el - 1, 2);
  const iso = edifactDateTimeToIso(raw, format, st.timeZone, dateOnly);
  if (iso === undefined)
    elementError(
      st,
      seg,
      segIndex,
      '8',
      'INVALID_DATE',
      `invalid DTM date "${raw}" (format "${format}") for ${to}`,
      el,
      raw,
    );
  return iso;
}

/** The date part of a `date`/`dateOnly` element as `ediDateNumber`, or -1 (reported). */
export function datePart(
  st: InState,
  seg: Segment,
  segIndex: number,
  raw: string,
  to: string,
  el: number,
): number {
  const d = ediDateNumber(raw);
  if (d < 0) elementError(st, seg, segIndex, '8', 'INVALID_DATE', `invalid date "${raw}" for ${to}`, el, raw);
  return d;
}

/** The time part of a `time` element as `ediTimeNumber`, or -1 (reported). */
export function timePart(
  st: InState,
  seg: Segment,
  segIndex: number,
  raw: string,
  to: string,
  el: number,
): number {
  const t = ediTimeNumber(raw);
  if (t < 0) elementError(st, seg, segIndex, '9', 'INVALID_TIME', `invalid time "${raw}" for ${to}`, el, raw);
  return t;
}

/**
 * The date-time a segment's parts make once all its elements are read; undefined when the time
 * code is unknown (reported at the date's element).
 */
export function finishDateTime(
  st: InState,
  seg: Segment,
  segIndex: number,
  date: number,
  time: number,
  code: string | undefined,
  dateOnly: boolean,
  to: string,
  el: number,
): string | undefined {
  const iso = dateOnly ? isoDateOf(date) : isoFromEdiNumbers(date, time, code, st.timeZone);
  if (iso === undefined)
    diag(st, seg, segIndex, {
      severity: 'error',
      code: '7',
      rule: 'UNKNOWN_TIME_CODE',
      message: `unknown time code "${code ?? ''}" for ${to}`,
      elementPosition: el,
    });
  return iso;
}

/* ------------------------------------------------------------------------------------------------ */
/* Groups (`groupBy`: a DESADV line goes to the order its RFF+ON names)                             */

/** The group key each item read (`groupKey` elements), by item: kept off the canonical document. */
const groupKeys = new WeakMap<object, string>();

/**
 * An item's group key, read from a `groupKey` element: the first one counts; a second, different
 * one (a line naming two orders) is left out, and said so.
 */
export function setGroupKey(
  st: InState,
  seg: Segment,
  segIndex: number,
  item: JsonObject,
  key: string,
): void {
  const had = groupKeys.get(item);
  if (had === undefined) groupKeys.set(item, key);
  else if (had !== key) notKept(st, seg, segIndex, 'the group key', had);
}

/** Fields of its group an item read (`toGroup`), with the segment that gave each, by item. */
const groupFields = new WeakMap<object, Map<string, { value: unknown; seg: Segment; at: number }>>();

/** A value for a field of the item's group (`toGroup`): the first one the item reads counts. */
export function setGroupField(
  item: JsonObject,
  field: string,
  value: unknown,
  seg: Segment,
  at: number,
): void {
  let fields = groupFields.get(item);
  if (!fields) groupFields.set(item, (fields = new Map()));
  if (!fields.has(field)) fields.set(field, { value, seg, at });
}

/** Sets the fields an item read for its group where the group has none; a different value is not kept. */
function fillGroup(st: InState, group: JsonObject, item: unknown): void {
  const fields = isObject(item) ? groupFields.get(item) : undefined;
  if (!fields) return;
  for (const [field, { value, seg, at }] of fields) {
    const had = group[field];
    if (had === undefined) group[field] = value;
    else if (had !== value) notKept(st, seg, at, field, had);
  }
}

/** Groups opened by an item that named none, before any group was known: the next key names them. */
const unnamed = new WeakSet<object>();

/**
 * For tests: how many groups `groupFor` looked at (by key or one by one), so that a test can tell
 * the lookup stays linear in the number of lines without timing it.
 */
export const groupLookups = { examined: 0 };

/**
 * A group list's groups by key, the first in the list for each key (what a scan from the start
 * finds), so that finding a line's group does not look at every group before it. Groups are
 * indexed as `groupFor` adds them or names the first one, and those other rules appended (the
 * header's orders, read with their keys) when next looked up. An entry removed or moved, or a
 * found group whose key is no longer the one looked up, has the list indexed again from the start.
 */
interface GroupIndex {
  readonly field: string;
  readonly byKey: Map<string, { group: JsonObject; at: number }>;
  /** Entries indexed: `list[0 .. indexed)`, the last of them `last`. */
  indexed: number;
  last: unknown;
}

const groupIndexes = new WeakMap<unknown[], GroupIndex>();

function indexKey(index: GroupIndex, group: JsonObject, at: number): void {
  const key = group[index.field];
  if (typeof key === 'string' && !index.byKey.has(key)) index.byKey.set(key, { group, at });
}

/** The list's index, brought up to date with the list. */
function groupIndex(list: unknown[], field: string): GroupIndex {
  let index = groupIndexes.get(list);
  if (
    !index ||
    index.field !== field ||
    index.indexed > list.length ||
    (index.indexed > 0 && list[index.indexed - 1] !== index.last)
  ) {
    index = { field, byKey: new Map(), indexed: 0, last: undefined };
    groupIndexes.set(list, index);
  }
  for (; index.indexed < list.length; index.indexed++) {
    groupLookups.examined++;
    const g = list[index.indexed];
    if (isObject(g)) indexKey(index, g, index.indexed);
    index.last = g;
  }
  return index;
}

/** The first group in `list` whose `field` is `key`, as a scan from the start would find it. */
function findGroup(list: unknown[], field: string, key: string): JsonObject | undefined {
  let hit = groupIndex(list, field).byKey.get(key);
  groupLookups.examined++;
  if (hit && (list[hit.at] !== hit.group || hit.group[field] !== key)) {
    // The list changed under the index (an entry removed, a key rewritten): index it again.
    groupIndexes.delete(list);
    hit = groupIndex(list, field).byKey.get(key);
  }
  return hit?.group;
}

/** The group `key` names in `list` (a new one, `init` with the key, appended if none has it). */
function groupFor(
  list: unknown[],
  field: string,
  key: string | undefined,
  init: () => JsonObject,
): JsonObject {
  if (key === undefined) {
    // An item that names no group stays with the first (the header's order); before any group is
    // known, with a group that the first key named later becomes (a DESADV whose header names no
    // order and whose first line names none goes with the order its later lines name).
    const first = list[0];
    if (isObject(first)) return first;
    const created: JsonObject = {};
    unnamed.add(created);
    list.push(created);
    return created;
  }
  const found = findGroup(list, field, key);
  if (found) return found;
  const first = list[0];
  if (isObject(first) && unnamed.has(first) && first[field] === undefined) {
    unnamed.delete(first);
    first[field] = key;
    for (const [k, v] of Object.entries(init())) if (first[k] === undefined) first[k] = v;
    // The index is up to date (findGroup): the first group now has a key.
    indexKey(groupIndex(list, field), first, 0);
    return first;
  }
  const created: JsonObject = { [field]: key };
  Object.assign(created, init());
  list.push(created);
  groupIndex(list, field);
  return created;
}

/**
 * Puts a loop pass's item into its group's list (`itemsOf(group)`): the group its `groupKey` names
 * or, with `splitBy`, those its entries name, one copy of the item per group, each with its own
 * entries in their order (a DESADV package holding lines of two orders is that package under each).
 */
export function routeToGroup(
  st: InState,
  item: JsonObject,
  list: unknown[],
  field: string,
  splitBy: string | undefined,
  init: () => JsonObject,
  itemsOf: (group: JsonObject) => unknown[],
): void {
  const entries = splitBy === undefined ? undefined : item[splitBy];
  if (!Array.isArray(entries)) {
    const group = groupFor(list, field, groupKeys.get(item), init);
    fillGroup(st, group, item);
    itemsOf(group).push(item);
    return;
  }
  // Entries are partitioned by the group they resolve to: one without a key goes with the first.
  const parts = new Map<JsonObject, unknown[]>();
  for (const e of entries) {
    const key = (isObject(e) ? groupKeys.get(e) : undefined) ?? groupKeys.get(item);
    const group = groupFor(list, field, key, init);
    fillGroup(st, group, e);
    const part = parts.get(group);
    if (part) part.push(e);
    else parts.set(group, [e]);
  }
  if (parts.size === 0) {
    const group = groupFor(list, field, groupKeys.get(item), init);
    fillGroup(st, group, item);
    itemsOf(group).push(item);
    return;
  }
  if (parts.size === 1) {
    itemsOf(parts.keys().next().value!).push(item);
    return;
  }
  for (const [group, part] of parts) {
    const copy: JsonObject = {};
    for (const k in item) copy[k] = k === splitBy ? part : cloneJson(item[k]);
    itemsOf(group).push(copy);
  }
}
