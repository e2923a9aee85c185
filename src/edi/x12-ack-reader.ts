/**
 * Reads acknowledgements partners send back (997, 999, TA1) into canonical Acknowledgement bodies,
 * so outbound messages can be reconciled (an 856 we sent becomes acknowledged or rejected).
 * Envelope fields (id, tenantId, source, …) are added by the caller like for any document.
 */
import type { Segment } from './edi-types.js';
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
const AK9_TEXT: Readonly<Record<string, string>> = {
  '1': 'functional group not supported',
  '2': 'functional group version not supported',
  '3': 'functional group trailer missing',
  '4': 'GS/GE control number mismatch',
  '5': 'transaction set count wrong',
  '6': 'invalid group control number',
  '19': 'group control number not unique',
};
const TA1_TEXT: Readonly<Record<string, string>> = {
  '000': 'no error',
  '001': 'ISA/IEA control number mismatch',
  '014': 'invalid interchange date',
  '015': 'invalid interchange time',
  '016': 'invalid standards identifier',
  '017': 'invalid version',
  '018': 'invalid control number',
  '020': 'invalid test indicator',
  '021': 'invalid number of groups',
  '024': 'invalid interchange content',
};

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
        const position = Number(el(s, 1).split(/[^0-9]/)[0]) || 0;
        const code = el(s, 3);
        errors.push({
          level: 'element',
          code,
          transactionControlNumber: currentSet,
          ...(currentSegment
            ? { segmentId: currentSegment.id, segmentPosition: currentSegment.position }
            : {}),
          elementPosition: position,
          message: `element ${position} in error (${code})${el(s, 4) ? `: "${el(s, 4)}"` : ''}`,
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
              message: AK5_TEXT[code] ?? `transaction set error ${code}`,
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

/** TA1 segment → Acknowledgement fields. */
export function readTa1(s: Segment): JsonObject {
  const note = el(s, 5);
  return {
    documentType: 'Acknowledgement',
    ackType: 'x12-ta1',
    refersTo: { interchangeControlNumber: el(s, 1), transactionControlNumbers: [] },
    status: ackStatus(el(s, 4)),
    errors:
      note && note !== '000'
        ? [{ level: 'interchange', code: note, message: TA1_TEXT[note] ?? `interchange note ${note}` }]
        : [],
  };
}
