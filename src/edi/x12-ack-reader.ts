/**
 * Reads acknowledgements partners send back (997, 999, TA1) into canonical Acknowledgement bodies,
 * so outbound messages can be reconciled (an 856 we sent becomes acknowledged or rejected).
 * Envelope fields (id, tenantId, source, …) are added by the caller like for any document.
 */
import type { Diagnostic, Segment } from './edi-types.js';
import { parseEdiDate, parseEdiTime } from './edi-datetime.js';
import type { JsonObject } from './map-paths.js';

type AckStatus = 'accepted' | 'acceptedWithErrors' | 'rejected' | 'partial';

const el = (s: Segment, n: number): string => (s.elements[n - 1]?.[0] ?? '').trim();

export function ackStatus(code: string): AckStatus {
  switch (code) {
    case 'A':
      return 'accepted';
    case 'E':
      return 'acceptedWithErrors';
    case 'P':
      return 'partial';
    default:
      // R, and M/W/X (rejected for security reasons).
      return 'rejected';
  }
}

const AK5_TEXT: Readonly<Record<string, string>> = {
  '1': 'transaction set not supported',
  '2': 'transaction set trailer missing',
  '3': 'ST/SE control number mismatch',
  '4': 'segment count wrong',
  '5': 'one or more segments in error',
  '6': 'missing or invalid transaction set identifier',
  '7': 'missing or invalid transaction set control number',
  '23': 'transaction set control number not unique',
};
/**
 * IK502-06 codes of a 999 (618, 005010X231A1) that AK502 (718) does not share, or gives another
 * meaning (in 4010, 19 is a security code).
 */
const IK5_TEXT: Readonly<Record<string, string>> = {
  '18': 'transaction set not in functional group',
  '19': 'invalid transaction set implementation convention reference',
  I5: 'implementation: one or more segments in error',
  I6: 'implementation convention not supported',
};
const AK9_TEXT: Readonly<Record<string, string>> = {
  '1': 'functional group not supported',
  '2': 'functional group version not supported',
  '3': 'functional group trailer missing',
  '4': 'GS/GE control number mismatch',
  '5': 'transaction set count wrong',
  '6': 'invalid group control number',
  '19': 'group control number not unique',
};
/** TA105 interchange note codes (element I18, the same 000–031 from 003050 to 008050). */
const TA1_TEXT: Readonly<Record<string, string>> = {
  '000': 'no error',
  '001': 'ISA/IEA control number mismatch',
  '002': 'standard in the control standards identifier not supported',
  '003': 'version of the controls not supported',
  '004': 'invalid segment terminator',
  '005': 'invalid interchange ID qualifier for sender',
  '006': 'invalid interchange sender ID',
  '007': 'invalid interchange ID qualifier for receiver',
  '008': 'invalid interchange receiver ID',
  '009': 'unknown interchange receiver ID',
  '010': 'invalid authorization information qualifier',
  '011': 'invalid authorization information',
  '012': 'invalid security information qualifier',
  '013': 'invalid security information',
  '014': 'invalid interchange date',
  '015': 'invalid interchange time',
  '016': 'invalid standards identifier',
  '017': 'invalid version',
  '018': 'invalid control number',
  '019': 'invalid acknowledgment requested value',
  '020': 'invalid test indicator',
  '021': 'invalid number of groups',
  '022': 'invalid control structure',
  '023': 'improper (premature) end of file',
  '024': 'invalid interchange content',
  '025': 'duplicate interchange control number',
  '026': 'invalid data element separator',
  '027': 'invalid component element separator',
  '028': 'invalid delivery date in deferred delivery request',
  '029': 'invalid delivery time in deferred delivery request',
  '030': 'invalid delivery time code in deferred delivery request',
  '031': 'invalid grade of service code',
};

/**
 * AK401/IK401 (C030): the element's position in the segment and, when the error is in a
 * composite, the component's. A reader that did not split on the ack's component separator
 * leaves "3>2" in one piece: any non-digit separates them then.
 */
function positionOf(s: Segment): { element: number; component?: number } {
  const c030 = s.elements[0] ?? [];
  const parts = c030.length > 1 ? c030 : (c030[0] ?? '').split(/[^0-9]/);
  const component = (parts[1] ?? '').trim();
  return {
    element: Number((parts[0] ?? '').trim()) || 0,
    ...(/^\d+$/.test(component) ? { component: Number(component) } : {}),
  };
}

