/**
 * Builds X12 acknowledgements from what the envelope reader found: a 997 (4010 family) or 999
 * (5010 and later) per functional group, echoing the group's GS08, and a TA1 when the ISA asked for
 * one (ISA14 = 1) or the interchange could not be processed. The envelope is reversed: we answer
 * from the inbound receiver to the inbound sender.
 */
import { encodeWindows1252, windows1252Byte } from './edi-character-sets.js';
import type { Delimiters, Diagnostic, DiagnosticTrigger } from './edi-types.js';
import type { SegmentData } from './map-engine.js';
import type {
  X12GroupSummary,
  X12InterchangeHeader,
  X12InterchangeSummary,
  X12SetResult,
} from './x12-envelope.js';
import { ackVersion, delimitersDistinct, isValidIdQualifier } from './x12-envelope-checks.js';
import {
  DEFAULT_X12_DELIMITERS,
  writeX12Interchange,
  type ControlNumberGenerator,
  type X12GroupOut,
} from './x12-writer.js';

/**
 * 999 from version 5010 on; 997 before (EDI-RULES.md). `version` is the six digits ackVersion
 * gives: compared as a number, since a GS08 as sent ("4010") is not ordered like a version.
 */
export function ackSetIdFor(version: string): '997' | '999' {
  return Number(version) >= 5010 ? '999' : '997';
}

const seg = (tag: string, ...elements: (string | undefined)[]): SegmentData => {
  const els = elements.map((e) => [e ?? '']);
  while (els.length > 0 && els[els.length - 1]![0] === '') els.pop();
  return { tag, elements: els };
};

/**
 * AK502–AK506 / IK502–IK506. A set refused for missing content names what is missing where it can:
 * a 214 LX without AT7 (NO_DOCUMENT) comes with an AK3/IK3 for each AT7 (translate.ts), so 5 names
 * its segments. What is left with no AK3/IK3 line (`segmentsReported` false) is a set-level refusal
 * no segment stands for: a CANONICAL_SCHEMA error the map fills from no element. Its AK502 is still
 * 5 (999: I5), not empty: an R without a reason tells the partner nothing, and X231A1 makes IK502
 * required for an IK501 that does not accept (situational, 618 codes 1-27, I5, I6). No other code
 * fits: 718/618 have none for "content the receiver cannot use", and 5 says the content (not the
 * envelope, count or control number) is what fails; the AK3 loop is optional (997 AK3: O; X231A1
 * loop 2100: situational), so a 5 without one is valid. In a 999 the 5 becomes I5 "Implementation
 * One or More Segments in Error", the set being valid X12 whose content this implementation cannot
 * take (not I6 "Implementation Convention Not Supported": the convention is supported). A 997 has
 * only element 718's standard codes, none about an implementation: 5 stays.
 */
function setCodes(set: X12SetResult, segmentsReported: boolean, is999: boolean): string[] {
  const codes = new Set<string>();
  for (const d of set.diagnostics) {
    if (d.severity !== 'error' && d.severity !== 'warning') continue;
    if (d.level === 'transaction') codes.add(d.code);
    else if (d.level === 'segment' || d.level === 'element') codes.add('5');
  }
  if (!segmentsReported && is999 && codes.delete('5')) codes.add('I5');
  return [...codes].filter((c) => c !== '').slice(0, 5);
}

/** C030 position in segment: the element, and its component when the error is in one. */
const positionInSegment = (element: number | undefined, component: number | undefined): string[] =>
  component ? [String(element ?? 1), String(component)] : [String(element ?? 1)];

/**
 * 999 CTX situational trigger (005010X231 segment/element context): where the data sits that made
 * the requirement in error apply: CTX01 `SITUATIONAL TRIGGER`, CTX02 its segment id, CTX03 the
 * segment's position in the set, CTX04 its loop's Loop Identifier Code (447), CTX05 (C030) its
 * position in the segment, CTX06 (C999 reference in segment) its data element reference number.
 */
function situationalTrigger(t: DiagnosticTrigger): SegmentData {
  const elements: string[][] = [
    ['SITUATIONAL TRIGGER'],
    [t.segmentId],
    [String(t.segmentPosition)],
    [t.loopId ?? ''],
  ];
  if (t.elementPosition !== undefined) {
    elements.push(positionInSegment(t.elementPosition, t.componentPosition));
    if (t.elementReference !== undefined) elements.push([String(t.elementReference)]);
  }
  while (elements.length > 0 && elements[elements.length - 1]!.every((c) => c === '')) elements.pop();
  return { tag: 'CTX', elements };
}

