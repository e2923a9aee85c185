/**
 * Loads maps from edi-maps/: the map files, the code tables they name, and a partner's overrides
 * (edi-maps/partners/<partnerId>/partner.yaml), which change one rule, element, code or default
 * without copying the map. Every problem is reported with the file and the path inside it.
 */
import { errorText } from './edi-diagnostic.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { ErrorObject } from 'ajv';
import { createAjv } from '../canonical/ajv-factory.js';
import { isValidTimeZone } from './edi-datetime.js';
import {
  isHierarchyRule,
  isLoopRule,
  lastIndexOf,
  type CodeTable,
  type DefaultValue,
  type ElementRule,
  type HierarchyLevel,
  type HierarchyRule,
  type LoadedMap,
  type LoopRule,
  type MapDefinition,
  type Rule,
  type SegmentRule,
} from './map-definition.js';
import { mapFileSchema, partnerFileSchema } from './map-file-schema.js';
import { isObject, parsePath, type JsonObject } from './map-paths.js';

export interface MapLoadError {
  readonly file: string;
  /** JSON path inside the file, e.g. `/rules/3/elements/0/to`. */
  readonly path: string;
  readonly message: string;
}

export interface MapSet {
  readonly mapsDir: string;
  readonly partnerId?: string;
  /** The partner's file (relative to mapsDir) when it has one; a partner without one has no overrides. */
  readonly partnerFile?: string;
  /** Every problem: base maps, code tables and the partner's file. */
  readonly errors: readonly MapLoadError[];
  /**
   * The problems of the partner's file (a subset of `errors`). When there are any, `maps` is empty:
   * its time zone, code tables and rules apply to every map, so no map is right for that partner.
   */
  readonly partnerErrors: readonly MapLoadError[];
  readonly maps: readonly LoadedMap[];
}

const ajv = createAjv();
const validateMapFile = ajv.compile(mapFileSchema);
const validatePartnerFile = ajv.compile(partnerFileSchema);
/** A list of rules as a map file has them: a partner's merged rule is checked as `[rule]`. */
const validateRules = ajv.compile({ $defs: mapFileSchema.$defs, $ref: '#/$defs/rules' });

/** CROSSDOCK_MAPS_DIR, else edi-maps/ next to the crossdock package.json above this file, else ./edi-maps. */
export function defaultMapsDir(): string {
  const env = process.env['CROSSDOCK_MAPS_DIR'];
  if (env) return env;
  try {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (;;) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg)) {
        const parsed: unknown = JSON.parse(readFileSync(pkg, 'utf8'));
        if (isObject(parsed) && parsed['name'] === 'crossdock' && existsSync(join(dir, 'edi-maps')))
          return join(dir, 'edi-maps');
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  } catch {
    // fall through to the working directory
  }
  // Compiled code often runs from a copy (dist/, /tmp); the checkout we run in is the next best guess.
  return join(process.cwd(), 'edi-maps');
}

/** An Ajv error as a load error: an unknown key is named (and is the path), an enum lists its values. */
function schemaError(file: string, e: ErrorObject, prefix = '', skip = 0): MapLoadError {
  const params = e.params as { additionalProperty?: unknown; allowedValues?: unknown };
  const at = `${prefix}${e.instancePath.slice(skip)}`;
  if (e.keyword === 'additionalProperties')
    return {
      file,
      path: `${at}/${String(params.additionalProperty)}`,
      message: `unknown key "${String(params.additionalProperty)}"`,
    };
  const message =
    e.keyword === 'enum' && Array.isArray(params.allowedValues)
      ? `must be one of ${params.allowedValues.map(String).join(', ')}`
      : (e.message ?? 'invalid');
  return { file, path: at, message };
}

/** Schema errors without the summary the if/then wrapper adds (the branch's own error is the useful one). */
function schemaErrors(errors: readonly ErrorObject[] | null | undefined): ErrorObject[] {
  return (errors ?? []).filter((e) => e.keyword !== 'if');
}

