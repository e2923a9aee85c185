/**
 * Writes X12: segments with the interchange's delimiters, and ISA/GS/ST envelopes around bodies the
 * map engine rendered. Control numbers come from the caller (the database sequence, later), never
 * from a counter hidden in here.
 */
import { CONTROL_CHARACTER, CONTROL_CHARACTERS } from './edi-character-sets.js';
import type { Delimiters, Diagnostic } from './edi-types.js';
import type { SegmentData } from './map-engine.js';

export type ControlNumberKind = 'interchange' | 'group' | 'transaction';
/** Supplies the next control number of each kind; the caller owns uniqueness (per partner, persisted). */
export type ControlNumberGenerator = (kind: ControlNumberKind) => number | string;

/** A generator counting from 1, for tests, the CLI and benches. */
export function sequentialControlNumbers(start = 1): ControlNumberGenerator {
  const next: Record<ControlNumberKind, number> = { interchange: start, group: start, transaction: start };
  return (kind) => next[kind]++;
}

export const DEFAULT_X12_DELIMITERS: Delimiters = {
  element: '*',
  component: '>',
  repetition: '^',
  segment: '~',
};

export interface X12Identity {
  /** ISA05/07 qualifier, e.g. ZZ, 01, 12. */
  readonly qualifier: string;
  /** ISA06/08 (also GS02/03 unless `code` is given). */
  readonly id: string;
  readonly code?: string;
}

/** Parses `ZZ:ACME` (or `ACME`, meaning ZZ) as given on the CLI. */
export function parseIdentity(text: string): X12Identity {
  const m = /^([A-Z0-9]{2}):(.+)$/.exec(text);
  return m ? { qualifier: m[1]!, id: m[2]! } : { qualifier: 'ZZ', id: text };
}

export interface X12SetOut {
  readonly setId: string;
  readonly implementationRef?: string;
  /** Body segments without ST/SE. */
  readonly body: readonly SegmentData[];
}

export interface X12GroupOut {
  readonly functionalId: string;
  /** GS08, e.g. 004010 / 005010X231A1. */
  readonly version: string;
  readonly sets: readonly X12SetOut[];
}

export interface X12InterchangeOptions {
  readonly sender: X12Identity;
  readonly receiver: X12Identity;
  readonly controlNumbers: ControlNumberGenerator;
  readonly usage?: 'T' | 'P';
  readonly acknowledgmentRequested?: boolean;
  readonly delimiters?: Delimiters;
  readonly now?: Date;
  /** Segments written between ISA and the first GS (TA1). */
  readonly preamble?: readonly SegmentData[];
  /** Line break after each terminator (readable output; parsers skip it). */
  readonly newline?: boolean;
  /**
   * ISA12 to write (an ack echoes the inbound one); when absent or not five digits, the first
   * group's version decides, or 00401 without groups.
   */
  readonly isaVersion?: string | undefined;
}