/** AK404/IK404 "copy of bad data element" is AN 1/99. */
const BAD_DATA_MAX = 99;

/**
 * The bytes an ack goes out as: those the inbound interchange came in. Partners send UTF-8 or a
 * single-byte set (ISO 8859-1, Windows-1252), which the reader tells apart (x12-tokenizer.ts); an
 * AK404/IK404 copy must be the partner's own bytes, not the same letters in another encoding.
 */
export type X12AckCharset = 'utf-8' | 'windows-1252';

/** The ack's text as bytes in `charset`. */
export function encodeX12Ack(text: string, charset: X12AckCharset): Buffer {
  return charset === 'windows-1252' ? encodeWindows1252(text) : Buffer.from(text, 'utf8');
}

/**
 * The bad data as the ack can carry it, or undefined when there is nothing to copy. X12 has no
 * escape character, so a delimiter of the ack (or a control character, which some readers take
 * for a terminator) becomes a space, as does a character the ack's bytes cannot carry (an input
 * that turned from UTF-8 to Windows-1252 part way), and data longer than element 724 allows is cut
 * at 99 characters: the copy can never end or split a segment.
 */
export function copyOfBadData(
  data: string | undefined,
  d: Delimiters,
  charset: X12AckCharset = 'utf-8',
): string | undefined {
  if (data === undefined) return undefined;
  let out = '';
  let n = 0;
  for (const ch of data) {
    if (n === BAD_DATA_MAX) break;
    const code = ch.codePointAt(0)!;
    const unsafe =
      code < 32 ||
      code === 127 ||
      ch === d.element ||
      ch === d.component ||
      ch === d.segment ||
      ch === d.repetition ||
      (charset === 'windows-1252' && windows1252Byte(ch) === undefined);
    out += unsafe ? ' ' : ch;
    n++;
  }
  return out.trim() === '' ? undefined : out;
}

/**
 * AK3/AK4 (or IK3/IK4) lines for one set: segment-level problems grouped by segment position. In a
 * 999 each IK3 is followed by its situational-trigger CTX, then the business-unit CTX naming the
 * shipment or invoice in error, and each IK4 by its situational-trigger CTX (X231 2110 loops).
 */
function segmentErrors(
  set: X12SetResult,
  is999: boolean,
  delimiters: Delimiters,
  charset: X12AckCharset,
): SegmentData[] {
  const out: SegmentData[] = [];
  const bySegment = new Map<string, Diagnostic[]>();
  for (const d of set.diagnostics) {
    if ((d.level !== 'segment' && d.level !== 'element') || d.severity === 'info') continue;
    const key = `${d.segmentPosition ?? 0}|${d.segmentId ?? ''}`;
    const list = bySegment.get(key) ?? [];
    list.push(d);
    bySegment.set(key, list);
  }
  const businessUnit: SegmentData | undefined =
    is999 && set.businessId
      ? { tag: 'CTX', elements: [[set.businessId.element, set.businessId.value]] }
      : undefined;
  for (const [key, diags] of bySegment) {
    const [pos, id] = key.split('|');
    const segLevel = diags.find((d) => d.level === 'segment');
    // A segment with only element problems is reported as code 8 "segment has data element errors".
    const loopId = diags.find((d) => d.loopId !== undefined)?.loopId ?? '';
    out.push(
      seg(
        is999 ? 'IK3' : 'AK3',
        id || 'ZZZ',
        pos === '0' ? '1' : pos,
        loopId,
        segLevel ? ((is999 ? segLevel.implementationCode : undefined) ?? segLevel.code) : '8',
      ),
    );
    if (is999) {
      for (const d of diags) if (d.level === 'segment' && d.trigger) out.push(situationalTrigger(d.trigger));
      if (businessUnit) out.push(businessUnit);
    }
    const written = new Set<string>();
    for (const d of diags) {
      if (d.level !== 'element') continue;
      // A 997 has no implementation codes: it reports the standard's code for the same problem.
      const code = is999 ? (d.implementationCode ?? d.code) : d.code;
      // Once per element and code: documents split from one set share its header segments.
      const key = `${d.elementPosition ?? ''}:${d.componentPosition ?? ''}:${code}`;
      if (written.has(key)) continue;
      written.add(key);
      const copy = copyOfBadData(d.badData, delimiters, charset);
      out.push({
        tag: is999 ? 'IK4' : 'AK4',
        elements: [
          positionInSegment(d.elementPosition, d.componentPosition),
          [d.elementReference !== undefined ? String(d.elementReference) : ''],
          [code],
          ...(copy !== undefined ? [[copy]] : []),
        ],
      });
      if (is999 && d.trigger) out.push(situationalTrigger(d.trigger));
    }
  }
  return out;
}

