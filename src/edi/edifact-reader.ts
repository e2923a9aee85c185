import { parseEdiDate } from './edi-datetime.js';
import { errorText, textAfterTrailer } from './edi-diagnostic.js';
import type { Delimiters, Diagnostic, DiagnosticLevel, Segment, Severity } from './edi-types.js';
import { checkEdifactMessageStructure } from './edifact-message-structure.js';
import { checkEdifactSegment } from './edifact-segment-rules.js';
import { EdifactSyntaxError } from './edifact-syntax-errors.js';
import { EdifactTokenizer, type EdifactTokenizerOptions } from './edifact-tokenizer.js';

/*
 * Groups EDIFACT segments into interchanges (UNB/UNZ), functional groups (UNG/UNE) and messages
 * (UNH/UNT), checks the envelopes, and hands each message on as soon as its UNT is read, so memory
 * holds one message plus a small summary per message of the current interchange (CONTRL needs one
 * UCM per message). Every problem becomes a Diagnostic with its 0085 code; nothing is thrown.
 */

export interface EdifactPartyId {
  readonly id: string;
  readonly qualifier?: string;
  /** S002/S003 0008/0042 (address for reverse routing / internal identification). */
  readonly internalId?: string;
}

export type EdifactEnvironment = 'test' | 'production';

export interface EdifactInterchangeHeader {
  /** UNB S001 0001, e.g. UNOC. */
  readonly syntaxIdentifier: string;
  /** UNB S001 0002, 1..4. */
  readonly syntaxVersion: string;
  readonly sender: EdifactPartyId;
  readonly recipient: EdifactPartyId;
  /** UNB S004 as sent: YYMMDD (syntax 1-3) or CCYYMMDD (syntax 4), and HHMM. */
  readonly preparationDate?: string;
  readonly preparationTime?: string;
  /** UNB 0020; absent for message-only input. */
  readonly interchangeControlNumber?: string;
  readonly applicationReference?: string;
  /** UNB 0031: 1 asks for an acknowledgement (CONTRL). */
  readonly acknowledgementRequested: boolean;
  /** UNB 0035 = 1. */
  readonly testIndicator: boolean;
  readonly environment: EdifactEnvironment;
  readonly delimiters: Delimiters;
  /** Whether the interchange started with a UNA. */
  readonly serviceStringAdvice: boolean;
  /** True when the input had no UNB (bare messages); the header then holds defaults. */
  readonly messageOnly: boolean;
  /** Byte offset of the UNB (or of the first segment for message-only input). */
  readonly offset: number;
}

export interface EdifactGroupHeader {
  /** UNG 0038 (message group identification). */
  readonly groupId: string;
  readonly sender: EdifactPartyId;
  readonly recipient: EdifactPartyId;
  readonly preparationDate?: string;
  readonly preparationTime?: string;
  /** UNG 0048. */
  readonly groupControlNumber: string;
  /** UNG 0051. */
  readonly controllingAgency?: string;
  /** UNG S008 0052/0054/0057. */
  readonly messageVersion?: string;
  readonly messageRelease?: string;
  readonly associationCode?: string;
}

export interface EdifactMessageIdentifier {
  /** UNH S009 0065, e.g. DESADV. */
  readonly type: string;
  /** 0052, e.g. D. */
  readonly version: string;
  /** 0054, e.g. 96A or 01B. */
  readonly release: string;
  /** 0051, e.g. UN. */
  readonly controllingAgency: string;
  /** 0057, e.g. EAN005. */
  readonly associationCode?: string;
}

export type EdifactStatus = 'accepted' | 'rejected';

export interface EdifactMessage {
  readonly interchange: EdifactInterchangeHeader;
  readonly group?: EdifactGroupHeader;
  /** UNH 0062. */
  readonly messageReference: string;
  readonly identifier: EdifactMessageIdentifier;
  /** UNH through UNT (or through the last segment read when UNT is missing). */
  readonly segments: readonly Segment[];
  readonly diagnostics: readonly Diagnostic[];
  /** Rejected when any diagnostic of the message is an error. */
  readonly status: EdifactStatus;
}

/** What CONTRL needs about a message once it has been handed on. */
export interface EdifactMessageSummary {
  readonly messageReference: string;
  readonly identifier: EdifactMessageIdentifier;
  readonly groupControlNumber?: string;
  readonly segmentCount: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly status: EdifactStatus;
}

export interface EdifactGroupSummary {
  readonly header: EdifactGroupHeader;
  readonly messageCount: number;
  /** Group-level (UNG/UNE) problems only; message problems are in the message summaries. */
  readonly diagnostics: readonly Diagnostic[];
  readonly status: EdifactStatus;
}

export interface EdifactInterchange {
  readonly header: EdifactInterchangeHeader;
  readonly groups: readonly EdifactGroupSummary[];
  /**
   * Summaries of the messages: all of them up to `messageSummaryLimit`, beyond that only the
   * rejected ones (CONTRL's UCI action 7 acknowledges every message it does not list).
   */
  readonly messages: readonly EdifactMessageSummary[];
  /** How many messages the interchange held, listed or not. */
  readonly messageCount: number;
  /** Interchange-level (UNA/UNB/UNZ and out-of-place segment) problems only. */
  readonly diagnostics: readonly Diagnostic[];
  /** Rejected when an interchange-level error exists; rejected messages alone leave it accepted. */
  readonly status: EdifactStatus;
}