function readYaml(file: string, errors: MapLoadError[], root: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    errors.push({
      file: relative(root, file),
      path: '',
      message: `cannot read YAML: ${errorText(err)}`,
    });
    return undefined;
  }
}

function listFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (name === 'partners' || name === 'code-tables') continue;
    if (statSync(full).isDirectory()) out.push(...listFiles(full, suffix));
    else if (name.endsWith(suffix)) out.push(full);
  }
  return out;
}

function loadCodeTables(
  dir: string,
  errors: MapLoadError[],
  root: string,
): Map<string, Record<string, string>> {
  const tables = new Map<string, Record<string, string>>();
  if (!existsSync(dir)) return tables;
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.yaml')) continue;
    const file = join(dir, name);
    const data = readYaml(file, errors, root);
    const codes = isObject(data) && isObject(data['codes']) ? data['codes'] : undefined;
    if (!codes) {
      errors.push({
        file: relative(root, file),
        path: '/codes',
        message: 'a code table needs a `codes:` mapping of code → value',
      });
      continue;
    }
    const table: Record<string, string> = {};
    for (const [k, v] of Object.entries(codes)) {
      if (typeof v !== 'string' && typeof v !== 'number') {
        errors.push({
          file: relative(root, file),
          path: `/codes/${k}`,
          message: 'code values must be strings',
        });
        continue;
      }
      table[k] = String(v);
    }
    tables.set(name.slice(0, -'.yaml'.length), table);
  }
  return tables;
}