/**
 * The body (between ST and SE) of a 997/999 for one inbound group; `delimiters` and `charset` are
 * those the ack is written with (a copy of bad data must not contain a delimiter, nor a character
 * the charset cannot carry).
 */
export function buildFunctionalAckBody(
  group: X12GroupSummary,
  delimiters: Delimiters = DEFAULT_X12_DELIMITERS,
  charset: X12AckCharset = 'utf-8',
): {
  setId: '997' | '999';
  body: SegmentData[];
} {
  const setId = ackSetIdFor(ackVersion(group.header.version, group.interchange.version));
  const is999 = setId === '999';
  const body: SegmentData[] = [];
  body.push(
    is999
      ? seg('AK1', group.header.functionalId, group.header.controlNumber, group.header.version)
      : seg('AK1', group.header.functionalId, group.header.controlNumber),
  );
  const groupRejected = group.status === 'R';
  for (const set of group.sets) {
    // A rejected group is not processed: none of its documents is handed on and the partner must
    // resend them all (715 R: "a rejection of a functional group is a rejection of all transaction
    // sets in that functional group"): AK9 R, AK904 0, the reason in AK905. A set with errors of its
    // own keeps its AK2 loop, AK5/IK5 R with its own codes. A set rejected only with its group gets
    // no AK2 loop: an IK5 R says why in IK502 (X231A1 IK502-06: situational, 618 codes 1-27, I5,
    // I6), and neither 618 nor 718 (AK502) has a code for "rejected with its group" (5 or I5 would
    // send the partner looking for errors in a set that has none). The loop is optional (997 AK2: O; X231A1
    // loop 2000: situational). Translators do the same: stupidedi's 5010 editor reports GS/GE
    // problems in AK905 only, BizTalk by default and AWS B2Bi on request write no AK2 loop for a set
    // with nothing of its own to report.
    if (groupRejected && set.status === 'A') continue;
    const errors = segmentErrors(set, is999, delimiters, charset);
    body.push(
      is999
        ? seg('AK2', set.setId, set.controlNumber, set.implementationRef)
        : seg('AK2', set.setId, set.controlNumber),
    );
    body.push(...errors);
    body.push(
      seg(
        is999 ? 'IK5' : 'AK5',
        groupRejected ? 'R' : set.status,
        ...setCodes(set, errors.length > 0, is999),
      ),
    );
  }
  const accepted = groupRejected ? 0 : group.sets.filter((s) => s.status !== 'R').length;
  // AK905-AK909 take the group's own codes (716); GS element errors have none (x12-envelope-checks.ts).
  const groupCodes = [
    ...new Set(
      group.diagnostics.filter((d) => d.severity === 'error' && d.level === 'group').map((d) => d.code),
    ),
  ].slice(0, 5);
  body.push(
    seg(
      'AK9',
      group.status,
      String(group.declaredSetCount ?? group.setsReceived),
      String(group.setsReceived),
      String(accepted),
      ...groupCodes,
    ),
  );
  return { setId, body };
}

/** The 999 implementation guide (TR3) 005010X231A1: ST03 and GS08 of a 005010 999. */
export const X231A1 = '005010X231A1';

/**
 * GS08 of the FA group answering an inbound group, and ST03 of its 997/999. GS08 names the version
 * the ack itself is written in; the inbound GS08 is echoed in AK103 (999), not here.
 * - 999 for a 005010 group (005010, 005010X222A1, 005010X214, …): GS08 and ST03 005010X231A1, the
 *   999 guide's identifier (X231A1 envelope: GS08 and ST03 005010X231A1; TIBCO Foresight's 999
 *   carries its guide in both). The inbound guide (X222A1: claims) does not describe a 999.
 * - 999 for a later version (005050, 006020, 007030…): that version, six digits (an industry
 *   identifier after them names the inbound's guide, not the ack's), and no ST03: X231A1 is a 005010
 *   guide, ST03 is optional in the standard, and a version is not an implementation convention.
 * - 997: the group's GS08 as sent when it names the ack's version (004010VICS: the industry's 997
 *   guidelines go with it), else the ack's version.
 */
