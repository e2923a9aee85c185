/**
 * Types shared by the X12 and EDIFACT halves of the engine. Both tokenizers yield `Segment`s,
 * both validators yield `Diagnostic`s, and both hand on `TransactionUnit`s (an X12 transaction
 * set or an EDIFACT message) with the envelope they came in.
 */

export type EdiStandard = 'x12' | 'edifact';

export type Severity = 'error' | 'warning' | 'info';

/** Where in the input a diagnostic points; positions are 1-based like the ack segments that report them. */
export type DiagnosticLevel = 'interchange' | 'group' | 'transaction' | 'segment' | 'element';

export interface Diagnostic {
  readonly severity: Severity;
  readonly level: DiagnosticLevel;
  /** The standard's own code: TA105 note code, AK3-04/AK4-03/AK5/AK9 code, or EDIFACT 0085 syntax error code. */
  readonly code: string;
  /**
   * A 999's IK304/IK403 implementation code (005010X231: `I6` code value not used in the
   * implementation, ...) when the problem breaks an implementation rule rather than the standard;
   * the 999 writes it instead of `code`, a 997 (which has no implementation codes) writes `code`.
   */
  readonly implementationCode?: string;
  /** Stable machine-readable name of the problem, e.g. `ISA_IEA_CONTROL_MISMATCH`. */
  readonly rule: string;
  readonly message: string;
  readonly segmentId?: string;
  /** Position of the segment counted from the start of its transaction set / message (ST or UNH = 1). */
  readonly segmentPosition?: number;
  readonly elementPosition?: number;
  readonly componentPosition?: number;
  /**
   * The data element in error as it was received (its first component), for AK404/IK404 "copy of
   * bad data element"; absent when there is none (a missing element).
   */
  readonly badData?: string;
  /**
   * X12: the Loop Identifier Code of the loop the segment in error sits in (AK303/IK303), as the
   * standard's transaction set diagram names it; absent at the set's top level.
   */
  readonly loopId?: string;
  /** X12: the data element reference number of the element in error (AK402/IK402), e.g. 66 for N103. */
  readonly elementReference?: number;
  /**
   * For an error that a situational or conditional requirement raised (an X12 syntax note such as
   * P0304): where the data that made the requirement apply sits. A 999 reports it in a
   * `CTX*SITUATIONAL TRIGGER` segment; a 997 has no place for it.
   */
  readonly trigger?: DiagnosticTrigger;
  /** Byte offset of the segment in the input, for humans reading the raw file. */
  readonly offset?: number;
  /** DOCUMENTS_REJECTED: how many of the documents handed on just before it the rejection covers. */
  readonly documents?: number;
  readonly interchangeControlNumber?: string;
  readonly groupControlNumber?: string;
  readonly transactionControlNumber?: string;
}

/** The segment (and element) whose presence made a situational requirement apply. */
export interface DiagnosticTrigger {
  readonly segmentId: string;
  /** Counted like `Diagnostic.segmentPosition` (ST = 1). */
  readonly segmentPosition: number;
  /**
   * The Loop Identifier Code (data element 447) of the loop the trigger segment is in, as the
   * standard's transaction set diagram names it (`HL`, `0200`); absent at the set's top level.
   */
  readonly loopId?: string;
  readonly elementPosition?: number;
  readonly componentPosition?: number;
  /** The trigger element's data element reference number (e.g. 66 for N103), for CTX06. */
  readonly elementReference?: number;
}

export interface Delimiters {
  readonly element: string;
  readonly component: string;
  /** X12 4020+ ISA11, EDIFACT syntax 4 `*`; absent otherwise. */
  readonly repetition?: string;
  readonly segment: string;
  /** EDIFACT release character; X12 has none. */
  readonly release?: string;
  /** EDIFACT decimal mark. */
  readonly decimal?: string;
}

export interface Segment {
  readonly tag: string;
  /**
   * Data elements after the tag, 1-based in the standards' numbering: `elements[0]` is element 01.
   * Each element is its list of components (one entry for a simple element). Repetitions of an
   * element, where the syntax has them, are in `repetitions`.
   */
  readonly elements: readonly (readonly string[])[];
  /** Keyed by the 1-based element position; holds every repetition, the first also being in `elements`. */
  readonly repetitions?: ReadonlyMap<number, readonly (readonly string[])[]>;
  /** Byte offset of the segment's first character in the input. */
  readonly offset: number;
  /** 1-based index of the segment in the whole input stream. */
  readonly index: number;
}