/** `type` names follow the X12 reader's events (x12-envelope.ts) so translate.ts can treat both alike. */
export type EdifactReadEvent =
  | { readonly type: 'message'; readonly message: EdifactMessage }
  /** Emitted after UNZ (or at end of input / next UNB), after all of its messages. */
  | { readonly type: 'interchange-end'; readonly interchange: EdifactInterchange }
  /** A problem of no interchange: text after a UNZ (emitted when the text ends). */
  | { readonly type: 'diagnostic'; readonly diagnostic: Diagnostic };

export interface EdifactReadOptions extends EdifactTokenizerOptions {
  /** Check data segments against the `edifact` package's segment tables (default true). */
  readonly checkSegments?: boolean;
  /**
   * Called with each complete message before it is handed on (e.g. map or schema checks); the
   * diagnostics it returns join the message's and count towards its CONTRL status. A throw becomes
   * a diagnostic.
   */
  readonly inspect?: (message: EdifactMessage) => readonly Diagnostic[];
  /** Our interchange ids (UNB S003 0010); when given, an interchange for anyone else is syntax error 7. */
  readonly recipientIds?: readonly string[];
  /** Accepted-message summaries kept per interchange (default 10 000); rejected ones are always kept. */
  readonly messageSummaryLimit?: number;
}

/** UNB S001 0001 values the reader takes: UNOA..UNOK, UNOW, UNOX, UNOY. */
export const SYNTAX_IDENTIFIER = /^UNO[A-KWXY]$/;
/** References remembered to catch duplicates (memory stays bounded); the oldest is forgotten beyond this. */
const REMEMBERED_REFERENCES = 100_000;

/** Adds `key` unless already there (false); forgets the oldest key once the set is full. */
function rememberUnique(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  if (seen.size >= REMEMBERED_REFERENCES) seen.delete(seen.values().next().value as string);
  seen.add(key);
  return true;
}
const DIGITS = /^\d+$/;

/** A segment tag with data after it, as opposed to text that the tokenizer cut at a terminator. */
const looksLikeSegment = (segment: Segment): boolean =>
  segment.elements.length > 0 && /^[A-Z][A-Z0-9]{2}$/.test(segment.tag);

interface OpenMessage {
  readonly reference: string;
  readonly identifier: EdifactMessageIdentifier;
  readonly segments: Segment[];
  readonly diagnostics: Diagnostic[];
  readonly group?: EdifactGroupHeader;
}

interface OpenGroup {
  readonly header: EdifactGroupHeader;
  readonly diagnostics: Diagnostic[];
  messageCount: number;
}

interface OpenInterchange {
  readonly header: EdifactInterchangeHeader;
  readonly groups: EdifactGroupSummary[];
  readonly messages: EdifactMessageSummary[];
  messageCount: number;
  readonly diagnostics: Diagnostic[];
  /** UNH 0062 of the messages read so far: a reference must not repeat within the interchange. */
  readonly messageReferences: Set<string>;
  /** Messages directly under UNB vs groups: mixing them is syntax error 30. */
  usesGroups: boolean | undefined;
  group: OpenGroup | undefined;
}

type DiagnosticInput = {
  readonly severity: Severity;
  readonly level: DiagnosticLevel;
  readonly code: string;
  readonly rule: string;
  readonly message: string;
} & Partial<Omit<Diagnostic, 'severity' | 'level' | 'code' | 'rule' | 'message'>>;

const element = (segment: Segment, position: number, component = 1): string =>
  segment.elements[position - 1]?.[component - 1] ?? '';

function party(segment: Segment, position: number): EdifactPartyId {
  const id = element(segment, position, 1);
  const qualifier = element(segment, position, 2);
  const internalId = element(segment, position, 3);
  return { id, ...(qualifier ? { qualifier } : {}), ...(internalId ? { internalId } : {}) };
}

/** YYMMDD (century by X12's window, `fullYear`) or CCYYMMDD: read as X12 reads ISA09 and GS04. */
const isValidDate = (text: string): boolean => parseEdiDate(text) !== undefined;

function isValidTime(text: string): boolean {
  if (!DIGITS.test(text) || text.length !== 4) return false;
  return Number(text.slice(0, 2)) <= 23 && Number(text.slice(2, 4)) <= 59;
}

const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([]);
const NO_EVENTS: readonly EdifactReadEvent[] = Object.freeze([]);

const hasError = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');

/**
 * Reads EDIFACT from a byte stream: yields each message with its envelope, then a summary per
 * interchange. Never throws for bad input; problems are diagnostics on the message or interchange.
 */
export async function* readEdifact(
  input: AsyncIterable<Uint8Array>,
  options: EdifactReadOptions = {},
): AsyncGenerator<EdifactReadEvent> {
  const reader = new EdifactEnvelopeReader(options);
  try {
    for await (const batch of reader.tokenizer.batches(input)) {
      for (const token of batch) {
        const events =
          token.kind === 'segment'
            ? reader.onSegment(token.segment, token.delimiters, token.serviceStringAdvice)
            : reader.onDiagnostic(token.diagnostic);
        for (const event of events) yield event;
      }
    }
  } catch (error) {
    // Only the input stream itself can throw here (e.g. a read error); report it like bad data.
    reader.onStreamError(error);
  }
  for (const event of reader.finish()) yield event;
}

