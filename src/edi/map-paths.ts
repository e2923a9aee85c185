/**
 * Tiny path language the maps use to address canonical fields: `a.b[2].c`, `$.root.field` (from the
 * document root instead of the current loop item), `.` (the current item itself, for arrays of
 * strings) and `a[*].b` (every item, only in `defaults`). Kept separate from JSON Pointer because map
 * authors write these by hand and the bracket form reads like the canonical examples.
 */

export type PathStep = { readonly key: string; readonly index?: number | '*' };

export interface ParsedPath {
  readonly fromRoot: boolean;
  readonly self: boolean;
  readonly steps: readonly PathStep[];
}

const STEP = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+|\*)\])?$/;

/** Returns the parsed path or an error message; maps are validated at load time with this. */
export function parsePath(text: string): ParsedPath | string {
  if (text === '.') return { fromRoot: false, self: true, steps: [] };
  let body = text;
  let fromRoot = false;
  if (body.startsWith('$.')) {
    fromRoot = true;
    body = body.slice(2);
  }
  if (body.length === 0) return `empty path "${text}"`;
  const steps: PathStep[] = [];
  for (const part of body.split('.')) {
    const m = STEP.exec(part);
    if (!m) return `bad path step "${part}" in "${text}"`;
    const idx = m[2];
    steps.push(idx === undefined ? { key: m[1]! } : { key: m[1]!, index: idx === '*' ? '*' : Number(idx) });
  }
  return { fromRoot, self: false, steps };
}

export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a value; `*` steps are not allowed here (use `forEachPath`). */
export function getPath(target: unknown, steps: readonly PathStep[]): unknown {
  let cur: unknown = target;
  for (const step of steps) {
    if (!isObject(cur)) return undefined;
    cur = cur[step.key];
    if (step.index !== undefined) {
      if (!Array.isArray(cur) || step.index === '*') return undefined;
      cur = cur[step.index];
    }
  }
  return cur;
}

/** Writes a value, creating objects and arrays on the way. */
export function setPath(target: JsonObject, steps: readonly PathStep[], value: unknown): void {
  let cur: JsonObject = target;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const last = i === steps.length - 1;
    if (step.index === undefined || step.index === '*') {
      if (last) {
        cur[step.key] = value;
        return;
      }
      let next = cur[step.key];
      if (!isObject(next)) {
        next = {};
        cur[step.key] = next;
      }
      cur = next as JsonObject;
      continue;
    }
    let arr = cur[step.key];
    if (!Array.isArray(arr)) {
      arr = [];
      cur[step.key] = arr;
    }
    const list = arr as unknown[];
    while (list.length <= step.index) list.push(last ? undefined : {});
    if (last) {
      list[step.index] = value;
      return;
    }
    if (!isObject(list[step.index])) list[step.index] = {};
    cur = list[step.index] as JsonObject;
  }
}

/** The array at `steps` (a repeat target, a hierarchy slot), created with its parents when missing. */
export function arrayAt(target: JsonObject, steps: readonly PathStep[]): unknown[] {
  const only = steps.length === 1 ? steps[0]! : undefined;
  if (only !== undefined && only.index === undefined) {
    // The common one-key case (`orders`, `lines`) without the generic walk.
    const found = target[only.key];
    if (Array.isArray(found)) return found as unknown[];
    const created: unknown[] = [];
    target[only.key] = created;
    return created;
  }
  const found = getPath(target, steps);
  if (Array.isArray(found)) return found as unknown[];
  const created: unknown[] = [];
  setPath(target, steps, created);
  return created;
}

/** Calls `fn(parent, key)` for every location a `[*]` path designates, so defaults can fill each item. */
export function forEachPath(
  target: unknown,
  steps: readonly PathStep[],
  fn: (parent: JsonObject, key: string) => void,
): void {
  const walk = (cur: unknown, i: number): void => {
    if (!isObject(cur)) return;
    const step = steps[i]!;
    const last = i === steps.length - 1;
    if (step.index === undefined) {
      if (last) fn(cur, step.key);
      else walk(cur[step.key], i + 1);
      return;
    }
    const arr = cur[step.key];
    if (!Array.isArray(arr)) return;
    const items = step.index === '*' ? arr : [arr[step.index]];
    for (const item of items) if (!last) walk(item, i + 1);
  };
  if (steps.length > 0) walk(target, 0);
}

const pathCache = new Map<string, ParsedPath>();
/**
 * `parsePath` cached by text: rules are data parsed once, the engine must not re-parse per segment.
 * Maps are validated at load, so a bad path here means a hand-built map: it is treated as self.
 */
export function cachedPath(text: string): ParsedPath {
  let p = pathCache.get(text);
  if (!p) {
    const parsed = parsePath(text);
    p = typeof parsed === 'string' ? { fromRoot: false, self: true, steps: [] } : parsed;
    pathCache.set(text, p);
  }
  return p;
}

/** The path of an array named `items[]` (repeat targets, hierarchy slots). */
export function arrayPath(text: string): ParsedPath {
  return cachedPath(stripArray(text));
}

export function stripArray(text: string): string {
  return text.endsWith('[]') ? text.slice(0, -2) : text;
}
