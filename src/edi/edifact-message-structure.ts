import desadvTable from 'edifact/messages/DESADV.json' with { type: 'json' };
import invoicTable from 'edifact/messages/INVOIC.json' with { type: 'json' };
import type { Diagnostic, Segment } from './edi-types.js';
import { EdifactSyntaxError } from './edifact-syntax-errors.js';

/*
 * Where each segment may stand in the messages we map (DESADV, IFTSTA, INVOIC): the segment groups
 * of the UN/EDIFACT D.96A branching diagrams, addressed by their trigger segments. A segment that
 * is no part of the message, or that stands outside the group it belongs to (a DESADV LIN without
 * its CPS), is syntax error 15 "not supported in this position" rather than silently ignored by
 * the map. Lenient where partners differ in practice: within a group the order of its segments is
 * not checked, nested groups that carry no data the maps read are flattened into their parent (so
 * GIN straight after PAC is taken, as with a PCI before it), and repetition counts are not checked.
 * D.01B uses the same groups for these segments, so one structure serves every directory.
 *
 * Sources. DESADV and IFTSTA are checked against the UN D.96A segment tables (UNTDID D.96A
 * desadv_s, iftsta_s); INVOIC is not (no copy of its D.96A table at hand). The `edifact` package
 * ships DESADV and INVOIC tables (messages/*.json) of a later directory it does not name (DESADV
 * with EFI and COD groups, INVOIC with PYT instead of PAT, GEI, AJT, INP): what they allow is
 * added to ours (withPackageTable), since partners on later directories send it and a false 15
 * rejects a real file; what D.96A has and they dropped (INVOIC PAT) stays. The package has no
 * IFTSTA: that table is ours alone.
 */

interface SegmentGroup {
  /** Trigger segment (the group's first segment); `''` for the message itself. */
  readonly tag: string;
  readonly segments: Set<string>;
  readonly groups: Map<string, SegmentGroup>;
}

function group(tag: string, members: readonly (string | SegmentGroup)[]): SegmentGroup {
  const segments = new Set<string>();
  const groups = new Map<string, SegmentGroup>();
  for (const m of members) {
    if (typeof m === 'string') segments.add(m);
    else groups.set(m.tag, m);
  }
  return { tag, segments, groups };
}

const rffDtm = group('RFF', ['DTM']);
const ctaCom = group('CTA', ['COM']);
const locDtm = group('LOC', ['DTM']);

const DESADV = group('', [
  'BGM',
  'DTM',
  'ALI',
  'MEA',
  'MOA',
  'CNT',
  rffDtm,
  group('NAD', ['LOC', rffDtm, ctaCom]),
  // D.96A SG5 TOD-LOC-FTX.
  group('TOD', ['LOC', 'FTX']),
  group('TDT', ['PCD', locDtm]),
  // D.96A SG9 HAN-FTX under EQD.
  group('EQD', ['MEA', 'SEL', 'EQA', group('HAN', ['FTX'])]),
  group('CPS', [
    'FTX',
    group('PAC', ['MEA', 'QTY', 'HAN', 'FTX', 'PCI', 'RFF', 'DTM', 'GIN', 'GIR', 'DLM']),
    group('LIN', [
      'PIA',
      'IMD',
      'MEA',
      'QTY',
      'ALI',
      'GIN',
      'GIR',
      'DLM',
      'DTM',
      'FTX',
      'MOA',
      'HAN',
      rffDtm,
      group('DGS', ['QTY', 'FTX']),
      group('LOC', ['NAD', 'DTM', 'QTY']),
      group('SGP', ['QTY']),
      group('PCI', ['DTM', 'MEA', 'QTY', 'GIN', 'DLM', 'GIR']),
      group('QVR', ['DTM']),
    ]),
  ]),
]);

const iftstaStatus = group('STS', [
  'RFF',
  'DTM',
  // D.96A 0240, added in that directory.
  'DOC',
  'FTX',
  'NAD',
  'LOC',
  'PCI',
  'QTY',
  'MEA',
  'TSR',
  group('TDT', ['RFF', 'LOC', 'DTM']),
  group('EQD', ['MEA', 'DIM', 'SEL', 'EQA', 'TPL']),
  // D.96A SG9 GID-HAN with SG10 MEA-EQN, SG11 DIM-EQN, SG12 PCI-GIN, flattened.
  group('GID', ['HAN', 'SGP', 'DGS', 'FTX', 'MEA', 'DIM', 'EQN', 'PCI', 'GIN', 'QTY']),
]);

const IFTSTA = group('', [
  'BGM',
  'DTM',
  // D.96A 0040, in the header.
  'TSR',
  'FTX',
  'CNT',
  'LOC',
  group('NAD', [ctaCom]),
  rffDtm,
  group('TDT', ['RFF', locDtm]),
  group('EQD', ['MEA', 'DIM', 'SEL', 'EQA']),
  group('CNI', ['LOC', 'CNT', 'DTM', 'RFF', iftstaStatus]),
  // Partners (and our own output for an event without a shipment id) send STS without a CNI.
  iftstaStatus,
]);

