import { describeCharacter, encodeEdi, firstUnrepresentable } from './edi-character-sets.js';
import type { Diagnostic, DiagnosticLevel, Segment } from './edi-types.js';
import {
  SYNTAX_IDENTIFIER,
  type EdifactInterchange,
  type EdifactMessage,
  type EdifactMessageSummary,
  type EdifactPartyId,
} from './edifact-reader.js';
import { buildEdifactInterchange, identifierElement } from './edifact-envelope-writer.js';
import { edifactDelimitersFor, renderEdifact, type EdifactOutSegment } from './edifact-writer.js';
import { EdifactSyntaxError } from './edifact-syntax-errors.js';

/*
 * CONTRL, the EDIFACT syntax and service report: generated for an inbound interchange from the
 * reader's summary, and parsed when a partner sends one back. CONTRL knows only "acknowledged"
 * (7), "rejected" (4) and "received" (8); there is no "accepted with errors", so warnings never
 * reach it and any error rejects its level.
 */

/** 0083 action codes: 4 rejected, 7 this level and all lower levels acknowledged, 8 interchange received. */
export type ContrlAction = '4' | '7' | '8';

export interface ContrlGenerateOptions {
  /** Supplies the CONTRL interchange's control reference (UNB/UNZ 0020); the caller owns the sequence. */
  readonly nextControlReference: () => string | Promise<string>;
  readonly now?: Date;
  /**
   * `message` (default): UCI action 7/4 and a UCM per message, with UCS/UCD detail for rejected ones.
   * `interchange`: UCI action 8 (received) only, or 4 when the interchange itself is rejected.
   */
  readonly detail?: 'message' | 'interchange';
}

export interface GeneratedContrl {
  readonly segments: readonly EdifactOutSegment[];
  /** The CONTRL interchange as EDIFACT text (UNA included, one segment per line). */
  readonly text: string;
  /** `text` as sent: in the character set its UNB declares (see `contrlBytes`). */
  readonly bytes: Buffer;
  /** Warnings about those bytes (a character the declared set cannot carry). */
  readonly diagnostics: readonly Diagnostic[];
  readonly interchangeControlNumber: string;
  /** UCI action. */
  readonly action: ContrlAction;
}

/** Why no CONTRL answers an input: message-only input (no UNB) leaves nothing to answer. */
export interface ContrlNotGenerated {
  readonly diagnostic: Diagnostic;
}

const isError = (d: Diagnostic): boolean => d.severity === 'error';

/** S011 data element identification: element position and, when known, component position. */
function elementIdentification(d: Diagnostic | undefined): string[] | undefined {
  if (d?.elementPosition === undefined) return undefined;
  return [String(d.elementPosition), d.componentPosition !== undefined ? String(d.componentPosition) : ''];
}

/**
 * UCM, then one UCS per segment in error with its UCD element errors. Under a rejected interchange
 * or group every message is rejected with it (UCM action 4): 7 would acknowledge it.
 */
function messageResponse(message: EdifactMessageSummary, parentRejected: boolean): EdifactOutSegment[] {
  const errors = message.diagnostics.filter(isError);
  const envelopeError = errors.find((d) => d.segmentId === 'UNH' || d.segmentId === 'UNT');
  // A message rejected for an error no UCS can place (a field the canonical model requires and the
  // message lacks) gives its code in UCM 0085: a rejection must say why. UCM 0135/S011 name only
  // UNH or UNT, so such an error gives the code alone.
  const messageError =
    envelopeError ?? errors.find((d) => d.segmentPosition === undefined && /^\d+$/.test(d.code));
  const ucm: EdifactOutSegment = {
    tag: 'UCM',
    elements: [
      message.messageReference,
      identifierElement(message.identifier),
      message.status === 'rejected' || parentRejected ? '4' : '7',
      messageError?.code,
      envelopeError?.segmentId,
      elementIdentification(envelopeError),
    ],
  };
  const bySegment = new Map<number, Diagnostic[]>();
  for (const d of errors) {
    if (d === envelopeError || d.segmentPosition === undefined) continue;
    if (d.segmentId === 'UNH' || d.segmentId === 'UNT') continue;
    const list = bySegment.get(d.segmentPosition) ?? [];
    list.push(d);
    bySegment.set(d.segmentPosition, list);
  }
  const detail: EdifactOutSegment[] = [];
  for (const [position, list] of [...bySegment].sort((a, b) => a[0] - b[0])) {
    const segmentLevel = list.find((d) => d.elementPosition === undefined);
    detail.push({ tag: 'UCS', elements: [String(position), segmentLevel?.code] });
    // UCD repeats at most 99 times per UCS.
    for (const d of list.filter((e) => e.elementPosition !== undefined).slice(0, 99)) {
      detail.push({ tag: 'UCD', elements: [d.code, elementIdentification(d)] });
    }
  }
  return [ucm, ...detail];
}