export function ackGroupVersion(
  setId: '997' | '999',
  gsVersion: string,
  isaVersion: string,
): { readonly gs08: string; readonly implementationRef?: string } {
  const version = ackVersion(gsVersion, isaVersion);
  if (setId === '999')
    return version === '005010' ? { gs08: X231A1, implementationRef: X231A1 } : { gs08: version };
  return { gs08: gsVersion.startsWith(version) ? gsVersion : version };
}

export interface Ta1 {
  readonly controlNumber: string;
  readonly date: string;
  readonly time: string;
  readonly status: 'A' | 'E' | 'R';
  readonly note: string;
}

/** TA1 for an interchange, or undefined when none is due (no request and nothing wrong). */
export function ta1For(ic: X12InterchangeSummary): Ta1 | undefined {
  const errors = ic.diagnostics.filter((d) => d.severity === 'error');
  const warnings = ic.diagnostics.filter((d) => d.severity === 'warning');
  if (!ic.header.acknowledgmentRequested && errors.length === 0) return undefined;
  const status = errors.length > 0 ? 'R' : warnings.length > 0 ? 'E' : 'A';
  const first = errors[0] ?? warnings[0];
  // TA105 is three digits; group/set codes never go here.
  const note = first && /^\d{3}$/.test(first.code) ? first.code : first ? '024' : '000';
  return { controlNumber: ic.header.controlNumber, date: ic.header.date, time: ic.header.time, status, note };
}

// An invalid inbound qualifier is not echoed back: the ack itself must pass the partner's checks.
const qualifier = (q: string): string => (isValidIdQualifier(q) ? q : 'ZZ');

export interface X12AckOptions {
  readonly controlNumbers: ControlNumberGenerator;
  readonly now?: Date;
  readonly newline?: boolean;
}

/**
 * The acknowledgement interchange for one inbound interchange: TA1 when due, then one FA group per
 * inbound group (not for inbound FA groups: acks are never acknowledged). Undefined when nothing is due.
 */
export function writeX12Acks(
  ic: X12InterchangeSummary,
  groups: readonly X12GroupSummary[],
  o: X12AckOptions,
): { text: string; bytes: Buffer; interchangeControlNumber: string; diagnostics: Diagnostic[] } | undefined {
  const ta1 = ta1For(ic);
  const charset: X12AckCharset = ic.windows1252 ? 'windows-1252' : 'utf-8';
  const h: X12InterchangeHeader = ic.header;
  // The inbound delimiters, unless its terminator is a newline or they clash (the ack then uses
  // the defaults: an ack must be readable).
  const delimiters: Delimiters | undefined =
    h.delimiters.segment !== '\n' && delimitersDistinct(h.delimiters)
      ? {
          element: h.delimiters.element,
          component: h.delimiters.component,
          segment: h.delimiters.segment,
          ...(h.delimiters.repetition ? { repetition: h.delimiters.repetition } : {}),
        }
      : undefined;
  const fa: X12GroupOut[] = ic.rejected
    ? []
    : groups
        .filter((g) => g.header.functionalId !== 'FA')
        .map((g) => {
          const { setId, body } = buildFunctionalAckBody(g, delimiters, charset);
          const { gs08, implementationRef } = ackGroupVersion(setId, g.header.version, h.version);
          return {
            functionalId: 'FA',
            version: gs08,
            sets: [{ setId, body, ...(implementationRef ? { implementationRef } : {}) }],
          };
        });
  if (!ta1 && fa.length === 0) return undefined;
  const written = writeX12Interchange(fa, {
    sender: {
      qualifier: qualifier(h.receiverQualifier),
      id: h.receiverId || 'UNKNOWN',
      ...(groups[0] ? { code: groups[0].header.receiverCode } : {}),
    },
    receiver: {
      qualifier: qualifier(h.senderQualifier),
      id: h.senderId || 'UNKNOWN',
      ...(groups[0] ? { code: groups[0].header.senderCode } : {}),
    },
    controlNumbers: o.controlNumbers,
    usage: h.usage === 'T' ? 'T' : 'P',
    ...(delimiters ? { delimiters } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.newline ? { newline: true } : {}),
    ...(ta1 ? { preamble: [seg('TA1', ta1.controlNumber, ta1.date, ta1.time, ta1.status, ta1.note)] } : {}),
    // The ack interchange answers the partner's envelope in its own version (ISA12, and ISA11 with
    // it); each group inside follows its own GS08.
    isaVersion: h.version,
  });
  return { ...written, bytes: encodeX12Ack(written.text, charset) };
}