const moaRng = group('MOA', ['RNG']);
const taxMoa = group('TAX', ['MOA', 'LOC']);
const invoicAlc = group('ALC', [
  'ALI',
  'DTM',
  rffDtm,
  group('QTY', ['RNG']),
  group('PCD', ['RNG']),
  moaRng,
  group('RTE', ['RNG']),
  taxMoa,
]);
const invoicNad = group('NAD', ['LOC', 'FII', rffDtm, group('DOC', ['DTM']), ctaCom]);
const invoicPac = group('PAC', ['MEA', 'PCI', 'RFF', 'DTM', 'GIN']);

const INVOIC = group('', [
  'BGM',
  'DTM',
  'PAI',
  // Not in the D.96A header, but our INVOIC carries the shipment weight there (totals.weight).
  'MEA',
  'ALI',
  'IMD',
  'FTX',
  'LOC',
  'GIS',
  'UNS',
  'CNT',
  rffDtm,
  invoicNad,
  taxMoa,
  group('CUX', ['DTM']),
  group('PAT', ['DTM', 'PCD', 'MOA']),
  group('TDT', [locDtm]),
  group('TOD', ['LOC']),
  invoicPac,
  invoicAlc,
  group('RCS', ['RFF', 'DTM', 'FTX']),
  // Summary section after UNS: the totals.
  group('MOA', [rffDtm]),
  group('LIN', [
    'PIA',
    'IMD',
    'MEA',
    'QTY',
    'PCD',
    'ALI',
    'DTM',
    'GIN',
    'GIR',
    'QVR',
    'EDT',
    'FTX',
    'CUX',
    group('MOA', ['QTY', 'CUX', 'RNG']),
    group('PAT', ['DTM', 'PCD', 'MOA']),
    group('PRI', ['CUX', 'APR', 'RNG', 'DTM']),
    rffDtm,
    invoicPac,
    group('LOC', ['QTY', 'DTM']),
    taxMoa,
    invoicNad,
    invoicAlc,
    group('TDT', [locDtm]),
    group('TOD', ['LOC']),
    group('RCS', ['RFF', 'DTM', 'FTX']),
  ]),
]);

/** An entry of the `edifact` package's message tables: a segment, or a group (its first entry the trigger). */
interface PackageTableEntry {
  readonly content: string | readonly PackageTableEntry[];
}

/**
 * Adds to `level` what the package's entries allow there: a segment to its segments (unless it is
 * the trigger of one of our groups), a group to our group with the same trigger, or, where we
 * flattened that group (its trigger is a plain segment of ours), its members to `level` itself.
 */
function addPackageEntries(level: SegmentGroup, entries: readonly PackageTableEntry[]): void {
  for (const entry of entries) {
    if (typeof entry.content === 'string') {
      const tag = entry.content;
      if (tag !== 'UNH' && tag !== 'UNT' && !level.groups.has(tag)) level.segments.add(tag);
      continue;
    }
    const [trigger, ...members] = entry.content;
    if (trigger === undefined || typeof trigger.content !== 'string') continue;
    const ours = level.groups.get(trigger.content);
    if (ours !== undefined) addPackageEntries(ours, members);
    else if (level.segments.has(trigger.content)) addPackageEntries(level, members);
    else {
      const added = group(trigger.content, []);
      addPackageEntries(added, members);
      level.groups.set(added.tag, added);
    }
  }
}

/** A copy to add to: our tables share groups (RFF-DTM, CTA-COM) between places and messages. */
function copyOf(level: SegmentGroup): SegmentGroup {
  return {
    tag: level.tag,
    segments: new Set(level.segments),
    groups: new Map([...level.groups].map(([tag, child]) => [tag, copyOf(child)])),
  };
}

function withPackageTable(root: SegmentGroup, table: readonly PackageTableEntry[]): SegmentGroup {
  const merged = copyOf(root);
  addPackageEntries(merged, table);
  return merged;
}

const STRUCTURES: Readonly<Record<string, SegmentGroup>> = {
  DESADV: withPackageTable(DESADV, desadvTable),
  // Not in the `edifact` package: ours alone.
  IFTSTA,
  INVOIC: withPackageTable(INVOIC, invoicTable),
};

/** The trigger of a group (depth first) that holds `tag`, to say where the segment belongs. */
function homeOf(level: SegmentGroup, tag: string): string | undefined {
  if (level.segments.has(tag) || level.groups.has(tag)) return level.tag;
  for (const child of level.groups.values()) {
    const home = homeOf(child, tag);
    if (home !== undefined) return home;
  }
  return undefined;
}

/**
 * Walks the data segments of a message (UNH and UNT skipped) the way the structure check reads
 * them: each segment goes to the innermost open group that has it, or has a group it starts (the
 * trigger of an open group starts its next repetition from the parent). `visit` gets the groups
 * open once the segment is placed (the message first, the segment's own group last), or undefined
 * for a segment the message has no place for there.
 */