class EdifactEnvelopeReader {
  readonly tokenizer: EdifactTokenizer;
  private readonly checkSegments: boolean;
  private readonly inspect: EdifactReadOptions['inspect'];
  private readonly messageSummaryLimit: number;
  private readonly recipientIds: readonly string[] | undefined;
  /** Message identifiers are shared between messages of the same type, not copied per message. */
  private readonly identifiers = new Map<string, EdifactMessageIdentifier>();
  private interchange: OpenInterchange | undefined;
  private message: OpenMessage | undefined;
  /** Diagnostics seen before any interchange exists (e.g. a bad UNA), attached to the next one. */
  private pending: Diagnostic[] = [];
  private sawAnything = false;
  /** Sender and UNB 0020 of the interchanges read so far (bounded), to catch one sent twice. */
  private readonly interchangeKeys = new Set<string>();
  private delimiters: Delimiters;
  private serviceStringAdvice = false;
  /** The last interchange ended with its UNZ, and no UNB has come since. */
  private afterTrailer = false;
  /** Text read after a UNZ (no segment in it), reported as one warning when it ends. */
  private text: { offset: number; head: string; characters: number } | undefined;

  constructor(options: EdifactReadOptions) {
    this.tokenizer = new EdifactTokenizer(options);
    this.checkSegments = options.checkSegments ?? true;
    this.inspect = options.inspect;
    this.messageSummaryLimit = options.messageSummaryLimit ?? 10_000;
    this.recipientIds = options.recipientIds;
    this.delimiters = this.tokenizer.delimiters;
  }

  onDiagnostic(diagnostic: Diagnostic): readonly EdifactReadEvent[] {
    if (this.message !== undefined && diagnostic.segmentId !== 'UNA') {
      this.message.diagnostics.push(this.inMessage(diagnostic));
    } else if (this.interchange !== undefined && diagnostic.segmentId !== 'UNA') {
      this.interchange.diagnostics.push(this.inInterchange(diagnostic));
    } else {
      this.pending.push(diagnostic);
    }
    return NO_EVENTS;
  }

  onStreamError(error: unknown): void {
    this.interchangeDiagnostic({
      severity: 'error',
      level: 'interchange',
      code: EdifactSyntaxError.UnspecifiedError,
      rule: 'INPUT_READ_FAILED',
      message: `input could not be read: ${errorText(error)}`,
    });
  }

  onSegment(
    segment: Segment,
    delimiters: Delimiters,
    serviceStringAdvice: boolean,
  ): readonly EdifactReadEvent[] {
    this.sawAnything = true;
    this.delimiters = delimiters;
    this.serviceStringAdvice = serviceStringAdvice;
    if (this.afterTrailer && this.interchange === undefined) {
      if (!looksLikeSegment(segment)) {
        this.noteText(segment);
        return NO_EVENTS;
      }
      if (this.text !== undefined)
        return [this.endText(), ...this.onSegment(segment, delimiters, serviceStringAdvice)];
    }
    if (!segment.tag.startsWith('UN')) {
      // Data segments never end anything: no event array to allocate on the hot path.
      this.onDataSegment(segment);
      return NO_EVENTS;
    }
    const events: EdifactReadEvent[] = [];
    switch (segment.tag) {
      case 'UNB':
        if (this.interchange !== undefined) this.closeInterchange(events, segment);
        this.openInterchange(segment);
        break;
      case 'UNZ':
        this.onInterchangeTrailer(segment, events);
        break;
      case 'UNG':
        this.onGroupHeader(segment, events);
        break;
      case 'UNE':
        this.onGroupTrailer(segment, events);
        break;
      case 'UNH':
        this.onMessageHeader(segment, events);
        break;
      case 'UNT':
        this.onMessageTrailer(segment, events);
        break;
      default:
        this.onDataSegment(segment);
    }
    return events;
  }

  finish(): EdifactReadEvent[] {
    const events: EdifactReadEvent[] = this.text !== undefined ? [this.endText()] : [];
    if (this.interchange === undefined) {
      if (!this.sawAnything || this.pending.length > 0) {
        this.openMessageOnly(undefined);
        if (!this.sawAnything) {
          this.interchangeDiagnostic({
            severity: 'error',
            level: 'interchange',
            code: EdifactSyntaxError.Missing,
            rule: 'NO_EDIFACT_DATA',
            message: 'the input holds no EDIFACT segments',
          });
        }
      }
    }
    if (this.interchange !== undefined) this.closeInterchange(events, undefined);
    return events;
  }

  /**
   * Text after a UNZ: a mail footer or a banner, which the tokenizer cut into "segments" at any
   * terminator in it. The tokenizer's notes on it (no terminator at the end) go with it.
   */
  private noteText(segment: Segment): void {
    const d = this.delimiters;
    const piece = [segment.tag, ...segment.elements.map((e) => e.join(d.component))].join(d.element);
    const text = (this.text ??= { offset: segment.offset, head: '', characters: 0 });
    if (text.characters > 0) text.characters += d.segment.length;
    if (text.head.length < 99)
      text.head = (text.characters > 0 ? text.head + d.segment : '') + piece.slice(0, 99);
    text.characters += piece.length;
    this.pending = this.pending.filter((p) => p.segmentId === 'UNA' || (p.offset ?? -1) < text.offset);
  }

  private endText(): EdifactReadEvent {
    const text = this.text!;
    this.text = undefined;
    return {
      type: 'diagnostic',
      diagnostic: textAfterTrailer(
        'UNZ',
        text.head,
        text.characters,
        text.offset,
        EdifactSyntaxError.InvalidOccurrenceOutsideMessage,
      ),
    };
  }

