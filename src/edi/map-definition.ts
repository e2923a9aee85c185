/**
 * The shape of a declarative map (edi-maps/**.map.yaml). One map serves both directions: inbound
 * reads segments into canonical fields, outbound walks the same rules in order and writes the
 * segments back, which is what makes parse(render(doc)) == doc hold by construction.
 * The engine knows only `Segment` (tag + elements), so X12 and EDIFACT maps share it.
 */

export type Direction = 'inbound' | 'outbound' | 'both';

/**
 * Element transforms. `date`/`time`/`timeCode` are parts of one date-time written to the same
 * path; `dateOnly` makes it a calendar date. `n2` is an implied-decimal amount (X12 N2) kept as a
 * decimal string; `decimal` is an explicit decimal (X12 R, EDIFACT n..) kept as a string too.
 */
export const TRANSFORMS = [
  'trim',
  'upper',
  'n0',
  'n1',
  'n2',
  'n3',
  'decimal',
  'number',
  'integer',
  'date',
  'dateOnly',
  'time',
  'timeCode',
  // EDIFACT DTM C507: date-time (or date) with its 2379 format code in component 3 (edifact-datetime.ts).
  'dtm',
  'dtmDate',
  'dtmFormat',
  // X12 MAN*GM: SSCC-18 in, "00" (its GS1 application identifier) + SSCC-18 out (gs1-sscc.ts).
  'sscc',
] as const;
export type Transform = (typeof TRANSFORMS)[number];

/** Values only the writer knows (counts of what it has written). */
export const COMPUTED = ['hlCount', 'segmentCount', 'lineCount', 'repeatIndex'] as const;
export type Computed = (typeof COMPUTED)[number];

export interface ElementRule {
  /** 1-based element position, as the standards number them. */
  readonly el: number;
  /** 1-based component position inside a composite element. */
  readonly comp?: number;
  readonly to?: string;
  readonly transform?: Transform;
  /** Code table name (edi-maps/code-tables/<name>.yaml): inbound code → canonical, reversed on output. */
  readonly table?: string;
  /** Canonical value when the code is missing from the table; without it the raw code is kept. */
  readonly tableDefault?: string;
  /**
   * Inbound: a code the table lacks is an error on the element (AK4 7, 999 IK4 I6 "code value not
   * used in implementation") instead of being kept raw: for canonical fields with a closed set of
   * values, where the raw code would only fail the canonical schema, with no place in the set.
   */
  readonly tableOnly?: boolean;
  /** Inbound value when the element is empty. */
  readonly default?: string | number | boolean;
  /**
   * Inbound: the code that stands for "no value" and is read as an empty element (214 AT702 NS,
   * normal status: no reason). Outbound writes it through a `fixed` rule listed before this one.
   */
  readonly noValue?: string;
  /**
   * Outbound constant (inbound ignores the element). With `to`, written only when that field has a
   * value: a qualifier that goes with another element's value (210 B310 with B309).
   */
  readonly fixed?: string;
  readonly compute?: Computed;
  /** Inbound: write only if the target is still unset; outbound: only if the element is still empty (fallback sources). */
  readonly onlyIfUnset?: boolean;
  /** Outbound: values longer than this are not written (a later fallback rule may fill the element). */
  readonly maxLength?: number;
  /**
   * Outbound, with `maxLength`: a value longer than that which no fallback replaces refuses the
   * document (VALUE_DOES_NOT_FIT, naming the field, with this reason) instead of leaving the element
   * empty: where the segment would break a syntax note without it (214 B1005 beside B1006, P0506).
   */
  readonly mustFit?: string;
  /**
   * Outbound: the value is written only when it is one of this code table's codes (a later
   * fallback rule may fill the element): a 214's statusCode goes out as AT701 when it is an X12
   * code, and an EDIFACT status code gives way to the milestone's own AT7 code. Inbound: the
   * element is read only when its code is one of them (a 210 L003 gives a normalized unit when it
   * is a unit, LB or EA, not FR flat rate).
   */
  readonly onlyIfCodeIn?: string;
  /**
   * Outbound: the element is written only while this field (a path as in `to`) has no value. A 214
   * B10 names its shipment by B1001 or, without one, by B1005/B1006 (X12 E0105: never both).
   */
  readonly unlessSet?: string;
  /**
   * A decimal amount whose sign another segment of the same loop pass carries: EDIFACT MOA holds
   * the size of an allowance or charge, ALC 5463 (A or C) says which. Inbound, the value is negated
   * (exactly, as a string) when the pass has a `seg` segment matching `when`; outbound, a negative
   * value is written negated and that pass's `seg` segment goes out with the `when` codes.
   */
  readonly negate?: NegateRule;
  readonly direction?: Direction;
  /**
   * Qualifier/value pairs from `el` on (LIN02/03, LIN04/05, …) go to `to` as `[{qualifier, value}]`;
   * `promote` lifts a qualifier's value to a field of its own (BP → sku) and writes it first on output.
   */
  readonly pairs?: { readonly promote?: Readonly<Record<string, string>> };
  /**
   * In a loop with `groupBy` (or nested in one): the element carries the key of the item's group,
   * not a field of the item. Inbound, it chooses the group the item goes to (a DESADV line's RFF+ON
   * chooses its order); outbound, it writes the key of the group being rendered.
   */
  readonly groupKey?: boolean;
  /**
   * Inbound, in a loop with `groupBy` (or nested in one): the value is a field of the item's group,
   * not of the item (a DESADV line's DTM+171 is its order's date). Set on the group when it has
   * none; a different value is left out with a warning.
   */
  readonly toGroup?: string;
  /**
   * Inbound, instead of `to`: an element (or, with `comp`, a component) the canonical model has no
   * place for where it stands (an IMD's second description part): a value there is left out with a
   * VALUE_NOT_KEPT warning giving this reason, never dropped without a word.
   */
  readonly leftOut?: string;
  /**
   * Inbound: what the canonical-schema error says when the model requires this field and the
   * element is empty or its segment absent: how the partner can supply it (N404, the country many
   * US partners leave out: a default in the partner's file).
   */
  readonly whenMissing?: string;
}