/** Semantic checks the JSON Schema cannot express: paths parse, tables exist, `[]` only where it may. */
function checkRules(
  rules: readonly Rule[],
  at: string,
  tables: ReadonlyMap<string, unknown>,
  report: (path: string, message: string) => void,
  inRepeatingLoop = false,
): void {
  const checkPath = (p: string | undefined, where: string, allowAppend: boolean): void => {
    if (p === undefined) return;
    const body = allowAppend && p.endsWith('[]') ? p.slice(0, -2) : p;
    const parsed = parsePath(body);
    if (typeof parsed === 'string') report(where, parsed);
    else if (parsed.steps.some((s) => s.index === '*')) report(where, '`[*]` is only allowed in defaults');
  };
  const checkElement = (e: ElementRule, where: string, rule: SegmentRule): void => {
    // `list[]` appends (a repeat's values follow the earlier ones'); output needs fixed indexes.
    const appends = e.to?.endsWith('[]') === true;
    checkPath(e.to, `${where}/to`, appends);
    checkPath(e.unlessSet, `${where}/unlessSet`, false);
    if (e.mustFit !== undefined && e.maxLength === undefined)
      report(`${where}/mustFit`, 'mustFit refuses a value longer than maxLength: it needs maxLength');
    if (
      e.leftOut !== undefined &&
      (e.to !== undefined ||
        e.pairs !== undefined ||
        e.fixed !== undefined ||
        e.compute !== undefined ||
        e.toGroup !== undefined ||
        e.groupKey === true ||
        e.direction === 'outbound')
    )
      report(
        `${where}/leftOut`,
        'a leftOut element reads nothing: no to, pairs, fixed, compute or group field',
      );
    if (appends && e.direction !== 'inbound' && rule.direction !== 'inbound')
      report(`${where}/to`, '`[]` (append) is for inbound elements: output writes fixed indexes');
    if (appends && e.pairs !== undefined) report(`${where}/to`, '`[]` (append) takes one value, not pairs');
    if (e.table && !tables.has(e.table))
      report(`${where}/table`, `unknown code table "${e.table}" (edi-maps/code-tables/${e.table}.yaml)`);
    if (e.onlyIfCodeIn && !tables.has(e.onlyIfCodeIn))
      report(
        `${where}/onlyIfCodeIn`,
        `unknown code table "${e.onlyIfCodeIn}" (edi-maps/code-tables/${e.onlyIfCodeIn}.yaml)`,
      );
    for (const [q, f] of Object.entries(e.pairs?.promote ?? {}))
      checkPath(f, `${where}/pairs/promote/${q}`, false);
  };
  rules.forEach((r, i) => {
    const where = `${at}/${i}`;
    if (isHierarchyRule(r)) {
      if (!r.levels[r.hierarchy.root])
        report(`${where}/hierarchy/root`, `root level "${r.hierarchy.root}" has no entry in levels`);
      for (const [code, lvl] of Object.entries(r.levels)) {
        checkRules(lvl.rules, `${where}/levels/${code}/rules`, tables, report);
        (lvl.children ?? []).forEach((c, ci) => {
          checkPath(c.path, `${where}/levels/${code}/children/${ci}/path`, true);
          if (!r.levels[c.level])
            report(`${where}/levels/${code}/children/${ci}/level`, `unknown level "${c.level}"`);
        });
      }
    } else if (isLoopRule(r)) {
      checkPath(r.repeat, `${where}/repeat`, true);
      checkPath(r.whileUnset, `${where}/whileUnset`, false);
      for (const [to, from] of Object.entries(r.initFrom ?? {})) {
        checkPath(to, `${where}/initFrom/${to}`, false);
        checkPath(from, `${where}/initFrom/${to}`, false);
        if (r.repeat === undefined) report(`${where}/initFrom`, 'initFrom needs repeat: it fills new items');
        if (to.startsWith('$.'))
          report(`${where}/initFrom/${to}`, "the field filled is the item's own, not a root path");
      }
      if (r.groupBy !== undefined && (r.repeat === undefined || r.repeat.startsWith('$.')))
        report(`${where}/groupBy`, 'groupBy needs a repeat relative to the group (lines[])');
      if (
        r.onlyWith &&
        (r.repeat === undefined || !r.rules.some((x) => 'seg' in x && x.seg === r.onlyWith!.seg))
      )
        report(`${where}/onlyWith`, 'onlyWith needs repeat and a rule of the loop for its segment');
      const first = r.rules[0];
      if (!first || !('seg' in first) || first.seg !== r.loop)
        report(`${where}/rules/0`, `the first rule of loop ${r.loop} must be its ${r.loop} segment`);
      checkRules(r.rules, `${where}/rules`, tables, report, r.repeat !== undefined);
    } else {
      checkPath(r.repeat, `${where}/repeat`, true);
      checkPath(r.whileUnset, `${where}/whileUnset`, false);
      for (const field of Object.keys(r.whenItem ?? {}))
        checkPath(field, `${where}/whenItem/${field}`, false);
      checkPath(r.lastOf, `${where}/lastOf`, false);
      if (r.lastOf !== undefined && lastIndexOf(r, r.lastOf) < 0)
        report(`${where}/lastOf`, `no element of this rule writes an item of ${r.lastOf} ([n])`);
      if (r.splitsItem && !inRepeatingLoop)
        report(`${where}/splitsItem`, 'splitsItem is for a segment of a loop with `repeat`');
      if (r.leftOut !== undefined && (r.direction !== 'inbound' || r.elements.length > 0))
        report(`${where}/leftOut`, 'a leftOut rule reads nothing: direction inbound, no elements');
      if (r.skipWritten && r.repeat === undefined)
        report(`${where}/skipWritten`, 'skipWritten is for a rule with `repeat`');
      if (r.elementRepeats !== undefined) {
        const read = r.elements.filter((e) => e.direction !== 'outbound' && e.leftOut === undefined);
        if (
          r.repeat === undefined ||
          read.length === 0 ||
          read.some(
            (e) =>
              e.el !== read[0]!.el ||
              e.to === undefined ||
              e.pairs !== undefined ||
              e.toGroup !== undefined ||
              e.negate !== undefined ||
              (e.transform !== undefined && ['date', 'dateOnly', 'time', 'timeCode'].includes(e.transform)),
          )
        )
          report(
            `${where}/elementRepeats`,
            'elementRepeats needs repeat, and elements that read one composite (one el) into fields: no pairs, group fields, signs or date parts',
          );
      }
      r.requires?.anyOf.forEach((f, fi) => checkPath(f, `${where}/requires/anyOf/${fi}`, false));
      r.elements.forEach((e, ei) => {
        checkElement(e, `${where}/elements/${ei}`, r);
        if (e.negate) checkNegate(r, e, `${where}/elements/${ei}/negate`, report);
      });
    }
  });
}