  // --- interchange -------------------------------------------------------------------------

  private openInterchange(unb: Segment): void {
    const syntaxIdentifier = element(unb, 1, 1).toUpperCase();
    const syntaxVersion = element(unb, 1, 2);
    const testIndicator = element(unb, 11) === '1';
    const interchangeControlNumber = element(unb, 5);
    const date = element(unb, 4, 1);
    const time = element(unb, 4, 2);
    const applicationReference = element(unb, 7);
    const header: EdifactInterchangeHeader = {
      syntaxIdentifier,
      syntaxVersion,
      sender: party(unb, 2),
      recipient: party(unb, 3),
      ...(date ? { preparationDate: date } : {}),
      ...(time ? { preparationTime: time } : {}),
      interchangeControlNumber,
      ...(applicationReference ? { applicationReference } : {}),
      acknowledgementRequested: element(unb, 9) === '1',
      testIndicator,
      environment: testIndicator ? 'test' : 'production',
      delimiters: this.delimiters,
      serviceStringAdvice: this.serviceStringAdvice,
      messageOnly: false,
      offset: unb.offset,
    };
    this.interchange = {
      header,
      groups: [],
      messages: [],
      messageCount: 0,
      diagnostics: this.pending.map((d) => ({ ...d, interchangeControlNumber })),
      messageReferences: new Set(),
      usesGroups: undefined,
      group: undefined,
    };
    this.pending = [];
    this.checkInterchangeHeader(unb, header);
  }

  private checkInterchangeHeader(unb: Segment, header: EdifactInterchangeHeader): void {
    const at = (elementPosition: number, componentPosition?: number) => ({
      level: 'interchange' as const,
      segmentId: 'UNB',
      elementPosition,
      ...(componentPosition !== undefined ? { componentPosition } : {}),
      offset: unb.offset,
    });
    const missing = (elementPosition: number, componentPosition: number | undefined, what: string): void =>
      this.interchangeDiagnostic({
        ...at(elementPosition, componentPosition),
        severity: 'error',
        code: EdifactSyntaxError.Missing,
        rule: 'UNB_ELEMENT_MISSING',
        message: `UNB ${what} is missing`,
      });
    const invalid = (
      elementPosition: number,
      componentPosition: number | undefined,
      rule: string,
      message: string,
    ) =>
      this.interchangeDiagnostic({
        ...at(elementPosition, componentPosition),
        severity: 'error',
        code: EdifactSyntaxError.InvalidValue,
        rule,
        message,
      });

    if (header.syntaxIdentifier === '') missing(1, 1, 'syntax identifier (S001 0001)');
    else if (!SYNTAX_IDENTIFIER.test(header.syntaxIdentifier)) {
      this.interchangeDiagnostic({
        ...at(1, 1),
        severity: 'error',
        code: EdifactSyntaxError.SyntaxVersionNotSupported,
        rule: 'SYNTAX_IDENTIFIER_UNSUPPORTED',
        message: `syntax identifier ${header.syntaxIdentifier} is not one of UNOA..UNOK, UNOW, UNOX, UNOY`,
      });
    }
    if (header.syntaxVersion === '') missing(1, 2, 'syntax version (S001 0002)');
    else if (!['1', '2', '3', '4'].includes(header.syntaxVersion)) {
      this.interchangeDiagnostic({
        ...at(1, 2),
        severity: 'error',
        code: EdifactSyntaxError.SyntaxVersionNotSupported,
        rule: 'SYNTAX_VERSION_UNSUPPORTED',
        message: `syntax version ${header.syntaxVersion} is not 1..4`,
      });
    }
    if (header.sender.id === '') missing(2, 1, 'interchange sender (S002 0004)');
    if (header.recipient.id === '') missing(3, 1, 'interchange recipient (S003 0010)');
    else if (this.recipientIds !== undefined && !this.recipientIds.includes(header.recipient.id)) {
      this.interchangeDiagnostic({
        ...at(3, 1),
        severity: 'error',
        code: EdifactSyntaxError.InterchangeRecipientNotActualRecipient,
        rule: 'UNB_RECIPIENT_NOT_US',
        message: `interchange recipient "${header.recipient.id}" is not one of ours`,
      });
    }
    if (header.preparationDate === undefined) missing(4, 1, 'preparation date (S004 0017)');
    else if (!isValidDate(header.preparationDate)) {
      invalid(4, 1, 'UNB_DATE_INVALID', `UNB date "${header.preparationDate}" is not YYMMDD or CCYYMMDD`);
    } else if (header.syntaxVersion === '4' && header.preparationDate.length !== 8) {
      invalid(
        4,
        1,
        'UNB_DATE_INVALID',
        `syntax version 4 requires CCYYMMDD, got "${header.preparationDate}"`,
      );
    }
    if (header.preparationTime === undefined) missing(4, 2, 'preparation time (S004 0019)');
    else if (!isValidTime(header.preparationTime)) {
      invalid(4, 2, 'UNB_TIME_INVALID', `UNB time "${header.preparationTime}" is not HHMM`);
    }
    if (header.interchangeControlNumber === '') missing(5, undefined, 'interchange control reference (0020)');
    else if (!this.rememberInterchange(header)) {
      this.interchangeDiagnostic({
        ...at(5),
        severity: 'error',
        code: EdifactSyntaxError.DuplicateDetected,
        rule: 'UNB_REFERENCE_DUPLICATE',
        message: `UNB interchange reference "${header.interchangeControlNumber ?? ''}" from ${header.sender.id} repeats an earlier interchange of this input`,
      });
    }
    const ack = element(unb, 9);
    if (ack !== '' && ack !== '1') {
      invalid(9, undefined, 'UNB_ACK_REQUEST_INVALID', `UNB acknowledgement request "${ack}" is not 1`);
    }
    const test = element(unb, 11);
    if (test !== '' && test !== '1') {
      this.interchangeDiagnostic({
        ...at(11),
        severity: 'error',
        code: EdifactSyntaxError.InvalidValue,
        rule: 'UNB_TEST_INDICATOR_INVALID',
        message: `UNB test indicator "${test}" is not 1`,
      });
    }
    if (unb.elements.length > 11) {
      this.interchangeDiagnostic({
        ...at(12),
        severity: 'error',
        code: EdifactSyntaxError.TooManyConstituents,
        rule: 'UNB_TOO_MANY_ELEMENTS',
        message: `UNB has ${unb.elements.length} data elements, at most 11 allowed`,
      });
    }
  }