/**
 * Builds the CONTRL interchange answering `interchange` (the reader's `interchange` event).
 * Message-only input (UNH..UNT without UNB) gets none: UCI needs the interchange reference and the
 * sender and recipient it answers (0020, S002, S003 are mandatory), and there are none to echo.
 */
export async function generateContrl(
  interchange: EdifactInterchange,
  options: ContrlGenerateOptions,
): Promise<GeneratedContrl | ContrlNotGenerated> {
  const header = interchange.header;
  if (header.messageOnly) {
    return {
      diagnostic: {
        severity: 'warning',
        level: 'interchange',
        code: EdifactSyntaxError.Missing,
        rule: 'CONTRL_WITHOUT_UNB',
        message:
          'no CONTRL: the input has no UNB, so there is no interchange reference, sender or recipient to answer',
        segmentId: 'UNB',
      },
    };
  }
  const interchangeError = interchange.diagnostics.find(isError);
  const detail = options.detail ?? 'message';
  const action: ContrlAction = interchangeError ? '4' : detail === 'interchange' ? '8' : '7';
  const syntaxVersion = header.syntaxVersion === '4' ? '4' : '3';
  const inboundSender = header.sender;
  const inboundRecipient = header.recipient;
  const party = (p: EdifactPartyId): string[] => [p.id, p.qualifier ?? '', p.internalId ?? ''];

  const body: EdifactOutSegment[] = [
    {
      tag: 'UCI',
      elements: [
        header.interchangeControlNumber ?? '',
        party(inboundSender),
        party(inboundRecipient),
        action,
        interchangeError?.code,
        interchangeError?.segmentId,
        elementIdentification(interchangeError),
      ],
    },
  ];
  if (action !== '8') {
    if (interchange.groups.length > 0) {
      for (const group of interchange.groups) {
        const groupError = group.diagnostics.find(isError);
        const messages = interchange.messages.filter(
          (m) => m.groupControlNumber === group.header.groupControlNumber,
        );
        const rejected = group.status === 'rejected' || action === '4';
        body.push({
          tag: 'UCF',
          elements: [
            group.header.groupControlNumber,
            party(group.header.sender),
            party(group.header.recipient),
            rejected ? '4' : '7',
            groupError?.code,
            groupError?.segmentId,
            elementIdentification(groupError),
          ],
        });
        for (const message of messages) body.push(...messageResponse(message, rejected));
      }
    } else {
      for (const message of interchange.messages) body.push(...messageResponse(message, action === '4'));
    }
  }

  const interchangeControlNumber = await options.nextControlReference();
  // One we do not read (UNOZ: syntax error 2) would make the answer unreadable too: UNOC, as for
  // syntax version 5 answered in 3.
  const syntaxIdentifier = SYNTAX_IDENTIFIER.test(header.syntaxIdentifier) ? header.syntaxIdentifier : 'UNOC';
  const segments = buildEdifactInterchange({
    syntaxIdentifier,
    syntaxVersion,
    // The envelope is reversed: we answer the sender.
    sender: inboundRecipient,
    recipient: inboundSender,
    preparedAt: options.now ?? new Date(),
    interchangeControlNumber,
    testIndicator: header.testIndicator,
    messages: [
      {
        messageReference: '1',
        identifier:
          syntaxVersion === '4'
            ? { type: 'CONTRL', version: '4', release: '1', controllingAgency: 'UN' }
            : { type: 'CONTRL', version: 'D', release: '3', controllingAgency: 'UN' },
        body,
      },
    ],
  });
  const text = renderEdifact(segments, {
    delimiters: edifactDelimitersFor(syntaxVersion),
    serviceStringAdvice: true,
    segmentSuffix: '\n',
  });
  const { bytes, diagnostics } = contrlBytes(text, syntaxIdentifier, header.interchangeControlNumber);
  return { segments, text, bytes, diagnostics, interchangeControlNumber, action };
}

/**
 * The CONTRL's bytes in the character set its UNB declares, which is the inbound's (render's
 * encoder): UTF-8 for UNOW/UNOY, one byte per character (ISO 8859-1) otherwise. It echoes the
 * partner's ids and references, so a character beyond U+00FF can only have come as UTF-8 (read
 * under a single-byte identifier): it is echoed as UTF-8, with a warning. UNOD..UNOK (other ISO 8859
 * parts) have no encoder here: ASCII is the same in all of them; anything else is written as
 * ISO 8859-1, with a warning.
 */
