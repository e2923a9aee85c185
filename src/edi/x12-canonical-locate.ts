/**
 * Where in an X12 set a canonical-schema error comes from. The canonical model requires some
 * fields that X12 lets a partner omit (L312 weight unit, N102 name when N103/N104 identify the
 * party): such a set is rejected, and its 997/999 must name the segment and element the model
 * needed (AK3/AK4), not just say AK5 R 5. The map says which element fills which canonical path;
 * the JSON pointer's first array index says which occurrence of the segment.
 */
import type { Diagnostic, Segment } from './edi-types.js';
import {
  isHierarchyRule,
  isLoopRule,
  type HierarchyLevel,
  type MapDefinition,
  type Rule,
  type WhenValue,
} from './map-definition.js';
import { elementText } from './x12-segment.js';

/** A canonical path (array indexes as `[]`) that a segment's element fills. */
export interface Source {
  readonly path: string;
  readonly seg: string;
  readonly el: number;
  /** The component (EDIFACT composites); X12 maps read simple elements. */
  readonly comp?: number;
  readonly when: Readonly<Record<string, WhenValue>> | undefined;
  /** A split map's field of the split item (the document's own), not of the set's header. */
  readonly inItem?: boolean;
  /** The map's word on a missing value (`whenMissing`): how the partner can supply it. */
  readonly whenMissing?: string;
}

const sourcesOf = new WeakMap<MapDefinition, readonly Source[]>();

/** `a[0].b[]` and `a[].b` alike: `a[].b[]` / `a[].b`. */
const normalize = (path: string): string => path.replace(/\[\d*\]/g, '[]');

function collect(rules: readonly Rule[], prefix: string, out: Source[], levels?: HierarchyLevelMap): void {
  for (const rule of rules) {
    if (isHierarchyRule(rule)) {
      const all = rule.levels;
      const root = all[rule.hierarchy.root];
      if (root) collectLevel(root, prefix, out, all, new Set([rule.hierarchy.root]));
      continue;
    }
    const inner = rule.repeat !== undefined ? `${prefix}${normalize(rule.repeat)}.` : prefix;
    if (isLoopRule(rule)) {
      collect(rule.rules, inner, out, levels);
      continue;
    }
    for (const e of rule.elements) {
      if (e.to === undefined || e.direction === 'outbound') continue;
      out.push({
        path: inner + normalize(e.to),
        seg: rule.seg,
        el: e.el,
        ...(e.comp !== undefined ? { comp: e.comp } : {}),
        when: rule.when,
        ...(e.whenMissing !== undefined ? { whenMissing: e.whenMissing } : {}),
      });
    }
  }
}

type HierarchyLevelMap = Readonly<Record<string, HierarchyLevel>>;

function collectLevel(
  level: HierarchyLevel,
  prefix: string,
  out: Source[],
  all: HierarchyLevelMap,
  seen: Set<string>,
): void {
  collect(level.rules, prefix, out, all);
  for (const child of level.children ?? []) {
    const next = all[child.level];
    if (!next || seen.has(child.level)) continue;
    collectLevel(next, `${prefix}${normalize(child.path)}[].`, out, all, new Set([...seen, child.level]));
  }
}

function sources(definition: MapDefinition): readonly Source[] {
  let s = sourcesOf.get(definition);
  if (!s) {
    const out: Source[] = [];
    collect(definition.rules, '', out);
    // A split map's documents are the items of its split array: their pointers start inside one.
    const split = definition.split !== undefined ? `${normalize(definition.split)}[].` : undefined;
    s = split
      ? out.map((x) =>
          x.path.startsWith(split) ? { ...x, path: x.path.slice(split.length), inItem: true } : x,
        )
      : out;
    sourcesOf.set(definition, s);
  }
  return s;
}