  private rememberInterchange(header: EdifactInterchangeHeader): boolean {
    const key = `${header.sender.qualifier ?? ''}:${header.sender.id}:${header.interchangeControlNumber ?? ''}`;
    return rememberUnique(this.interchangeKeys, key);
  }

  private openMessageOnly(first: Segment | undefined): void {
    const delimiters = this.delimiters;
    this.interchange = {
      header: {
        syntaxIdentifier: '',
        syntaxVersion: '',
        sender: { id: '' },
        recipient: { id: '' },
        acknowledgementRequested: false,
        testIndicator: false,
        environment: 'production',
        delimiters,
        serviceStringAdvice: this.serviceStringAdvice,
        messageOnly: true,
        offset: first?.offset ?? 0,
      },
      groups: [],
      messages: [],
      messageCount: 0,
      diagnostics: [...this.pending],
      messageReferences: new Set(),
      usesGroups: undefined,
      group: undefined,
    };
    this.pending = [];
    if (first !== undefined) {
      this.interchangeDiagnostic({
        severity: 'warning',
        level: 'interchange',
        code: EdifactSyntaxError.Missing,
        rule: 'MESSAGE_ONLY_INPUT',
        message: 'no UNB interchange header: messages read without an envelope',
        segmentId: 'UNB',
        offset: first.offset,
      });
    }
  }

  private onInterchangeTrailer(unz: Segment, events: EdifactReadEvent[]): void {
    if (this.interchange === undefined || this.interchange.header.messageOnly) {
      if (this.interchange === undefined) this.openMessageOnly(unz);
      this.closeOpenMessage(events, unz);
      this.interchangeDiagnostic({
        severity: 'error',
        level: 'interchange',
        code: EdifactSyntaxError.Missing,
        rule: 'UNZ_WITHOUT_UNB',
        message: 'UNZ without a UNB interchange header',
        segmentId: 'UNB',
        offset: unz.offset,
      });
      this.closeInterchange(events, undefined);
      return;
    }
    const interchange = this.interchange;
    this.closeOpenMessage(events, unz);
    this.closeOpenGroup(unz);
    const header = interchange.header;
    const count = element(unz, 1);
    const reference = element(unz, 2);
    const expected = interchange.usesGroups ? interchange.groups.length : interchange.messageCount;
    if (reference !== header.interchangeControlNumber) {
      this.interchangeDiagnostic({
        severity: 'error',
        level: 'interchange',
        code: reference === '' ? EdifactSyntaxError.Missing : EdifactSyntaxError.ReferencesDoNotMatch,
        rule: 'UNB_UNZ_REFERENCE_MISMATCH',
        message: `UNZ interchange reference "${reference}" does not match UNB "${header.interchangeControlNumber ?? ''}"`,
        segmentId: 'UNZ',
        elementPosition: 2,
        offset: unz.offset,
      });
    }
    if (count === '' || !DIGITS.test(count) || Number(count) !== expected) {
      this.interchangeDiagnostic({
        severity: 'error',
        level: 'interchange',
        code: count === '' ? EdifactSyntaxError.Missing : EdifactSyntaxError.ControlCountDoesNotMatch,
        rule: 'UNZ_COUNT_MISMATCH',
        message: `UNZ counts "${count}" ${interchange.usesGroups ? 'groups' : 'messages'}, the interchange has ${expected}`,
        segmentId: 'UNZ',
        elementPosition: 1,
        offset: unz.offset,
      });
    }
    this.closeInterchange(events, undefined, true);
    this.afterTrailer = true;
  }

  /** Closes the current interchange; `interruptedBy` is the segment that arrived instead of UNZ. */
  private closeInterchange(
    events: EdifactReadEvent[],
    interruptedBy: Segment | undefined,
    trailerRead = false,
  ): void {
    const interchange = this.interchange;
    if (interchange === undefined) return;
    this.closeOpenMessage(events, interruptedBy);
    this.closeOpenGroup(interruptedBy);
    if (!trailerRead && !interchange.header.messageOnly) {
      this.interchangeDiagnostic({
        severity: 'error',
        level: 'interchange',
        code: EdifactSyntaxError.Missing,
        rule: 'UNZ_MISSING',
        message: 'interchange trailer UNZ is missing',
        segmentId: 'UNZ',
        ...(interruptedBy ? { offset: interruptedBy.offset } : {}),
      });
    }
    if (interchange.messageCount === 0 && interchange.groups.length === 0 && this.sawAnything) {
      this.interchangeDiagnostic({
        severity: 'warning',
        level: 'interchange',
        code: EdifactSyntaxError.LowerLevelEmpty,
        rule: 'INTERCHANGE_EMPTY',
        message: 'the interchange holds no messages',
      });
    }
    events.push({
      type: 'interchange-end',
      interchange: {
        header: interchange.header,
        groups: interchange.groups,
        messages: interchange.messages,
        messageCount: interchange.messageCount,
        diagnostics: interchange.diagnostics,
        status: hasError(interchange.diagnostics) ? 'rejected' : 'accepted',
      },
    });
    this.interchange = undefined;
  }