export type WhenValue = string | readonly string[];

/** The segment that carries a value's sign (`negate`): `{ seg: ALC, when: { '1': A } }`. */
export interface NegateRule {
  readonly seg: string;
  /** Codes that make the value negative; outbound writes each key's first code. */
  readonly when: Readonly<Record<string, WhenValue>>;
}

export interface SegmentRule {
  readonly id?: string;
  readonly seg: string;
  /** Element position → required code; the first value is written on output. `"1.2"` addresses a component. */
  readonly when?: Readonly<Record<string, WhenValue>>;
  /** Each matching segment makes a new item of this array (path relative to the current item). */
  readonly repeat?: string;
  /** Output even when no element has a value (mandatory segments such as BSN, B3). */
  readonly always?: boolean;
  /**
   * Outbound: a segment with a value that does not fit its element (`maxLength`) is left out
   * whole, with a warning, rather than written without it: a reference whose qualifier is no EDI
   * code (`odoo:stock.picking`) has no place in a REF or RFF.
   */
  readonly onlyWhenItFits?: boolean;
  /**
   * Outbound: the last rule that writes items of this list (`address.lines`, with fixed indexes in
   * its elements): the items past the highest index it writes have no segment to go in and are
   * left out, each with a VALUE_NOT_WRITTEN warning, as a value too long for its element is.
   */
  readonly lastOf?: string;
  /**
   * Inbound: the rule takes a segment only while this field (relative to the item) is unset; a
   * repeat falls through to the next rule for its tag (a second REF*BM to `references[]`), or, if
   * none takes it, is left out with a SEGMENT_NOT_KEPT warning, never overwriting the first.
   */
  readonly whileUnset?: string;
  /**
   * Inbound: the rule takes a segment only when these fields of the item (paths as in `to`) hold one
   * of the listed values; else the next rule for the tag does. A 214 K1 is the signer only on a
   * delivery (`{ milestone: DELIVERED }`), a remark on any other status.
   */
  readonly whenItem?: Readonly<Record<string, WhenValue>>;
  /**
   * Inbound, in a loop with `repeat`: each segment for this rule after the first in one pass of the
   * loop starts a new item of the loop's array, a copy of the item as the loop's segments before
   * the first one left it (every L1 of a 210 LX is a charge, every AT7 of a 214 LX an event, each
   * with its LX's context). Outbound writes one loop pass per item, as before.
   */
  readonly splitsItem?: boolean;
  /**
   * Inbound only (`direction: inbound`, no elements): a segment the canonical model has no place
   * for (a line's own DTM or RFF) is left out with a SEGMENT_NOT_KEPT warning that gives this
   * reason, never read into a field of the enclosing level.
   */
  readonly leftOut?: string;
  /**
   * Outbound, with `repeat`: an item an earlier segment already wrote through an indexed path (a
   * 214 B1005/B1006 from `references[0]`) is not written again, so it reads back once.
   */
  readonly skipWritten?: boolean;
  /**
   * Inbound, with `repeat`: the composite its elements read (all the same `el`) stands this many
   * times in a row, each one an item of its own (PIA02 to PIA06, five C212 item numbers: up to five
   * ids). The first makes an item as a plain repeat does; a later one only when one of the values
   * the rule reads is there. Outbound writes a segment per item, as for any repeat.
   */
  readonly elementRepeats?: number;
  /**
   * Outbound: the segment needs one of these fields (paths as in `to`); a document with none of
   * them is refused (REQUIRED_FIELD_MISSING) with `reason`, rather than rendered into a segment the
   * standard's syntax notes reject (214 B10: B1001 or B1006, X12 R0106).
   */
  readonly requires?: { readonly anyOf: readonly string[]; readonly reason: string };
  readonly direction?: Direction;
  readonly elements: readonly ElementRule[];
  /** Fields set on a new repeat item inbound so required arrays exist (e.g. `ids: []`). */
  readonly init?: Readonly<Record<string, unknown>>;
}