/** Whether `seg` has the codes a rule's `when` asks for. */
function matches(seg: Segment, when: Readonly<Record<string, WhenValue>> | undefined): boolean {
  if (when === undefined) return true;
  for (const key in when) {
    const [el, comp] = key.split('.').map(Number);
    const value = elementText(seg, el! - 1, comp !== undefined ? comp - 1 : 0).trim();
    const want = when[key]!;
    if (typeof want === 'string' ? value !== want : !want.includes(value)) return false;
  }
  return true;
}

/**
 * The location of the canonical error at `pointer` (RFC 6901) in document `docIndex` of the set
 * `segments` (ST first): the element that fills the path, in the occurrence of its segment the
 * pointer's first index names (or the document's, for a split map). A required field missing from
 * a segment present is AK4 1 (999: IK4 I9, implementation-dependent element missing); from a
 * segment absent, AK3 3 at the SE (999: IK3 I6, implementation-dependent segment missing); a value
 * the model refuses is AK4 6 (999: I12, implementation pattern match failure). Undefined when the
 * map fills no such path. `message` says which element, to be added to the error's own.
 */
export function locateCanonicalError(
  definition: MapDefinition,
  segments: readonly Segment[],
  pointer: string,
  message: string,
  docIndex: number,
): Partial<Diagnostic> | undefined {
  const found = canonicalSource(definition, segments, pointer, docIndex);
  if (!found) return undefined;
  const { source, occurrence, at } = found;
  const required = message === 'is required';
  const name = `${source.seg}${String(source.el).padStart(2, '0')}`;
  const advice = required && source.whenMissing !== undefined ? `; ${source.whenMissing}` : '';
  if (at < 0) {
    const last = segments.length - 1;
    return {
      message: ` (from ${name}; the set has no ${source.seg}${occurrence > 0 ? ` number ${occurrence + 1}` : ''}${advice})`,
      level: 'segment',
      code: '3',
      implementationCode: 'I6',
      segmentId: source.seg,
      segmentPosition: segments[last]?.tag === 'SE' ? last + 1 : segments.length + 1,
    };
  }
  const seg = segments[at]!;
  const value = elementText(seg, source.el - 1);
  return {
    message: value === '' ? ` (from ${name}, which is empty${advice})` : ` (from ${name} "${value}")`,
    level: 'element',
    code: required && value === '' ? '1' : '6',
    implementationCode: required && value === '' ? 'I9' : 'I12',
    segmentId: seg.tag,
    segmentPosition: at + 1,
    elementPosition: source.el,
    ...(value !== '' ? { badData: value } : {}),
    ...(seg.offset !== undefined ? { offset: seg.offset } : {}),
  };
}

/**
 * The map element that fills the canonical path at `pointer`, the occurrence of its segment the
 * pointer's first index names (or the document's, for a split map), and that occurrence's index in
 * `segments` (-1 when the message has no such occurrence). Undefined when the map fills no such path.
 */
export function canonicalSource(
  definition: MapDefinition,
  segments: readonly Segment[],
  pointer: string,
  docIndex: number,
): { readonly source: Source; readonly occurrence: number; readonly at: number } | undefined {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const indexes = parts.filter((p) => /^\d+$/.test(p)).map(Number);
  const path = parts
    .map((p) => (/^\d+$/.test(p) ? '[]' : `.${p}`))
    .join('')
    .replace(/^\./, '');
  const all = sources(definition);
  // The field itself, else (an object the model requires) the first field filled inside it.
  const source =
    all.find((s) => s.path === path) ??
    all.find((s) => s.path.startsWith(`${path}.`) || s.path.startsWith(`${path}[]`));
  if (!source) return undefined;
  // A split document's own fields come from its own occurrence; the set's header fields (B10, the
  // N1 loop of a 214) are the same segments for every document.
  const occurrence = source.inItem === true ? docIndex : (indexes[0] ?? 0);
  let seen = 0;
  let at = -1;
  for (let i = 0; i < segments.length && at < 0; i++) {
    const s = segments[i]!;
    if (s.tag === source.seg && matches(s, source.when) && seen++ === occurrence) at = i;
  }
  return { source, occurrence, at };
}