  // --- groups ------------------------------------------------------------------------------

  private onGroupHeader(ung: Segment, events: EdifactReadEvent[]): void {
    if (this.interchange === undefined) this.openMessageOnly(ung);
    const interchange = this.requireInterchange();
    this.closeOpenMessage(events, ung);
    if (interchange.group !== undefined) {
      this.closeOpenGroup(ung);
    }
    if (interchange.usesGroups === false) this.mixedDiagnostic(ung);
    interchange.usesGroups = true;
    const date = element(ung, 4, 1);
    const time = element(ung, 4, 2);
    const agency = element(ung, 6);
    const version = element(ung, 7, 1);
    const release = element(ung, 7, 2);
    const association = element(ung, 7, 3);
    const header: EdifactGroupHeader = {
      groupId: element(ung, 1),
      sender: party(ung, 2),
      recipient: party(ung, 3),
      ...(date ? { preparationDate: date } : {}),
      ...(time ? { preparationTime: time } : {}),
      groupControlNumber: element(ung, 5),
      ...(agency ? { controllingAgency: agency } : {}),
      ...(version ? { messageVersion: version } : {}),
      ...(release ? { messageRelease: release } : {}),
      ...(association ? { associationCode: association } : {}),
    };
    const group: OpenGroup = { header, diagnostics: [], messageCount: 0 };
    interchange.group = group;
    const missing = (elementPosition: number, what: string): void => {
      group.diagnostics.push(
        this.inInterchange({
          severity: 'error',
          level: 'group',
          code: EdifactSyntaxError.Missing,
          rule: 'UNG_ELEMENT_MISSING',
          message: `UNG ${what} is missing`,
          segmentId: 'UNG',
          elementPosition,
          offset: ung.offset,
          groupControlNumber: header.groupControlNumber,
        }),
      );
    };
    if (header.groupControlNumber === '') missing(5, 'group reference number (0048)');
    if (date !== '' && !isValidDate(date)) {
      group.diagnostics.push(
        this.inInterchange({
          severity: 'error',
          level: 'group',
          code: EdifactSyntaxError.InvalidValue,
          rule: 'UNG_DATE_INVALID',
          message: `UNG date "${date}" is not YYMMDD or CCYYMMDD`,
          segmentId: 'UNG',
          elementPosition: 4,
          componentPosition: 1,
          offset: ung.offset,
          groupControlNumber: header.groupControlNumber,
        }),
      );
    }
  }

  private onGroupTrailer(une: Segment, events: EdifactReadEvent[]): void {
    if (this.interchange === undefined) this.openMessageOnly(une);
    const interchange = this.requireInterchange();
    this.closeOpenMessage(events, une);
    const group = interchange.group;
    if (group === undefined) {
      this.interchangeDiagnostic({
        severity: 'error',
        level: 'group',
        code: EdifactSyntaxError.Missing,
        rule: 'UNE_WITHOUT_UNG',
        message: 'UNE without a UNG group header',
        segmentId: 'UNG',
        offset: une.offset,
      });
      return;
    }
    const count = element(une, 1);
    const reference = element(une, 2);
    const base = {
      severity: 'error' as const,
      level: 'group' as const,
      segmentId: 'UNE',
      offset: une.offset,
      groupControlNumber: group.header.groupControlNumber,
    };
    if (reference !== group.header.groupControlNumber) {
      group.diagnostics.push(
        this.inInterchange({
          ...base,
          code: reference === '' ? EdifactSyntaxError.Missing : EdifactSyntaxError.ReferencesDoNotMatch,
          rule: 'UNG_UNE_REFERENCE_MISMATCH',
          message: `UNE group reference "${reference}" does not match UNG "${group.header.groupControlNumber}"`,
          elementPosition: 2,
        }),
      );
    }
    if (count === '' || !DIGITS.test(count) || Number(count) !== group.messageCount) {
      group.diagnostics.push(
        this.inInterchange({
          ...base,
          code: count === '' ? EdifactSyntaxError.Missing : EdifactSyntaxError.ControlCountDoesNotMatch,
          rule: 'UNE_COUNT_MISMATCH',
          message: `UNE counts "${count}" messages, the group has ${group.messageCount}`,
          elementPosition: 1,
        }),
      );
    }
    this.finishGroup(interchange, group);
  }

  private closeOpenGroup(interruptedBy: Segment | undefined): void {
    const interchange = this.interchange;
    const group = interchange?.group;
    if (interchange === undefined || group === undefined) return;
    group.diagnostics.push(
      this.inInterchange({
        severity: 'error',
        level: 'group',
        code: EdifactSyntaxError.Missing,
        rule: 'UNE_MISSING',
        message: 'group trailer UNE is missing',
        segmentId: 'UNE',
        groupControlNumber: group.header.groupControlNumber,
        ...(interruptedBy ? { offset: interruptedBy.offset } : {}),
      }),
    );
    this.finishGroup(interchange, group);
  }