export interface X12WriteResult {
  readonly text: string;
  readonly interchangeControlNumber: string;
  readonly diagnostics: Diagnostic[];
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function formatControl(value: number | string, width: number, max: number): string {
  const s = String(value).replace(/\D/g, '');
  const n = s === '' ? 1 : Number(s) % 10 ** max;
  return pad(n, width);
}

/**
 * Serializes one segment. X12 has no escape: a delimiter inside data, and a control character
 * (line break, tab), are replaced by a space and reported.
 */
export function formatX12Segment(seg: SegmentData, d: Delimiters, diagnostics?: Diagnostic[]): string {
  let out = seg.tag;
  const forbidden = [d.element, d.segment, d.component, ...(d.repetition ? [d.repetition] : [])];
  seg.elements.forEach((comps, i) => {
    const parts = comps.map((c) => {
      let t = c;
      if (forbidden.some((f) => t.includes(f))) {
        diagnostics?.push({
          severity: 'warning',
          level: 'element',
          code: '6',
          rule: 'DELIMITER_IN_DATA',
          message: `${seg.tag}${pad(i + 1, 2)} contains a delimiter; replaced by a space`,
          segmentId: seg.tag,
          elementPosition: i + 1,
        });
        for (const f of forbidden) t = t.split(f).join(' ');
      }
      if (CONTROL_CHARACTER.test(t)) {
        diagnostics?.push({
          severity: 'warning',
          level: 'element',
          code: '6',
          rule: 'CONTROL_CHARACTER_REPLACED',
          message: `${seg.tag}${pad(i + 1, 2)} contains a control character (line break, tab); written as a space`,
          segmentId: seg.tag,
          elementPosition: i + 1,
        });
        t = t.replace(CONTROL_CHARACTERS, ' ');
      }
      return t;
    });
    out += d.element + parts.join(d.component);
  });
  return out + d.segment;
}

function versionOfGs(gsVersion: string): string {
  // ISA12 follows the group version's first five digits (004010 → 00401).
  const m = /^(\d{5})/.exec(gsVersion);
  return m ? m[1]! : '00401';
}

export function writeX12Interchange(
  groups: readonly X12GroupOut[],
  o: X12InterchangeOptions,
): X12WriteResult {
  const diagnostics: Diagnostic[] = [];
  const now = o.now ?? new Date();
  const isaVersion = /^\d{5}$/.test(o.isaVersion ?? '')
    ? o.isaVersion!
    : groups.length > 0
      ? versionOfGs(groups[0]!.version)
      : '00401';
  const base = o.delimiters ?? DEFAULT_X12_DELIMITERS;
  // Before 4020 ISA11 is the standards id U and there is no repetition separator.
  const d: Delimiters =
    isaVersion >= '00402'
      ? { ...base, repetition: base.repetition ?? '^' }
      : { element: base.element, component: base.component, segment: base.segment };
  const nl = o.newline ? '\n' : '';
  const yymmdd = `${pad(now.getUTCFullYear() % 100, 2)}${pad(now.getUTCMonth() + 1, 2)}${pad(now.getUTCDate(), 2)}`;
  const ccyymmdd = `${pad(now.getUTCFullYear(), 4)}${pad(now.getUTCMonth() + 1, 2)}${pad(now.getUTCDate(), 2)}`;
  const hhmm = `${pad(now.getUTCHours(), 2)}${pad(now.getUTCMinutes(), 2)}`;
  const icn = formatControl(o.controlNumbers('interchange'), 9, 9);
  const isa = [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    o.sender.qualifier.padEnd(2).slice(0, 2),
    o.sender.id.padEnd(15).slice(0, 15),
    o.receiver.qualifier.padEnd(2).slice(0, 2),
    o.receiver.id.padEnd(15).slice(0, 15),
    yymmdd,
    hhmm,
    isaVersion >= '00402' ? d.repetition! : 'U',
    isaVersion,
    icn,
    o.acknowledgmentRequested ? '1' : '0',
    o.usage ?? 'P',
    d.component,
  ].join(d.element);
  let text = isa + d.segment + nl;
  for (const seg of o.preamble ?? []) text += formatX12Segment(seg, d, diagnostics) + nl;
  for (const g of groups) {
    const gcn = String(formatControl(o.controlNumbers('group'), 1, 9));
    text +=
      formatX12Segment(
        {
          tag: 'GS',
          elements: [
            [g.functionalId],
            [o.sender.code ?? o.sender.id],
            [o.receiver.code ?? o.receiver.id],
            [ccyymmdd],
            [hhmm],
            [gcn],
            ['X'],
            [g.version],
          ],
        },
        d,
        diagnostics,
      ) + nl;
    for (const s of g.sets) {
      const scn = formatControl(o.controlNumbers('transaction'), 4, 9);
      const st: SegmentData = {
        tag: 'ST',
        elements: s.implementationRef ? [[s.setId], [scn], [s.implementationRef]] : [[s.setId], [scn]],
      };
      text += formatX12Segment(st, d, diagnostics) + nl;
      for (const seg of s.body) text += formatX12Segment(seg, d, diagnostics) + nl;
      text +=
        formatX12Segment({ tag: 'SE', elements: [[String(s.body.length + 2)], [scn]] }, d, diagnostics) + nl;
    }
    text += formatX12Segment({ tag: 'GE', elements: [[String(g.sets.length)], [gcn]] }, d, diagnostics) + nl;
  }
  text += formatX12Segment({ tag: 'IEA', elements: [[String(groups.length)], [icn]] }, d, diagnostics) + nl;
  return { text, interchangeControlNumber: icn, diagnostics };
}
