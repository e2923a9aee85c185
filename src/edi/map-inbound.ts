/**
 * Inbound half of the map engine: a declarative map (map-definition.ts) is compiled once per
 * `LoadedMap` into generated JavaScript (map-inbound-compile.ts; hierarchies in map-hierarchy.ts),
 * which then runs over the body segments of each transaction set / message; this file turns what
 * it wrote into documents (split, defaults, envelope fields). The map stays data in
 * edi-maps/*.yaml; only its in-memory form changes.
 */
import { errorText } from './edi-diagnostic.js';
import type { Diagnostic, Segment } from './edi-types.js';
import type { DefaultValue, LoadedMap } from './map-definition.js';
import { compileFactory, compileRuleList, type RunList } from './map-inbound-compile.js';
import { cloneJson, type InState, type MapContext } from './map-inbound-runtime.js';
import { cachedPath, forEachPath, getPath, isObject, type JsonObject, type PathStep } from './map-paths.js';

export type { MapContext } from './map-inbound-runtime.js';
export { cloneJson } from './map-inbound-runtime.js';
export { memberTags } from './map-inbound-compile.js';

export interface InboundResult {
  readonly documents: JsonObject[];
  readonly diagnostics: Diagnostic[];
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
  readonly run: RunList;
  readonly defaults: readonly DefaultOp[];
  readonly split: readonly PathStep[] | undefined;
}

const compiledMaps = new WeakMap<LoadedMap, CompiledMap>();

function compileMap(map: LoadedMap): CompiledMap {
  let c = compiledMaps.get(map);
  if (!c) {
    const split = map.definition.split;
    c = {
      run: compileRuleList(map, map.definition.rules),
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

/**
 * The diagnostics with those that carry no ack code (SEGMENT_NOT_KEPT, HL_LEVEL_NOT_MAPPED) after
 * the others: an ack lists its set's codes in diagnostic order, so an empty code ahead of a real
 * one would leave an empty element between them (AK5*R**5).
 */
function codelessLast(diagnostics: Diagnostic[]): Diagnostic[] {
  if (!diagnostics.some((d) => d.code === '') || diagnostics.every((d) => d.code === '')) return diagnostics;
  return [...diagnostics.filter((d) => d.code !== ''), ...diagnostics.filter((d) => d.code === '')];
}

/**
 * Maps one transaction set's body segments (without ST/SE) to canonical documents: `segments`, or
 * `segments[from, to)` when the caller has the whole set (ctx.firstPosition is then segments[0]'s).
 */
export function mapInbound(
  map: LoadedMap,
  segments: readonly Segment[],
  ctx: MapContext = {},
  from = 0,
  to = segments.length,
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
    compiled.run(st, segments, from, to, root);
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
    return { documents: docs, diagnostics: codelessLast(diagnostics) };
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