const NEGATABLE = new Set(['decimal', 'n0', 'n1', 'n2', 'n3']);

/** `negate` turns over a decimal string read from the element, once per loop pass. */
function checkNegate(
  rule: SegmentRule,
  e: ElementRule,
  where: string,
  report: (path: string, message: string) => void,
): void {
  if (e.transform === undefined || !NEGATABLE.has(e.transform))
    report(where, 'negate needs a decimal value: transform decimal or n0–n3');
  for (const key of ['table', 'pairs', 'fixed', 'compute'] as const)
    if (e[key] !== undefined)
      report(where, `negate cannot go with ${key}: it turns over a decimal read from the element`);
  if (rule.repeat !== undefined)
    report(where, 'negate is for a rule without repeat: the sign is read once per loop pass');
}

/**
 * The segment that carries a `negate` sign must be written, with those codes, by a rule of the
 * same rule list that also reads them, or an allowance would go out as a charge (and its code not
 * come back). Checked on a whole map (and again once a partner's overrides are merged into it),
 * since it spans rules.
 */
function checkSignCarriers(
  rules: readonly Rule[],
  at: string,
  report: (path: string, message: string) => void,
): void {
  rules.forEach((r, i) => {
    const where = `${at}/${i}`;
    if (isHierarchyRule(r)) {
      for (const [code, lvl] of Object.entries(r.levels))
        checkSignCarriers(lvl.rules, `${where}/levels/${code}/rules`, report);
      return;
    }
    if (isLoopRule(r)) return checkSignCarriers(r.rules, `${where}/rules`, report);
    r.elements.forEach((e, ei) => {
      const negate = e.negate;
      if (!negate) return;
      const takesSign = (s: Rule): boolean =>
        !isLoopRule(s) &&
        !isHierarchyRule(s) &&
        s.seg === negate.seg &&
        s.repeat === undefined &&
        s.direction !== 'inbound' &&
        Object.entries(negate.when).every(([k, want]) => {
          const own = s.when?.[k];
          const codes = typeof want === 'string' ? [want] : want;
          return (
            own === undefined || codes.every((c) => (typeof own === 'string' ? own === c : own.includes(c)))
          );
        });
      if (!rules.some(takesSign))
        report(
          `${where}/elements/${ei}/negate`,
          `no rule for ${negate.seg} in the same rule list writes it with ${JSON.stringify(negate.when)}: the sign would be lost on output`,
        );
    });
  });
}