function contrlBytes(
  text: string,
  syntaxIdentifier: string,
  inboundReference: string | undefined,
): { bytes: Buffer; diagnostics: Diagnostic[] } {
  if (syntaxIdentifier === 'UNOW' || syntaxIdentifier === 'UNOY')
    return { bytes: encodeEdi(text, syntaxIdentifier), diagnostics: [] };
  const warning = (message: string): Diagnostic => ({
    severity: 'warning',
    level: 'interchange',
    code: EdifactSyntaxError.InvalidCharacters,
    rule: 'CONTRL_CHARACTER_NOT_IN_SYNTAX',
    message,
    ...(inboundReference ? { interchangeControlNumber: inboundReference } : {}),
  });
  const beyondLatin1 = firstUnrepresentable(text, 'UNOC');
  if (beyondLatin1 !== undefined) {
    return {
      bytes: encodeEdi(text, 'UNOY'),
      diagnostics: [
        warning(
          `the CONTRL echoes ${describeCharacter(beyondLatin1)}, which ${syntaxIdentifier} cannot carry in one byte: written as UTF-8, as the partner's data was`,
        ),
      ],
    };
  }
  const diagnostics: Diagnostic[] = [];
  const nonAscii = /[^\p{ASCII}]/u.exec(text)?.[0];
  if (nonAscii !== undefined && !['UNOA', 'UNOB', 'UNOC'].includes(syntaxIdentifier)) {
    diagnostics.push(
      warning(
        `the CONTRL echoes ${describeCharacter(nonAscii)} and declares ${syntaxIdentifier}, which has no encoder here: written as ISO 8859-1`,
      ),
    );
  }
  return { bytes: encodeEdi(text, 'UNOC'), diagnostics };
}

// --- parsing a received CONTRL ---------------------------------------------------------------

export type AcknowledgementStatus = 'accepted' | 'acceptedWithErrors' | 'rejected' | 'partial';

export interface AcknowledgementError {
  readonly level: DiagnosticLevel;
  readonly code: string;
  /** The message reference (UCM 0062) of a message, segment or element error, as the X12 readers name the set. */
  readonly transactionControlNumber?: string;
  readonly segmentId?: string;
  readonly segmentPosition?: number;
  readonly elementPosition?: number;
  readonly componentPosition?: number;
  readonly message: string;
}

/** The `Acknowledgement` core of CANONICAL-MODEL.md (the document envelope is added by the pipeline). */
export interface ContrlAcknowledgement {
  readonly ackType: 'CONTRL';
  readonly refersTo: {
    readonly interchangeControlNumber: string;
    readonly groupControlNumber?: string;
    readonly transactionControlNumbers: string[];
  };
  readonly status: AcknowledgementStatus;
  /** UCI 0083 as sent (4, 7, 8, or an older directory's 1-6). */
  readonly action: string;
  /** Per acknowledged message: its reference and whether it was rejected. */
  readonly messages: {
    readonly messageReference: string;
    readonly messageType: string;
    readonly status: 'accepted' | 'rejected';
  }[];
  readonly errors: AcknowledgementError[];
}

export interface ContrlParseResult {
  readonly acknowledgement?: ContrlAcknowledgement;
  readonly diagnostics: Diagnostic[];
}

const ACTION_TEXT: Readonly<Record<string, string>> = {
  '4': 'rejected',
  '7': 'acknowledged',
  '8': 'received',
};

const value = (segment: Segment, position: number, component = 1): string =>
  segment.elements[position - 1]?.[component - 1] ?? '';

const positionOf = (segment: Segment, position: number, component = 1): number | undefined => {
  const text = value(segment, position, component);
  return /^\d+$/.test(text) ? Number(text) : undefined;
};