function walkGroups(
  root: SegmentGroup,
  segments: readonly Segment[],
  visit: (index: number, open: readonly SegmentGroup[] | undefined) => void,
): void {
  const open: SegmentGroup[] = [root];
  segments.forEach((segment, index) => {
    const tag = segment.tag;
    if (tag === 'UNH' || tag === 'UNT') return;
    for (let depth = open.length - 1; depth >= 0; depth--) {
      const level = open[depth] as SegmentGroup;
      const child = level.groups.get(tag);
      if (level.segments.has(tag) || child !== undefined) {
        open.length = depth + 1;
        if (child !== undefined && !level.segments.has(tag)) open.push(child);
        visit(index, open);
        return;
      }
    }
    visit(index, undefined);
  });
}

/**
 * Checks the data segments of one message (UNH..UNT as read) against its message structure; a
 * message type we have no structure for is not checked. Positions count from UNH = 1.
 */
export function checkEdifactMessageStructure(type: string, segments: readonly Segment[]): Diagnostic[] {
  const root = Object.hasOwn(STRUCTURES, type) ? STRUCTURES[type] : undefined;
  if (root === undefined) return [];
  const problems: Diagnostic[] = [];
  walkGroups(root, segments, (index, open) => {
    if (open !== undefined) return;
    const segment = segments[index]!;
    const tag = segment.tag;
    const home = homeOf(root, tag);
    problems.push({
      severity: 'error',
      level: 'segment',
      code: EdifactSyntaxError.NotSupportedInPosition,
      rule: home === undefined ? 'SEGMENT_NOT_IN_MESSAGE' : 'SEGMENT_OUT_OF_PLACE',
      message:
        home === undefined
          ? `${tag} is not a segment of ${type}`
          : `${tag} is not expected here: in ${type} it stands ${home === '' ? 'in the message header or summary' : `in a ${home} group`}`,
      segmentId: tag,
      segmentPosition: index + 1,
      offset: segment.offset,
    });
  });
  return problems;
}

/**
 * Names the segment group `segs[i]` stands in, by its triggers from the message down (`CPS/LIN`),
 * or '' in the message header or summary (or where the message has no place for it).
 */
export type GroupName = (segs: readonly Segment[], i: number) => string;

/** One namer per message type, shared by every rule list of its maps: a message is walked once. */
const groupNamers = new Map<string, GroupName>();

/**
 * The group namer of a message type (undefined when we have no structure for it). The names of a
 * message's segments are worked out together, on the first call for that segment array: it is
 * asked for rarely (a segment no map rule reads), and then often more than once per message.
 */
export function edifactGroupName(type: string): GroupName | undefined {
  const root = Object.hasOwn(STRUCTURES, type) ? STRUCTURES[type] : undefined;
  if (root === undefined) return undefined;
  let namer = groupNamers.get(type);
  if (namer !== undefined) return namer;
  const names = new WeakMap<readonly Segment[], string[]>();
  namer = (segs, i) => {
    let list = names.get(segs);
    if (list === undefined) {
      const found: string[] = [];
      walkGroups(root, segs, (index, open) => {
        found[index] =
          open === undefined
            ? ''
            : open
                .slice(1)
                .map((g) => g.tag)
                .join('/');
      });
      names.set(segs, (list = found));
    }
    return list[i] ?? '';
  };
  groupNamers.set(type, namer);
  return namer;
}

/** Says where the repetition of a segment group that starts at `segs[start]` ends (exclusive). */
export type GroupEnd = (segs: readonly Segment[], start: number, end: number) => number;

/**
 * The end of one repetition of the group reached by `path` (trigger tags from the message down:
 * `['CPS', 'LIN']`), read the way the structure check reads the message: the group ends at the
 * first segment that its parent or an ancestor takes (the next trigger, a sibling group, the
 * summary), so a line's own DTM, RFF or MEA stays in the line even when the header has rules for
 * those tags. A segment the message has no place for here stays inside (the check reports it).
 * Undefined when the message has no structure or no such group.
 */
export function edifactGroupEnd(type: string, path: readonly string[]): GroupEnd | undefined {
  const root = Object.hasOwn(STRUCTURES, type) ? STRUCTURES[type] : undefined;
  if (root === undefined || path.length === 0) return undefined;
  const chain: SegmentGroup[] = [root];
  for (const tag of path) {
    const next = chain[chain.length - 1]!.groups.get(tag);
    if (next === undefined) return undefined;
    chain.push(next);
  }
  const depth = path.length;
  return (segs, start, end) => {
    const open = chain.slice();
    for (let j = start + 1; j < end; j++) {
      const tag = segs[j]!.tag;
      for (let k = open.length - 1; k >= 0; k--) {
        const level = open[k]!;
        const child = level.groups.get(tag);
        if (!level.segments.has(tag) && child === undefined) continue;
        if (k < depth) return j;
        open.length = k + 1;
        if (child !== undefined && !level.segments.has(tag)) open.push(child);
        break;
      }
    }
    return end;
  };
}
