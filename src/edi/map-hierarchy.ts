/**
 * Inbound hierarchies (X12 HL, EDIFACT CPS): a parent-pointer tree whose nodes each map their own
 * segments, then attach below the nearest ancestor whose level has a slot for them.
 *
 * A quarter of an 856's segments are HL, so this runs without an object per node: the nodes of
 * the set in hand live in typed arrays that one compiled hierarchy reuses from set to set, and ids
 * that are small plain numbers (nearly all) are looked up in a table indexed by the number. The
 * earlier version (a node object, a children array, a placeholder item, three sliced strings and a
 * Map entry per HL) was the engine's largest allocator: ~87 of ~190 MB per 16 MB.
 */
import type { Segment } from './edi-types.js';
import { diag, type InState } from './map-inbound-runtime.js';
import { arrayAt, type JsonObject, type PathStep } from './map-paths.js';
import { elementEquals, elementSpan, elementValue, type ElementSpan } from './x12-segment.js';

/** Maps one rule list over `segs[start, end)` into `item`. */
export type RunList = (
  st: InState,
  segs: readonly Segment[],
  start: number,
  end: number,
  item: JsonObject,
) => void;

/** Applies a rule at `segs[i]`; returns how many segments it consumed (at least 1 is assumed). */
export type Apply = (
  st: InState,
  segs: readonly Segment[],
  i: number,
  end: number,
  item: JsonObject,
) => number;

export interface CompiledLevel {
  readonly name: string;
  readonly run: RunList;
  readonly init: () => JsonObject;
  /** Child level name → array path (relative to this level's item) where nodes of that level attach. */
  readonly slots: ReadonlyMap<string, readonly PathStep[]>;
}

export interface HierarchySpec {
  readonly seg: string;
  /** 1-based element positions of the node id, its parent's id and its level code. */
  readonly id: number;
  readonly parent: number;
  readonly level: number;
  /** Level code of the root node, whose item is the current item. */
  readonly root: string;
  readonly levels: readonly CompiledLevel[];
  /** Tags that end the hierarchy: the tags of the rules beside it that it does not consume itself. */
  readonly stops: ReadonlySet<string>;
}

/** Ids below this that are plain digits are table indexes; others go through a Map by text. */
const ID_TABLE_LIMIT = 100_000;

/** Id → node number for the set in hand; a generation stamp per entry spares clearing the table. */
class NodeIds {
  #node = new Int32Array(64);
  #stamp = new Int32Array(64);
  #generation = 0;
  readonly #byText = new Map<string, number>();