export interface LoopRule {
  readonly id?: string;
  /** Tag of the loop's first segment; the loop runs while the following tags belong to its rules. */
  readonly loop: string;
  readonly when?: Readonly<Record<string, WhenValue>>;
  readonly repeat?: string;
  readonly direction?: Direction;
  readonly init?: Readonly<Record<string, unknown>>;
  /**
   * Inbound, with `repeat`: each new item starts with these fields copied from the document root
   * (`{ itemPath: '$.rootPath' }`) as they stand when the item opens, so a header segment that
   * repeats between the items (IFTSTA CNI, one per consignment) reaches the items that follow it.
   */
  readonly initFrom?: Readonly<Record<string, string>>;
  /**
   * The loop's items belong to groups (`list`, a root array such as `$.orders`) chosen by a key
   * (`key`, a field of the group: `purchaseOrderNumber`); `repeat` is then relative to the group.
   * Inbound, a pass's item goes to the group whose key its `groupKey` element read (a new group,
   * `init` plus the key, appended in first-seen order when none has it), else to the list's first;
   * with `splitBy` (a list of the item: `lines`), the keys are its entries', and an item whose
   * entries name several groups becomes one copy per group with those entries. Outbound walks every
   * group's items, the group's key being what `groupKey` elements write.
   */
  readonly groupBy?: GroupBy;
  /**
   * Inbound, with `repeat`: a pass of the loop without a `seg` segment makes no item; it is left out
   * with a SEGMENT_NOT_KEPT warning giving `reason` (a 210 LX without L1 describes lading, no charge;
   * a 214 LX without AT7 has no status). Its segments' writes to the root (`$.`) stay.
   */
  readonly onlyWith?: { readonly seg: string; readonly reason: string };
  /**
   * Inbound: the loop reads a pass only while this field (of the item around the loop) is unset;
   * a later pass is not kept, every one of its segments with a SEGMENT_NOT_KEPT warning. An
   * EDIFACT party's second CTA is not kept, and the COMs of its group (that contact's telephone)
   * with it, never read into the first contact's unset fields.
   */
  readonly whileUnset?: string;
  readonly rules: readonly Rule[];
}

export interface GroupBy {
  readonly list: string;
  readonly key: string;
  readonly splitBy?: string;
  readonly init?: Readonly<Record<string, unknown>>;
}

export interface HierarchyLevel {
  readonly rules: readonly Rule[];
  /** Where nodes of other levels attach below a node of this level (path relative to this level's item). */
  readonly children?: readonly { readonly level: string; readonly path: string }[];
  readonly init?: Readonly<Record<string, unknown>>;
}

export interface HierarchyRule {
  readonly id?: string;
  /** A parent-pointer tree such as X12 HL: ID, parent ID and level code elements. */
  readonly hierarchy: {
    readonly seg: string;
    readonly id: number;
    readonly parent: number;
    readonly level: number;
    /** Element that says whether children follow (HL04 1/0), written on output. */
    readonly childCode?: number;
    /** Level code of the root node, whose item is the current item (S for the 856 shipment). */
    readonly root: string;
  };
  readonly levels: Readonly<Record<string, HierarchyLevel>>;
}

export type Rule = SegmentRule | LoopRule | HierarchyRule;

export type DefaultValue = string | number | boolean | readonly unknown[] | { readonly from: string };

export interface MapDefinition {
  readonly name: string;
  readonly standard: 'x12' | 'edifact';
  /** Transaction set / message type: 856, 214, DESADV, … */
  readonly message: string;
  /** Versions it serves (X12 GS08 prefixes like 004010, EDIFACT D96A); empty = any. */
  readonly versions?: readonly string[];
  readonly documentType: string;
  /** An array path whose items become separate documents (one TrackingEvent per 214 LX loop). */
  readonly split?: string;
  readonly defaults?: Readonly<Record<string, DefaultValue>>;
  readonly rules: readonly Rule[];
}

export function isLoopRule(rule: Rule): rule is LoopRule {
  return 'loop' in rule;
}
export function isHierarchyRule(rule: Rule): rule is HierarchyRule {
  return 'hierarchy' in rule;
}
export function isSegmentRule(rule: Rule): rule is SegmentRule {
  return 'seg' in rule;
}

export type CodeTable = Readonly<Record<string, string>>;

/** A map ready to run: its code tables resolved, its partner overrides merged, its time zone known. */
export interface LoadedMap {
  readonly definition: MapDefinition;
  readonly file: string;
  readonly tables: ReadonlyMap<string, CodeTable>;
  readonly timeZone: string;
}

/** The highest index of `list` a rule's outbound elements write (`address.lines[3]` → 3), or -1. */
export function lastIndexOf(rule: SegmentRule, list: string): number {
  const prefix = `${list}[`;
  let last = -1;
  for (const e of rule.elements) {
    if (e.direction === 'inbound' || e.to?.startsWith(prefix) !== true) continue;
    const n = Number.parseInt(e.to.slice(prefix.length), 10);
    if (n > last) last = n;
  }
  return last;
}