/** Merges a partial rule into the rule with that id (`elements` merge by `el`); the merged rule, if any. */
function applyRuleOverride(rules: Rule[], id: string, patch: JsonObject): Rule | undefined {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (r.id === id) {
      const merged: JsonObject = { ...(r as unknown as JsonObject) };
      for (const [k, v] of Object.entries(patch)) {
        if (k === 'elements' && Array.isArray(v) && Array.isArray(merged['elements'])) {
          const els = [...(merged['elements'] as JsonObject[])];
          for (const pe of v) {
            if (!isObject(pe)) continue;
            const at = els.findIndex((e) => e['el'] === pe['el'] && (e['comp'] ?? 1) === (pe['comp'] ?? 1));
            if (at >= 0) els[at] = { ...els[at], ...pe };
            else els.push(pe);
          }
          merged['elements'] = els;
        } else merged[k] = v;
      }
      rules[i] = merged as unknown as Rule;
      return rules[i];
    }
    const nested = isHierarchyRule(r)
      ? Object.values(r.levels).map((lvl) => lvl.rules as Rule[])
      : isLoopRule(r)
        ? [r.rules as Rule[]]
        : [];
    for (const inner of nested) {
      const found = applyRuleOverride(inner, id, patch);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Rebuilds rules with every property present, in one order. Rules parsed from YAML each have their
 * own set of keys, so V8 sees dozens of object shapes in the engine's hot loops and falls back to
 * slow property lookups; uniform shapes keep those loops monomorphic.
 */
function uniformElement(e: ElementRule): ElementRule {
  return {
    el: e.el,
    comp: e.comp,
    to: e.to,
    transform: e.transform,
    table: e.table,
    tableDefault: e.tableDefault,
    tableOnly: e.tableOnly,
    default: e.default,
    noValue: e.noValue,
    fixed: e.fixed,
    compute: e.compute,
    onlyIfUnset: e.onlyIfUnset,
    maxLength: e.maxLength,
    mustFit: e.mustFit,
    onlyIfCodeIn: e.onlyIfCodeIn,
    unlessSet: e.unlessSet,
    leftOut: e.leftOut,
    whenMissing: e.whenMissing,
    negate: e.negate,
    direction: e.direction,
    pairs: e.pairs,
    groupKey: e.groupKey,
    toGroup: e.toGroup,
  } as ElementRule;
}

function uniformRules(rules: readonly Rule[]): Rule[] {
  return rules.map((r): Rule => {
    if (isHierarchyRule(r)) {
      const levels: Record<string, HierarchyLevel> = {};
      for (const [code, lvl] of Object.entries(r.levels)) {
        levels[code] = {
          rules: uniformRules(lvl.rules),
          children: lvl.children,
          init: lvl.init,
        } as HierarchyLevel;
      }
      return { id: r.id, hierarchy: r.hierarchy, levels } as HierarchyRule;
    }
    if (isLoopRule(r)) {
      return {
        id: r.id,
        loop: r.loop,
        when: r.when,
        repeat: r.repeat,
        direction: r.direction,
        init: r.init,
        initFrom: r.initFrom,
        groupBy: r.groupBy,
        onlyWith: r.onlyWith,
        whileUnset: r.whileUnset,
        rules: uniformRules(r.rules),
      } as LoopRule;
    }
    return {
      id: r.id,
      seg: r.seg,
      when: r.when,
      repeat: r.repeat,
      always: r.always,
      onlyWhenItFits: r.onlyWhenItFits,
      lastOf: r.lastOf,
      whileUnset: r.whileUnset,
      whenItem: r.whenItem,
      splitsItem: r.splitsItem,
      leftOut: r.leftOut,
      skipWritten: r.skipWritten,
      elementRepeats: r.elementRepeats,
      requires: r.requires,
      direction: r.direction,
      elements: r.elements.map(uniformElement),
      init: r.init,
    } as SegmentRule;
  });
}

/** A partner's file, read and checked on its own: its problems name the file and the path inside it. */
interface PartnerFile {
  readonly file?: string;
  readonly data: JsonObject;
  readonly errors: MapLoadError[];
}

/** Where a partner's file is, or undefined for an id that is no plain directory name. */
function partnerFilePath(mapsDir: string, partnerId: string): string | undefined {
  if (!/^[A-Za-z0-9_.-]+$/.test(partnerId) || partnerId === '.' || partnerId === '..') return undefined;
  return join(mapsDir, 'partners', partnerId, 'partner.yaml');
}

function readPartnerFile(mapsDir: string, partnerId: string): PartnerFile {
  const errors: MapLoadError[] = [];
  const path = partnerFilePath(mapsDir, partnerId);
  if (path === undefined) {
    errors.push({ file: 'partners', path: '', message: `bad partner id "${partnerId}"` });
    return { data: {}, errors };
  }
  if (!existsSync(path)) return { data: {}, errors };
  const file = relative(mapsDir, path);
  const data = readYaml(path, errors, mapsDir);
  if (data === undefined) return { file, data: {}, errors };
  if (!validatePartnerFile(data)) {
    for (const e of schemaErrors(validatePartnerFile.errors)) errors.push(schemaError(file, e));
    return { file, data: {}, errors };
  }
  return { file, data: isObject(data) ? data : {}, errors };
}

const cache = new Map<string, MapSet>();

/** When the partner's file last changed (0: no file, or no partner). */
function partnerFileTime(mapsDir: string, partnerId: string | undefined): number {
  const path = partnerId ? partnerFilePath(mapsDir, partnerId) : undefined;
  if (path === undefined) return 0;
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Loads (and caches) every map under `mapsDir` with `partnerId`'s overrides applied. A broken map
 * is left out (its errors say why); a broken partner file leaves every map out for that partner.
 */
export function loadMaps(options: { mapsDir?: string; partnerId?: string; timeZone?: string } = {}): MapSet {
  const mapsDir = options.mapsDir ?? defaultMapsDir();
  // A partner file edited while the process runs (to mend it, say) is read again: its time is in the key.
  const key = `${mapsDir}|${options.partnerId ?? ''}|${options.timeZone ?? ''}|${partnerFileTime(mapsDir, options.partnerId)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const stale = key.slice(0, key.lastIndexOf('|') + 1);
  for (const k of cache.keys()) if (k.startsWith(stale)) cache.delete(k);
  const errors: MapLoadError[] = [];
  const tables = loadCodeTables(join(mapsDir, 'code-tables'), errors, mapsDir);
  const partner: PartnerFile = options.partnerId
    ? readPartnerFile(mapsDir, options.partnerId)
    : { data: {}, errors: [] };
  const partnerErrors = partner.errors;
  const partnerFile = partner.file ?? '';
  const partnerError = (path: string, message: string): void =>
    void partnerErrors.push({ file: partnerFile, path, message });
  const partnerTables = isObject(partner.data['codeTables']) ? partner.data['codeTables'] : {};
  for (const [name, codes] of Object.entries(partnerTables)) {
    const base = tables.get(name);
    if (!base) partnerError(`/codeTables/${name}`, `unknown code table "${name}"`);
    else tables.set(name, { ...base, ...(codes as Record<string, string>) });
  }
  const partnerZone = typeof partner.data['timeZone'] === 'string' ? partner.data['timeZone'] : undefined;
  if (partnerZone && !isValidTimeZone(partnerZone))
    partnerError('/timeZone', `unknown time zone "${partnerZone}"`);
  const partnerMaps = isObject(partner.data['maps']) ? partner.data['maps'] : {};
  const mapNames = new Set<string>();
  const maps: LoadedMap[] = [];
  for (const file of listFiles(mapsDir, '.map.yaml')) {
    const rel = relative(mapsDir, file);
    const data = readYaml(file, errors, mapsDir);
    if (data === undefined) continue;
    if (isObject(data) && typeof data['name'] === 'string') mapNames.add(data['name']);
    if (!validateMapFile(data)) {
      for (const e of schemaErrors(validateMapFile.errors)) errors.push(schemaError(rel, e));
      continue;
    }
    const def = structuredClone(data) as unknown as MapDefinition & {
      timeZone?: string;
      rules: Rule[];
      defaults?: Record<string, DefaultValue>;
    };
    const before = errors.length;
    const report = (p: string, message: string): void => void errors.push({ file: rel, path: p, message });
    checkRules(def.rules, '/rules', tables, report);
    checkSignCarriers(def.rules, '/rules', report);
    for (const k of Object.keys(def.defaults ?? {})) {
      const p = parsePath(k);
      if (typeof p === 'string') report(`/defaults/${k}`, p);
    }
    if (errors.length > before) continue;
    const override = partnerMaps[def.name];
    if (isObject(override)) {
      const at = `/maps/${def.name}`;
      const partnerBefore = partnerErrors.length;
      for (const [id, patch] of Object.entries(isObject(override['rules']) ? override['rules'] : {})) {
        const merged = isObject(patch) ? applyRuleOverride(def.rules, id, patch) : undefined;
        if (!merged) partnerError(`${at}/rules/${id}`, `no rule with id "${id}" in ${rel}`);
        // The rule as merged, checked as a map's rule is (`/0` is the rule itself).
        else if (!validateRules([merged]))
          for (const e of schemaErrors(validateRules.errors))
            partnerErrors.push(schemaError(partnerFile, e, `${at}/rules/${id}(merged)`, '/0'.length));
        else
          // Alone, the rule has no loop around it: its splitsItem was checked with its map.
          checkRules(
            [merged],
            '',
            tables,
            (p, m) => partnerError(`${at}/rules/${id}(merged)${p.slice('/0'.length)}`, m),
            true,
          );
      }
      if (isObject(override['defaults'])) {
        for (const k of Object.keys(override['defaults'])) {
          const p = parsePath(k);
          if (typeof p === 'string') partnerError(`${at}/defaults/${k}`, p);
        }
        def.defaults = { ...def.defaults, ...(override['defaults'] as Record<string, DefaultValue>) };
      }
      // The merged map as a whole (its defaults, say) is then checked as a map file is.
      if (partnerErrors.length === partnerBefore && !validateMapFile(def))
        for (const e of schemaErrors(validateMapFile.errors))
          partnerErrors.push(schemaError(partnerFile, e, `${at}(merged)`));
      if (partnerErrors.length === partnerBefore)
        checkSignCarriers(def.rules, `${at}(merged)/rules`, partnerError);
      if (partnerErrors.length > partnerBefore) continue;
    }
    const timeZone = options.timeZone ?? partnerZone ?? def.timeZone ?? 'UTC';
    maps.push({
      definition: { ...def, rules: uniformRules(def.rules) },
      file: rel,
      tables: tables as ReadonlyMap<string, CodeTable>,
      timeZone: isValidTimeZone(timeZone) ? timeZone : 'UTC',
    });
  }
  for (const name of Object.keys(partnerMaps))
    if (!mapNames.has(name))
      partnerError(`/maps/${name}`, `unknown map "${name}" (maps: ${[...mapNames].sort().join(', ')})`);
  const set: MapSet = {
    mapsDir,
    ...(options.partnerId ? { partnerId: options.partnerId } : {}),
    ...(partner.file ? { partnerFile: partner.file } : {}),
    errors: [...errors, ...partnerErrors],
    partnerErrors,
    maps: partnerErrors.length > 0 ? [] : maps,
  };
  cache.set(key, set);
  return set;
}

/** The map for a message and version; a map listing no versions serves any. Version match is by prefix (004010 ← 004010VICS). */
export function findMap(
  set: MapSet,
  standard: 'x12' | 'edifact',
  message: string,
  version: string | undefined,
): LoadedMap | undefined {
  const candidates = set.maps.filter(
    (m) => m.definition.standard === standard && m.definition.message === message,
  );
  // The last resort, a map made for other versions, is reported by the caller (mapVersionFallback).
  return (
    candidates.find(
      (m) => version !== undefined && (m.definition.versions ?? []).some((v) => version.startsWith(v)),
    ) ??
    candidates.find((m) => (m.definition.versions ?? []).length === 0) ??
    candidates[0]
  );
}

/** Whether `map` names `version` (or a version it starts with) among its versions; a map naming none takes any. */
export function declaresVersion(map: LoadedMap, version: string | undefined): boolean {
  const versions = map.definition.versions ?? [];
  return versions.length === 0 || (version !== undefined && versions.some((v) => version.startsWith(v)));
}

export function findMapByName(set: MapSet, name: string): LoadedMap | undefined {
  return set.maps.find((m) => m.definition.name === name);
}

export function findMapForDocument(
  set: MapSet,
  standard: 'x12' | 'edifact',
  documentType: string,
  message?: string,
): LoadedMap | undefined {
  return set.maps.find(
    (m) =>
      m.definition.standard === standard &&
      m.definition.documentType === documentType &&
      (message === undefined || m.definition.message === message),
  );
}
