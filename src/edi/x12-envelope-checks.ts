/**
 * ISA and GS field checks with the codes the acknowledgements report: TA105 note codes for the ISA
 * (EDI-RULES.md), AK9 codes for the GS.
 */
import type { Delimiters, Diagnostic, Segment } from './edi-types.js';
import { parseEdiDate, parseEdiTime } from './edi-datetime.js';
import type { X12GroupHeader, X12InterchangeHeader } from './x12-envelope.js';

/** ISA05/ISA07 interchange id qualifiers (element I05). */
const ID_QUALIFIERS = new Set([
  '01',
  '02',
  '03',
  '04',
  '07',
  '08',
  '09',
  '10',
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '17',
  '18',
  '19',
  '20',
  '21',
  '22',
  '23',
  '24',
  '25',
  '26',
  '27',
  '28',
  '29',
  '30',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '38',
  'AM',
  'NR',
  'SA',
  'SN',
  'ZZ',
]);

export function isValidIdQualifier(q: string): boolean {
  return ID_QUALIFIERS.has(q);
}

/** GS01 functional identifier codes this engine handles, with their transaction sets. */
export const FUNCTIONAL_IDS: Readonly<Record<string, readonly string[]>> = {
  SH: ['856'],
  QM: ['214'],
  IM: ['210'],
  FA: ['997', '999'],
  PO: ['850'],
};

/**
 * Whether the element, component, repetition (4020 on) and segment separators are all different
 * (EDI-RULES.md: ISA16 differs from the element separator and the terminator). An interchange whose
 * delimiters clash cannot be split reliably, nor answered with its own delimiters.
 */
export function delimitersDistinct(d: Delimiters): boolean {
  const all = [d.element, d.component, d.segment, ...(d.repetition !== undefined ? [d.repetition] : [])];
  return new Set(all).size === all.length;
}

export function checkInterchangeHeader(
  seg: Segment,
  h: X12InterchangeHeader,
  lenient: boolean,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ctl = { interchangeControlNumber: h.controlNumber };
  const add = (
    code: string,
    rule: string,
    message: string,
    elementPosition: number | undefined,
    severity: Diagnostic['severity'] = 'error',
  ): void => {
    out.push({
      severity,
      level: 'interchange',
      code,
      rule,
      message,
      segmentId: 'ISA',
      ...(elementPosition ? { elementPosition } : {}),
      offset: seg.offset,
      ...ctl,
    });
  };
  if (!h.fixedWidth) {
    if (lenient)
      add(
        '024',
        'ISA_NOT_FIXED_WIDTH',
        'ISA is not 106 fixed-width characters; accepted leniently',
        undefined,
        'warning',
      );
    else
      add('024', 'ISA_NOT_FIXED_WIDTH', 'ISA is not 106 fixed-width characters (fields trimmed)', undefined);
  }
  if (!delimitersDistinct(h.delimiters)) {
    const d = h.delimiters;
    add(
      '024',
      'ISA_DELIMITERS_CLASH',
      `ISA delimiters are not distinct (element "${d.element}", component "${d.component}", segment "${d.segment}")`,
      16,
    );
  }
  if (seg.elements.length !== 16)
    add('024', 'ISA_ELEMENT_COUNT', `ISA has ${seg.elements.length} elements, 16 expected`, undefined);
  if (!['00', '03'].includes(h.authorizationQualifier))
    add('010', 'ISA_AUTH_QUALIFIER', `ISA01 "${h.authorizationQualifier}" is not 00 or 03`, 1);
  if (!['00', '01'].includes(h.securityQualifier))
    add('012', 'ISA_SECURITY_QUALIFIER', `ISA03 "${h.securityQualifier}" is not 00 or 01`, 3);
  if (!ID_QUALIFIERS.has(h.senderQualifier))
    add('005', 'ISA_SENDER_QUALIFIER', `ISA05 "${h.senderQualifier}" is not a valid id qualifier`, 5);
  if (h.senderId === '') add('006', 'ISA_SENDER_ID', 'ISA06 sender id is empty', 6);
  // A NUL (U+0000) is in no X12 character set, and an id holding one would reach every document
  // and the message store: the interchange is refused with the note of the field it is in.
  for (let k = 0; k < seg.elements.length; k++) {
    if (!(seg.elements[k] ?? []).some((c) => c.includes('\u0000'))) continue;
    const note = k === 5 ? '006' : k === 7 ? '008' : '024';
    add(
      note,
      'ISA_NUL_CHARACTER',
      `ISA${String(k + 1).padStart(2, '0')} contains the NUL character (U+0000)`,
      k + 1,
    );
  }
  if (!ID_QUALIFIERS.has(h.receiverQualifier))
    add('007', 'ISA_RECEIVER_QUALIFIER', `ISA07 "${h.receiverQualifier}" is not a valid id qualifier`, 7);
  if (h.receiverId === '') add('008', 'ISA_RECEIVER_ID', 'ISA08 receiver id is empty', 8);
  if (!/^\d{6}$/.test(h.date) || !parseEdiDate(h.date))
    add('014', 'ISA_DATE', `ISA09 "${h.date}" is not a YYMMDD date`, 9);
  if (!/^\d{4}$/.test(h.time) || !parseEdiTime(h.time))
    add('015', 'ISA_TIME', `ISA10 "${h.time}" is not an HHMM time`, 10);
  if (!/^\d{5}$/.test(h.version) || h.version < '00200' || h.version > '00801')
    add('017', 'ISA_VERSION', `ISA12 "${h.version}" is not a supported version`, 12);
  else if (h.version < '00402' && h.isa11.trim() !== 'U')
    add('016', 'ISA_STANDARDS_ID', `ISA11 "${h.isa11}" must be U before version 00402`, 11);
  if (!/^\d{9}$/.test(h.controlNumber))
    add('018', 'ISA_CONTROL_NUMBER', `ISA13 "${h.controlNumber}" is not a 9-digit control number`, 13);
  const ack = seg.elements[13]?.[0]?.trim() ?? '';
  if (ack !== '0' && ack !== '1') add('019', 'ISA_ACK_REQUESTED', `ISA14 "${ack}" is not 0 or 1`, 14);
  if (!['T', 'P', 'I'].includes(h.usage)) add('020', 'ISA_USAGE', `ISA15 "${h.usage}" is not T or P`, 15);
  return out;
}