  private finishGroup(interchange: OpenInterchange, group: OpenGroup): void {
    if (group.messageCount === 0) {
      group.diagnostics.push(
        this.inInterchange({
          severity: 'warning',
          level: 'group',
          code: EdifactSyntaxError.LowerLevelEmpty,
          rule: 'GROUP_EMPTY',
          message: 'the functional group holds no messages',
          segmentId: 'UNG',
          groupControlNumber: group.header.groupControlNumber,
        }),
      );
    }
    interchange.groups.push({
      header: group.header,
      messageCount: group.messageCount,
      diagnostics: group.diagnostics,
      status: hasError(group.diagnostics) ? 'rejected' : 'accepted',
    });
    interchange.group = undefined;
  }

  private mixedDiagnostic(segment: Segment): void {
    this.interchangeDiagnostic({
      severity: 'error',
      level: 'interchange',
      code: EdifactSyntaxError.GroupsAndMessagesMixed,
      rule: 'GROUPS_AND_MESSAGES_MIXED',
      message: 'the interchange mixes functional groups and messages outside groups',
      segmentId: segment.tag,
      offset: segment.offset,
    });
  }

  // --- messages ----------------------------------------------------------------------------

  private onMessageHeader(unh: Segment, events: EdifactReadEvent[]): void {
    if (this.interchange === undefined) this.openMessageOnly(unh);
    const interchange = this.requireInterchange();
    this.closeOpenMessage(events, unh);
    if (interchange.group === undefined) {
      if (interchange.usesGroups === true) this.mixedDiagnostic(unh);
      else interchange.usesGroups = false;
    }
    const key = (unh.elements[1] ?? []).join(':');
    let identifier = this.identifiers.get(key);
    if (identifier === undefined) {
      const associationCode = element(unh, 2, 5);
      identifier = {
        type: element(unh, 2, 1),
        version: element(unh, 2, 2),
        release: element(unh, 2, 3),
        controllingAgency: element(unh, 2, 4),
        ...(associationCode ? { associationCode } : {}),
      };
      if (this.identifiers.size < 100) this.identifiers.set(key, identifier);
    }
    const group = interchange.group?.header;
    const message: OpenMessage = {
      reference: element(unh, 1),
      identifier,
      segments: [unh],
      diagnostics: [],
      ...(group ? { group } : {}),
    };
    this.message = message;
    const missing = (elementPosition: number, componentPosition: number | undefined, what: string): void => {
      message.diagnostics.push(
        this.inMessage({
          severity: 'error',
          level: 'transaction',
          code: EdifactSyntaxError.Missing,
          rule: 'UNH_ELEMENT_MISSING',
          message: `UNH ${what} is missing`,
          segmentId: 'UNH',
          segmentPosition: 1,
          elementPosition,
          ...(componentPosition !== undefined ? { componentPosition } : {}),
          offset: unh.offset,
        }),
      );
    };
    if (message.reference === '') missing(1, undefined, 'message reference number (0062)');
    else if (!rememberUnique(interchange.messageReferences, message.reference)) {
      // Two messages with one reference cannot be told apart in a CONTRL or by the documents' ids.
      message.diagnostics.push(
        this.inMessage({
          severity: 'error',
          level: 'transaction',
          code: EdifactSyntaxError.DuplicateDetected,
          rule: 'UNH_REFERENCE_DUPLICATE',
          message: `UNH message reference "${message.reference}" repeats an earlier message of this interchange`,
          segmentId: 'UNH',
          segmentPosition: 1,
          elementPosition: 1,
          offset: unh.offset,
        }),
      );
    }
    if (identifier.type === '') missing(2, 1, 'message type (0065)');
    if (identifier.version === '') missing(2, 2, 'message version (0052)');
    if (identifier.release === '') missing(2, 3, 'message release (0054)');
    if (identifier.controllingAgency === '') missing(2, 4, 'controlling agency (0051)');
  }

  private onMessageTrailer(unt: Segment, events: EdifactReadEvent[]): void {
    const message = this.message;
    if (message === undefined) {
      if (this.interchange === undefined) this.openMessageOnly(unt);
      this.interchangeDiagnostic({
        severity: 'error',
        level: 'interchange',
        code: EdifactSyntaxError.Missing,
        rule: 'UNT_WITHOUT_UNH',
        message: 'UNT without a UNH message header',
        segmentId: 'UNH',
        offset: unt.offset,
      });
      return;
    }
    message.segments.push(unt);
    const count = element(unt, 1);
    const reference = element(unt, 2);
    const base = {
      severity: 'error' as const,
      level: 'transaction' as const,
      segmentId: 'UNT',
      segmentPosition: message.segments.length,
      offset: unt.offset,
    };
    if (reference !== message.reference) {
      message.diagnostics.push(
        this.inMessage({
          ...base,
          code: reference === '' ? EdifactSyntaxError.Missing : EdifactSyntaxError.ReferencesDoNotMatch,
          rule: 'UNH_UNT_REFERENCE_MISMATCH',
          message: `UNT message reference "${reference}" does not match UNH "${message.reference}"`,
          elementPosition: 2,
        }),
      );
    }
    if (count === '' || !DIGITS.test(count) || Number(count) !== message.segments.length) {
      message.diagnostics.push(
        this.inMessage({
          ...base,
          code: count === '' ? EdifactSyntaxError.Missing : EdifactSyntaxError.ControlCountDoesNotMatch,
          rule: 'UNT_SEGMENT_COUNT_MISMATCH',
          message: `UNT counts "${count}" segments, the message has ${message.segments.length} (UNH and UNT included)`,
          elementPosition: 1,
        }),
      );
    }
    this.emitMessage(events);
  }