/** Parses a CONTRL message (the reader's `message` event, or its segments) into an Acknowledgement. */
export function parseContrl(message: EdifactMessage | readonly Segment[]): ContrlParseResult {
  const segments = 'segments' in message ? message.segments : message;
  const diagnostics: Diagnostic[] = [];
  const unh = segments.find((s) => s.tag === 'UNH');
  if (unh !== undefined && value(unh, 2) !== 'CONTRL') {
    diagnostics.push({
      severity: 'error',
      level: 'transaction',
      code: EdifactSyntaxError.InvalidValue,
      rule: 'NOT_A_CONTRL',
      message: `message type is ${value(unh, 2)}, not CONTRL`,
      segmentId: 'UNH',
      elementPosition: 2,
      componentPosition: 1,
    });
    return { diagnostics };
  }
  const uci = segments.find((s) => s.tag === 'UCI');
  if (uci === undefined) {
    diagnostics.push({
      severity: 'error',
      level: 'segment',
      code: EdifactSyntaxError.Missing,
      rule: 'CONTRL_UCI_MISSING',
      message: 'CONTRL without a UCI interchange response',
      segmentId: 'UCI',
    });
    return { diagnostics };
  }
  const errors: AcknowledgementError[] = [];
  const messages: ContrlAcknowledgement['messages'] = [];
  let groupControlNumber: string | undefined;
  let groupRejected = false;
  let currentMessage = '';
  let currentSegment: number | undefined;
  const inMessage = (): { transactionControlNumber?: string } =>
    currentMessage !== '' ? { transactionControlNumber: currentMessage } : {};
  const coded = (
    segment: Segment,
    level: DiagnosticLevel,
    codeAt: number,
    tagAt: number,
    elementAt: number,
    what: string,
  ): void => {
    const code = value(segment, codeAt);
    if (code === '') return;
    const segmentId = value(segment, tagAt);
    const elementPosition = positionOf(segment, elementAt);
    const componentPosition = positionOf(segment, elementAt, 2);
    errors.push({
      level,
      code,
      ...(level === 'transaction' ? inMessage() : {}),
      ...(segmentId ? { segmentId } : {}),
      ...(elementPosition !== undefined ? { elementPosition } : {}),
      ...(componentPosition !== undefined ? { componentPosition } : {}),
      message: `${what}: syntax error ${code}${segmentId ? ` in ${segmentId}` : ''}`,
    });
  };

  const action = value(uci, 4);
  coded(
    uci,
    'interchange',
    5,
    6,
    7,
    `interchange ${value(uci, 1)} ${ACTION_TEXT[action] ?? `action ${action}`}`,
  );
  for (const segment of segments) {
    switch (segment.tag) {
      case 'UCF': {
        groupControlNumber ??= value(segment, 1);
        if (value(segment, 4) === '4') groupRejected = true;
        coded(segment, 'group', 5, 6, 7, `group ${value(segment, 1)}`);
        break;
      }
      case 'UCM': {
        currentMessage = value(segment, 1);
        currentSegment = undefined;
        const rejected = value(segment, 3) === '4';
        messages.push({
          messageReference: currentMessage,
          messageType: value(segment, 2),
          status: rejected ? 'rejected' : 'accepted',
        });
        coded(segment, 'transaction', 4, 5, 6, `message ${currentMessage}`);
        break;
      }
      case 'UCS': {
        currentSegment = positionOf(segment, 1);
        const code = value(segment, 2);
        if (code !== '') {
          errors.push({
            level: 'segment',
            code,
            ...inMessage(),
            ...(currentSegment !== undefined ? { segmentPosition: currentSegment } : {}),
            message: `message ${currentMessage} segment ${currentSegment ?? '?'}: syntax error ${code}`,
          });
        }
        break;
      }
      case 'UCD': {
        const code = value(segment, 1);
        const elementPosition = positionOf(segment, 2, 1);
        const componentPosition = positionOf(segment, 2, 2);
        errors.push({
          level: 'element',
          code,
          ...inMessage(),
          ...(currentSegment !== undefined ? { segmentPosition: currentSegment } : {}),
          ...(elementPosition !== undefined ? { elementPosition } : {}),
          ...(componentPosition !== undefined ? { componentPosition } : {}),
          message: `message ${currentMessage} segment ${currentSegment ?? '?'} element ${value(segment, 2, 1)}${
            value(segment, 2, 2) ? `:${value(segment, 2, 2)}` : ''
          }: syntax error ${code}`,
        });
        break;
      }
    }
  }

  const rejectedCount = messages.filter((m) => m.status === 'rejected').length;
  let status: AcknowledgementStatus;
  if (action === '4') status = 'rejected';
  else if (messages.length > 0 && rejectedCount === messages.length) status = 'rejected';
  else if (rejectedCount > 0 || groupRejected) status = 'partial';
  else status = 'accepted';

  return {
    acknowledgement: {
      ackType: 'CONTRL',
      refersTo: {
        interchangeControlNumber: value(uci, 1),
        ...(groupControlNumber !== undefined ? { groupControlNumber } : {}),
        transactionControlNumbers: messages.map((m) => m.messageReference),
      },
      status,
      action,
      messages,
      errors,
    },
    diagnostics,
  };
}