/**
 * GS checks. The AK905/IK905 list (element 716) has codes for the group id (1), the version (2) and
 * the control number (6), none for GS02-GS05: those are reported as element errors (the AK403
 * codes: 1 missing, 8 invalid date, 9 invalid time). They reject the group (AK901 R) but add no
 * AK905, since a wrong code (6 names the control number) would send the partner looking in the
 * wrong place. GS07 (agency) and GS08 together name the standard's version: a bad GS07 is code 2.
 */
export function checkGroupHeader(seg: Segment, g: X12GroupHeader, ic: X12InterchangeHeader): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ctl = { interchangeControlNumber: ic.controlNumber, groupControlNumber: g.controlNumber };
  const add = (
    level: 'group' | 'element',
    code: string,
    rule: string,
    message: string,
    elementPosition: number,
  ): void => {
    out.push({
      severity: 'error',
      level,
      code,
      rule,
      message,
      segmentId: 'GS',
      elementPosition,
      offset: seg.offset,
      ...ctl,
    });
  };
  if (!Object.hasOwn(FUNCTIONAL_IDS, g.functionalId))
    add('group', '1', 'GS_FUNCTIONAL_ID', `GS01 "${g.functionalId}" is not a supported functional group`, 1);
  if (g.senderCode === '') add('element', '1', 'GS_SENDER', 'GS02 sender code is empty', 2);
  if (g.receiverCode === '') add('element', '1', 'GS_RECEIVER', 'GS03 receiver code is empty', 3);
  if (!/^\d{8}$/.test(g.date) || !parseEdiDate(g.date))
    add('element', '8', 'GS_DATE', `GS04 "${g.date}" is not a CCYYMMDD date`, 4);
  if (!parseEdiTime(g.time)) add('element', '9', 'GS_TIME', `GS05 "${g.time}" is not an HHMM time`, 5);
  if (!/^\d{1,9}$/.test(g.controlNumber))
    add('group', '6', 'GS_CONTROL_NUMBER', `GS06 "${g.controlNumber}" is not a 1–9 digit control number`, 6);
  if (g.agency !== 'X' && g.agency !== 'T')
    add('group', '2', 'GS_AGENCY', `GS07 "${g.agency}" is not X (the agency of the version in GS08)`, 7);
  if (!GS_VERSION.test(g.version) || g.version.includes('\u0000'))
    add('group', '2', 'GS_VERSION', `GS08 "${g.version}" is not a supported version`, 8);
  for (let k = 0; k < seg.elements.length; k++) {
    if (k === 7 || !(seg.elements[k] ?? []).some((c) => c.includes('\u0000'))) continue;
    add(
      'element',
      '6',
      'GS_NUL_CHARACTER',
      `GS${String(k + 1).padStart(2, '0')} contains the NUL character (U+0000), which no X12 character set has`,
      k + 1,
    );
  }
  return out;
}

/** A GS08 naming a version this engine reads: 002000 to 008999 in its first six characters. */
const GS_VERSION = /^00[2-8]\d{3}/;

/**
 * The version a group's acknowledgement is written in, six digits (004010, 005010). GS08 is
 * AN 1/12, "version/release/industry identifier": the first six characters are the version and
 * release, an industry identifier may follow (005010X222A1). A GS08 without them ("4010") is a
 * malformed version, not 004010 read generously: the group is rejected (AK905 2, GS_VERSION) and
 * its ack follows the interchange's ISA12 (00401 → 004010), the only version the partner named.
 */
export function ackVersion(gsVersion: string, isaVersion: string): string {
  const gs = GS_VERSION.exec(gsVersion)?.[0];
  if (gs) return gs;
  return /^\d{5}$/.test(isaVersion) ? `${isaVersion}0` : '004010';
}

/**
 * AK905 for a GS06 repeated in one interchange: 19 from 004050 on; before, 716 has no uniqueness
 * code (19 is a security code there), so 6 (control number in error), as AK5 7 does for sets.
 * `version` is the ack's (ackVersion): the code must exist in the version it is reported in.
 */
export function duplicateGroupControlCode(version: string): string {
  return Number(version) >= 4050 ? '19' : '6';
}

/**
 * AK502 for an ST02 repeated in one group: 23 (not unique within the group) from 004050 on; before,
 * 7 (missing or invalid control number, a duplicate included: EDI-RULES.md).
 */
export function duplicateSetControlCode(version: string): string {
  return Number(version) >= 4050 ? '23' : '7';
}

/**
 * Whether a transaction set id belongs in a group with this GS01; true when the GS01 is one this
 * engine does not know (that is reported on the group, AK905 1).
 */
export function setBelongsToGroup(functionalId: string, setId: string): boolean {
  return !Object.hasOwn(FUNCTIONAL_IDS, functionalId) || FUNCTIONAL_IDS[functionalId]!.includes(setId);
}