  reset(): void {
    if (++this.#generation === 0x7fffffff) {
      this.#stamp.fill(0);
      this.#generation = 1;
    }
    if (this.#byText.size > 0) this.#byText.clear();
  }

  get(key: number | string): number {
    if (typeof key === 'string') return this.#byText.get(key) ?? -1;
    return key < this.#stamp.length && this.#stamp[key] === this.#generation ? this.#node[key]! : -1;
  }

  set(key: number | string, node: number): void {
    if (typeof key === 'string') {
      this.#byText.set(key, node);
      return;
    }
    if (key >= this.#stamp.length) {
      let size = this.#stamp.length;
      while (size <= key) size *= 2;
      const stamp = new Int32Array(size);
      stamp.set(this.#stamp);
      const nodes = new Int32Array(size);
      nodes.set(this.#node);
      this.#stamp = stamp;
      this.#node = nodes;
    }
    this.#stamp[key] = this.#generation;
    this.#node[key] = node;
  }
}

/** A plain decimal below ID_TABLE_LIMIT without leading zeros, as a number; else -1. */
function smallNumber(text: string, start: number, end: number): number {
  const n = end - start;
  if (n < 1 || n > 5 || (n > 1 && text.charCodeAt(start) === 48)) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + c - 48;
  }
  return v < ID_TABLE_LIMIT ? v : -1;
}

const span: ElementSpan = { src: '', start: 0, end: 0 };

/**
 * Element `k` (0-based) as an id key: the number for a small plain number, else the trimmed text.
 * Two elements get equal keys exactly when their trimmed texts are equal.
 */
function idKey(seg: Segment, k: number): number | string {
  elementSpan(seg, k, span);
  const n = smallNumber(span.src, span.start, span.end);
  if (n >= 0) return n;
  const text = elementValue(seg, k);
  const m = smallNumber(text, 0, text.length);
  return m >= 0 ? m : text;
}

/** No parent element (HL02 empty), or no parent before the node (absent, later, or itself). */
const NO_PARENT = -1;
const MISSING_PARENT = -2;

export function compileHierarchy(spec: HierarchySpec): Apply {
  const { seg: tag, levels, stops } = spec;
  const idAt = spec.id - 1;
  const parentAt = spec.parent - 1;
  const levelAt = spec.level - 1;
  const rootLevel = levels.findIndex((l) => l.name === spec.root);
  /** slot[holder level * count + child level]: where a node of the child level attaches. */
  const slots: (readonly PathStep[] | undefined)[] = [];
  for (const holder of levels) for (const child of levels) slots.push(holder.slots.get(child.name));
  const slotFor = (holderLevel: number, childLevel: number): readonly PathStep[] | undefined =>
    holderLevel < 0 ? undefined : slots[holderLevel * levels.length + childLevel];
  const levelOf = (seg: Segment): number => {
    for (let l = 0; l < levels.length; l++) if (elementEquals(seg, levelAt, levels[l]!.name)) return l;
    return -1;
  };

  // The nodes of the set in hand, by number in segment order.
  let starts = new Int32Array(64);
  let ends = new Int32Array(64);
  let levelNo = new Int32Array(64);
  let parentNo = new Int32Array(64);
  const items: (JsonObject | undefined)[] = [];
  const ids = new NodeIds();
  const grow = (): void => {
    const size = starts.length * 2;
    const copy = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    starts = copy(starts);
    ends = copy(ends);
    levelNo = copy(levelNo);
    parentNo = copy(parentNo);
  };

  const idText = (segs: readonly Segment[], node: number): string => elementValue(segs[starts[node]!]!, idAt);
  const levelText = (segs: readonly Segment[], node: number): string =>
    elementValue(segs[starts[node]!]!, levelAt);

  return (st, segs, start, end, item) => {
    ids.reset();
    let count = 0;
    let i = start;
    for (; i < end; i++) {
      const seg = segs[i]!;
      if (seg.tag === tag) {
        if (count > 0) ends[count - 1] = i;
        if (count === starts.length) grow();
        const node = count++;
        starts[node] = i;
        ends[node] = end;
        levelNo[node] = levelOf(seg);
        // '' (an empty parent element) is the root's key: no parent. A parent comes before its
        // children (the nearest earlier node with the id), so ids cannot point in a circle and
        // every linked node is reachable from a root.
        const parentKey = idKey(seg, parentAt);
        const parent = parentKey === '' ? NO_PARENT : ids.get(parentKey);
        parentNo[node] = parentKey === '' || parent >= 0 ? parent : MISSING_PARENT;
        const id = idKey(seg, idAt);
        // X12 has no element code for a broken HL id or parent reference: 7 "invalid code value"
        // says the value is not one the set allows (8 would read "invalid date").
        if (ids.get(id) >= 0) {
          const text = elementValue(seg, idAt);
          diag(st, seg, i, {
            severity: 'error',
            code: '7',
            rule: 'HL_DUPLICATE_ID',
            message: `duplicate ${tag} id "${text}"`,
            elementPosition: spec.id,
            badData: text,
          });
        }
        ids.set(id, node);
      } else if (stops.has(seg.tag)) break;
    }
    if (count > 0) ends[count - 1] = i;

    // Map each node's own segments into its item.
    let rootSeen = false;
    for (let node = 0; node < count; node++) {
      const level = levelNo[node]!;
      if (level < 0) {
        // A level the map does not model (856 T tare, Q subpack) may well be a valid code: the
        // nodes below it attach through it to the nearest level that holds them. Its own segments
        // are not kept, which is said, but not to the partner as an invalid code (no ack error).
        const own = ends[node]! - starts[node]! - 1;
        diag(st, segs[starts[node]!], starts[node]!, {
          severity: own > 0 ? 'warning' : 'info',
          level: 'transaction',
          code: '',
          rule: 'HL_LEVEL_NOT_MAPPED',
          message: `${tag} ${idText(segs, node)} level "${levelText(segs, node)}" is not in the map: the levels below it belong to the nearest level above it that holds them${own > 0 ? `; its own ${own} segment(s) are not kept` : ''}`,
        });
        continue;
      }
      const l = levels[level]!;
      let own: JsonObject;
      if (level !== rootLevel) own = l.init();
      else if (!rootSeen) {
        own = item;
        rootSeen = true;
      } else {
        // One root per set (an 856 has one shipment): a second would mix two shipments' fields in
        // one document. It is an error on its level code; it and its subtree are mapped apart.
        const text = levelText(segs, node);
        diag(st, segs[starts[node]!], starts[node]!, {
          severity: 'error',
          code: '7',
          implementationCode: 'I6',
          rule: 'HL_SECOND_ROOT',
          message: `${tag} ${idText(segs, node)} is a second level "${text}": a set has one, so this one and the levels below it are not mapped`,
          elementPosition: spec.level,
          badData: text,
        });
        own = {};
      }
      items[node] = own;
      l.run(st, segs, starts[node]! + 1, ends[node]!, own);
    }

    // Parents are linked by the parent element – never segment order alone. A node without one
    // before it is cut off from the root with its subtree: one error, on its parent element.
    for (let node = 0; node < count; node++) {
      if (parentNo[node] !== MISSING_PARENT) continue;
      const seg = segs[starts[node]!]!;
      const text = elementValue(seg, parentAt);
      const later = ids.get(idKey(seg, parentAt));
      diag(st, seg, starts[node]!, {
        severity: 'error',
        code: '7',
        ...(later < 0
          ? {
              rule: 'HL_PARENT_NOT_FOUND',
              message: `${tag} ${idText(segs, node)} points at missing parent "${text}"`,
            }
          : later === node
            ? {
                rule: 'HL_PARENT_NOT_BEFORE',
                message: `${tag} ${idText(segs, node)} names itself as its parent`,
              }
            : {
                rule: 'HL_PARENT_NOT_BEFORE',
                message: `${tag} ${idText(segs, node)} points at parent "${text}", which comes after it (a parent comes before its children)`,
              }),
        elementPosition: spec.parent,
        badData: text,
      });
    }

    let children: number[][] | undefined;
    for (let node = 0; node < count; node++) {
      const level = levelNo[node]!;
      if (level < 0 || level === rootLevel || parentNo[node] === MISSING_PARENT) continue;
      let holder = -1;
      let slot: readonly PathStep[] | undefined;
      // Each parent comes before its child, so the chain ends (at a root or a cut-off node).
      for (let a = parentNo[node]!; a >= 0; a = parentNo[a]!) {
        slot = slotFor(levelNo[a]!, level);
        if (slot) {
          holder = a;
          break;
        }
      }
      if (holder < 0) {
        // S-P-O-I: a pack above its order is adopted by the nearest descendant that can hold it.
        children ??= childLists(parentNo, count);
        const seen = new Set<number>([node]);
        const queue = [...children[node]!];
        while (queue.length > 0 && holder < 0) {
          const d = queue.shift()!;
          if (seen.has(d)) continue;
          seen.add(d);
          slot = slotFor(levelNo[d]!, level);
          if (slot) holder = d;
          else queue.push(...children[d]!);
        }
      }
      if (holder < 0 || !slot) {
        // The node and its subtree would be left out of the document: an error, not a warning.
        const text = levelText(segs, node);
        diag(st, segs[starts[node]!], starts[node]!, {
          severity: 'error',
          code: '7',
          rule: 'HL_UNATTACHED',
          message: `${tag} ${idText(segs, node)} (level ${text}) has no ancestor or descendant that can hold it`,
          elementPosition: spec.level,
          badData: text,
        });
        continue;
      }
      arrayAt(items[holder]!, slot).push(items[node]);
    }

    // The items belong to the caller now; the scratch must not keep the last set alive.
    for (let node = 0; node < count; node++) {
      items[node] = undefined;
    }
    return Math.max(i - start, 1);
  };
}

/** Each node's children in segment order (only the rare adoption needs them). */
function childLists(parentNo: Int32Array, count: number): number[][] {
  const lists: number[][] = [];
  for (let node = 0; node < count; node++) lists.push([]);
  for (let node = 0; node < count; node++) {
    const p = parentNo[node]!;
    if (p >= 0) lists[p]!.push(node);
  }
  return lists;
}