  private onDataSegment(segment: Segment): void {
    const message = this.message;
    if (message === undefined) {
      if (this.interchange === undefined) this.openMessageOnly(segment);
      this.interchangeDiagnostic({
        severity: 'error',
        level: 'interchange',
        code: EdifactSyntaxError.InvalidOccurrenceOutsideMessage,
        rule: 'SEGMENT_OUTSIDE_MESSAGE',
        message: `segment ${segment.tag || '(empty)'} outside a message`,
        ...(segment.tag ? { segmentId: segment.tag } : {}),
        offset: segment.offset,
      });
      return;
    }
    message.segments.push(segment);
    const segmentPosition = message.segments.length;
    if (!/^[A-Z][A-Z0-9]{2}$/.test(segment.tag)) {
      message.diagnostics.push(
        this.inMessage({
          severity: 'error',
          level: 'segment',
          code: EdifactSyntaxError.InvalidValue,
          rule: 'SEGMENT_TAG_INVALID',
          message: `"${segment.tag}" is not a segment tag`,
          segmentId: segment.tag,
          segmentPosition,
          offset: segment.offset,
        }),
      );
      return;
    }
    if (this.checkSegments) {
      const { version, release } = message.identifier;
      for (const problem of checkEdifactSegment(segment, { segmentPosition, version, release })) {
        message.diagnostics.push(this.inMessage(problem));
      }
    }
  }

  /** A message without UNT is handed on (rejected) when the next envelope segment or the end arrives. */
  private closeOpenMessage(events: EdifactReadEvent[], interruptedBy: Segment | undefined): void {
    const message = this.message;
    if (message === undefined) return;
    message.diagnostics.push(
      this.inMessage({
        severity: 'error',
        level: 'transaction',
        code: EdifactSyntaxError.Missing,
        rule: 'UNT_MISSING',
        message: 'message trailer UNT is missing',
        segmentId: 'UNT',
        segmentPosition: message.segments.length + 1,
        ...(interruptedBy ? { offset: interruptedBy.offset } : {}),
      }),
    );
    this.emitMessage(events);
  }

  private emitMessage(events: EdifactReadEvent[]): void {
    const message = this.message;
    const interchange = this.requireInterchange();
    if (message === undefined) return;
    if (this.checkSegments) {
      for (const problem of checkEdifactMessageStructure(message.identifier.type, message.segments)) {
        message.diagnostics.push(this.inMessage(problem));
      }
    }
    this.message = undefined;
    const view = (status: EdifactStatus): EdifactMessage => ({
      interchange: interchange.header,
      ...(message.group ? { group: message.group } : {}),
      messageReference: message.reference,
      identifier: message.identifier,
      segments: message.segments,
      diagnostics: message.diagnostics,
      status,
    });
    if (this.inspect !== undefined) {
      try {
        message.diagnostics.push(
          ...this.inspect(view(hasError(message.diagnostics) ? 'rejected' : 'accepted')),
        );
      } catch (error) {
        message.diagnostics.push({
          severity: 'error',
          level: 'transaction',
          code: EdifactSyntaxError.UnspecifiedError,
          rule: 'INSPECT_FAILED',
          message: `message check failed: ${errorText(error)}`,
          transactionControlNumber: message.reference,
        });
      }
    }
    const status: EdifactStatus = hasError(message.diagnostics) ? 'rejected' : 'accepted';
    if (interchange.group !== undefined) interchange.group.messageCount++;
    interchange.messageCount++;
    // Bounded so a huge interchange keeps memory flat; rejected messages are always kept for CONTRL.
    if (status === 'rejected' || interchange.messages.length < this.messageSummaryLimit) {
      interchange.messages.push({
        messageReference: message.reference,
        identifier: message.identifier,
        ...(message.group ? { groupControlNumber: message.group.groupControlNumber } : {}),
        segmentCount: message.segments.length,
        diagnostics: message.diagnostics.length === 0 ? NO_DIAGNOSTICS : message.diagnostics,
        status,
      });
    }
    events.push({ type: 'message', message: view(status) });
  }

  // --- diagnostics -------------------------------------------------------------------------

  private requireInterchange(): OpenInterchange {
    if (this.interchange === undefined) this.openMessageOnly(undefined);
    return this.interchange as OpenInterchange;
  }

  private interchangeDiagnostic(diagnostic: DiagnosticInput): void {
    this.requireInterchange().diagnostics.push(this.inInterchange(diagnostic));
  }

  private inInterchange(diagnostic: DiagnosticInput): Diagnostic {
    const reference = this.interchange?.header.interchangeControlNumber;
    const group = this.interchange?.group?.header.groupControlNumber;
    return {
      ...(reference !== undefined ? { interchangeControlNumber: reference } : {}),
      ...(group !== undefined ? { groupControlNumber: group } : {}),
      ...diagnostic,
    };
  }

  private inMessage(diagnostic: DiagnosticInput): Diagnostic {
    const transactionControlNumber = this.message?.reference;
    return {
      ...this.inInterchange(diagnostic),
      ...(transactionControlNumber !== undefined ? { transactionControlNumber } : {}),
    };
  }
}
