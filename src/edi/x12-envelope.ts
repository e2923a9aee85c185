/**
 * X12 envelope types: what the envelope reader hands on with each transaction set, and the
 * per-group / per-interchange summaries acknowledgements are built from.
 */
import type { Delimiters, Diagnostic, Segment } from './edi-types.js';

export interface X12InterchangeHeader {
  readonly authorizationQualifier: string;
  readonly securityQualifier: string;
  readonly senderQualifier: string;
  readonly senderId: string;
  readonly receiverQualifier: string;
  readonly receiverId: string;
  /** ISA09 YYMMDD and ISA10 HHMM as sent. */
  readonly date: string;
  readonly time: string;
  /** ISA11 as sent: the standards id (`U`) before 4020, the repetition separator after. */
  readonly isa11: string;
  readonly version: string;
  readonly controlNumber: string;
  readonly acknowledgmentRequested: boolean;
  /** ISA15: `T` test, `P` production, `I` information. */
  readonly usage: string;
  readonly delimiters: Delimiters;
  readonly fixedWidth: boolean;
  readonly offset: number;
}

export interface X12GroupHeader {
  readonly functionalId: string;
  readonly senderCode: string;
  readonly receiverCode: string;
  readonly date: string;
  readonly time: string;
  readonly controlNumber: string;
  readonly agency: string;
  /** GS08, e.g. 004010 or 005010X222A1; acks echo it. */
  readonly version: string;
}

export interface X12TransactionSet {
  readonly interchange: X12InterchangeHeader;
  readonly group: X12GroupHeader;
  /** ST01 */
  readonly setId: string;
  /** ST02 */
  readonly controlNumber: string;
  /** ST03 (5010 implementation convention reference). */
  readonly implementationRef?: string;
  /** ST … SE inclusive (SE absent when the trailer is missing). */
  readonly segments: readonly Segment[];
  /** Envelope problems of this set (ST/SE mismatch, count, missing trailer). */
  readonly diagnostics: readonly Diagnostic[];
}

export type SetStatus = 'A' | 'E' | 'R';

export interface X12SetResult {
  readonly setId: string;
  readonly controlNumber: string;
  readonly implementationRef?: string;
  readonly status: SetStatus;
  /**
   * The set's business identifier (BSN02, B302, B1001), so a 999 can name the shipment or invoice
   * in error with a CTX business-unit segment. Kept only for sets with errors: memory stays flat.
   */
  readonly businessId?: { readonly element: string; readonly value: string };
  /** Envelope and content diagnostics of the set, the ack's AK3/AK4/AK5 source. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface X12GroupSummary {
  readonly interchange: X12InterchangeHeader;
  readonly header: X12GroupHeader;
  readonly sets: readonly X12SetResult[];
  /** Number of ST segments seen. */
  readonly setsReceived: number;
  /** Sets not rejected (AK904), counted as they closed: reading it does not unpack `sets`. */
  readonly accepted: number;
  readonly declaredSetCount?: number;
  /** GS/GE problems (AK9 codes). */
  readonly diagnostics: readonly Diagnostic[];
  /** AK9-01: A, E, P or R. */
  readonly status: 'A' | 'E' | 'P' | 'R';
}

export interface X12InterchangeSummary {
  readonly header: X12InterchangeHeader;
  readonly groupCount: number;
  /** ISA/IEA problems (TA105 note codes). */
  readonly diagnostics: readonly Diagnostic[];
  /** The interchange could not be processed: its content was skipped and a TA1 R is due. */
  readonly rejected: boolean;
  /** The input was not UTF-8 and was read as Windows-1252 (one byte per character): acks answer in it. */
  readonly windows1252?: true;
}

export type X12EnvelopeEvent =
  | { readonly type: 'interchange-start'; readonly interchange: X12InterchangeHeader }
  | { readonly type: 'transaction'; readonly set: X12TransactionSet }
  | { readonly type: 'group-end'; readonly group: X12GroupSummary }
  | { readonly type: 'interchange-end'; readonly interchange: X12InterchangeSummary }
  /** An interchange acknowledgment (TA1) received: it sits outside GS/GE. */
  | { readonly type: 'ta1'; readonly interchange: X12InterchangeHeader; readonly segment: Segment }
  | { readonly type: 'diagnostic'; readonly diagnostic: Diagnostic };