/** Body of a 997 or 999 (segments between ST and SE) → Acknowledgement fields. */
export function readFunctionalAck(setId: '997' | '999', body: readonly Segment[]): JsonObject {
  const errors: JsonObject[] = [];
  const transactions: JsonObject[] = [];
  let groupControlNumber = '';
  let functionalId = '';
  let status: AckStatus = 'accepted';
  let currentSet = '';
  let currentSegment: { id: string; position: number } | undefined;
  for (const s of body) {
    switch (s.tag) {
      case 'AK1':
        functionalId = el(s, 1);
        groupControlNumber = el(s, 2);
        break;
      case 'AK2':
        currentSet = el(s, 2);
        transactions.push({ setId: el(s, 1), controlNumber: currentSet, status: 'accepted' });
        currentSegment = undefined;
        break;
      case 'AK3':
      case 'IK3': {
        const position = Number(el(s, 2)) || 0;
        currentSegment = { id: el(s, 1), position };
        const code = el(s, 4);
        errors.push({
          level: 'segment',
          code,
          transactionControlNumber: currentSet,
          segmentId: el(s, 1),
          segmentPosition: position,
          message: `segment ${el(s, 1)} at position ${position} in error (${code})`,
        });
        break;
      }
      case 'AK4':
      case 'IK4': {
        const { element, component } = positionOf(s);
        const code = el(s, 3);
        errors.push({
          level: 'element',
          code,
          transactionControlNumber: currentSet,
          ...(currentSegment
            ? { segmentId: currentSegment.id, segmentPosition: currentSegment.position }
            : {}),
          elementPosition: element,
          ...(component !== undefined ? { componentPosition: component } : {}),
          message: `element ${element}${component !== undefined ? ` component ${component}` : ''} in error (${code})${
            el(s, 4) ? `: "${el(s, 4)}"` : ''
          }`,
        });
        break;
      }
      case 'AK5':
      case 'IK5': {
        const last = transactions[transactions.length - 1];
        if (last) last['status'] = ackStatus(el(s, 1));
        for (let i = 2; i <= s.elements.length; i++) {
          const code = el(s, i);
          if (code)
            errors.push({
              level: 'transaction',
              code,
              transactionControlNumber: currentSet,
              message:
                (s.tag === 'IK5' ? IK5_TEXT[code] : undefined) ??
                AK5_TEXT[code] ??
                `transaction set error ${code}`,
            });
        }
        break;
      }
      case 'AK9':
        status = ackStatus(el(s, 1));
        for (let i = 5; i <= s.elements.length; i++) {
          const code = el(s, i);
          if (code)
            errors.push({
              level: 'group',
              code,
              message: AK9_TEXT[code] ?? `functional group error ${code}`,
            });
        }
        break;
      default:
        break;
    }
  }
  // A rejected group is rejected whole: whatever its AK5s say (many translators keep a set's own
  // A under an AK9 R), none of its sets was processed and each must be resent.
  if (status === 'rejected') for (const t of transactions) t['status'] = 'rejected';
  return {
    documentType: 'Acknowledgement',
    ackType: setId === '999' ? 'x12-999' : 'x12-997',
    refersTo: {
      groupControlNumber,
      functionalId,
      transactionControlNumbers: transactions.map((t) => String(t['controlNumber'])),
    },
    status,
    transactions,
    errors,
  };
}

/**
 * TA1 segment → Acknowledgement fields, or the reasons it cannot be read. A malformed TA1 says
 * nothing reliable about our interchange (a status of `Q` is neither acceptance nor rejection),
 * so it is reported and does not mark anything we sent as rejected.
 */
export function readTa1(
  s: Segment,
): { readonly document: JsonObject } | { readonly diagnostics: readonly Diagnostic[] } {
  const problems = ta1Problems(s);
  if (problems.length > 0) return { diagnostics: problems };
  const note = el(s, 5);
  return {
    document: {
      documentType: 'Acknowledgement',
      ackType: 'x12-ta1',
      refersTo: { interchangeControlNumber: el(s, 1), transactionControlNumbers: [] },
      status: ackStatus(el(s, 4)),
      errors:
        note !== '000'
          ? [{ level: 'interchange', code: note, message: TA1_TEXT[note] ?? `interchange note ${note}` }]
          : [],
    },
  };
}

/** TA104 (I17): A accepted, E accepted with errors, R rejected. */
const TA1_STATUSES: ReadonlySet<string> = new Set(['A', 'E', 'R']);

/**
 * What is wrong with a TA1's five mandatory elements: TA101 the 9-digit ISA13 it answers, TA102
 * YYMMDD, TA103 HHMM, TA104 A/E/R, TA105 a note code of I18 (000–031, not every one named in TA1_TEXT).
 */
function ta1Problems(s: Segment): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (element: number, message: string): void => {
    const value = el(s, element);
    out.push({
      severity: 'error',
      level: 'interchange',
      code: '',
      rule: 'TA1_MALFORMED',
      message: `TA1${String(element).padStart(2, '0')} ${message}; the TA1 is not read`,
      segmentId: 'TA1',
      elementPosition: element,
      ...(value !== '' ? { badData: value } : {}),
      ...(s.offset !== undefined ? { offset: s.offset } : {}),
    });
  };
  const [control, date, time, status, note] = [1, 2, 3, 4, 5].map((n) => el(s, n));
  if (!/^\d{9}$/.test(control!))
    add(1, control ? `"${control}" is not a 9-digit interchange control number` : 'is missing');
  if (date!.length !== 6 || parseEdiDate(date!) === undefined)
    add(2, date ? `"${date}" is not a YYMMDD date` : 'is missing');
  if (time!.length !== 4 || parseEdiTime(time!) === undefined)
    add(3, time ? `"${time}" is not an HHMM time` : 'is missing');
  if (!TA1_STATUSES.has(status!)) add(4, status ? `"${status}" is not A, E or R` : 'is missing');
  if (!/^0[0-3]\d$/.test(note!) || Number(note) > 31)
    add(5, note ? `"${note}" is not an interchange note code (000–031)` : 'is missing');
  return out;
}
