/**
 * Groups X12 segments into transaction sets with their envelope (ISA/GS) and hands them on one at a
 * time, so memory holds one set, never the file. Checks the envelope as it goes (EDI-RULES.md:
 * control numbers, counts, dates, times, qualifiers, usage indicator) and keeps per-group results
 * for the 997/999 and per-interchange results for the TA1.
 */
import { errorText, interchangeError } from './edi-diagnostic.js';
import type { Diagnostic, Segment } from './edi-types.js';
import type {
  SetStatus,
  X12EnvelopeEvent,
  X12GroupHeader,
  X12InterchangeHeader,
  X12SetResult,
  X12TransactionSet,
} from './x12-envelope.js';
import {
  checkGroupHeader,
  checkInterchangeHeader,
  ackVersion,
  duplicateGroupControlCode,
  duplicateSetControlCode,
  setBelongsToGroup,
} from './x12-envelope-checks.js';
import { elementText, X12Segment } from './x12-segment.js';
import { internSetId, NO_DIAGNOSTICS, SetResultLog } from './x12-set-results.js';
import { StreamDecoder, X12Tokenizer, type X12Token } from './x12-tokenizer.js';

export interface X12ReadOptions {
  /** Accept a trimmed (not fixed-width) ISA with a warning instead of rejecting it with TA1 024. */
  readonly lenientIsa?: boolean;
  /**
   * Called with each complete set before it is handed on; its diagnostics (schema, map) count
   * towards the set's AK5 status. Must not throw (exceptions are turned into a diagnostic).
   */
  readonly inspect?: (set: X12TransactionSet) => readonly Diagnostic[];
  /**
   * The input is a share of a longer one (parallel-translate.ts): its first byte's offset and the
   * segments before it, so offsets and segment indexes read as in the whole; `segments` is set
   * to the count at the end.
   */
  readonly origin?: X12InputOrigin;
}

export interface X12InputOrigin {
  readonly offset: number;
  readonly index: number;
  segments?: number;
  /** Interchange keys (sender and ISA13) read before the share, oldest first: a repeat is TA1 025. */
  readonly earlierInterchanges?: readonly string[];
  /** When given, the interchange keys the share reads are added to it, in order (worker runs). */
  readonly interchanges?: string[];
}

/** Event plus a way for the consumer to add diagnostics to the set before asking for the next event. */
export type X12ReaderEvent = X12EnvelopeEvent;

const el = (seg: Segment, n: number): string => elementText(seg, n - 1);

/** Tags the envelope state machine acts on; any other segment inside a set just joins it. */
const ENVELOPE_TAGS: ReadonlySet<string> = new Set(['ISA', 'IEA', 'TA1', 'GS', 'GE', 'ST', 'SE']);

/** Where each set type carries the identifier a person would search for. */
const BUSINESS_ID: Readonly<Record<string, number>> = { BSN: 2, B3: 2, B10: 1 };

function businessIdOf(first: Segment | undefined): { element: string; value: string } | undefined {
  const at = first ? BUSINESS_ID[first.tag] : undefined;
  if (!first || at === undefined) return undefined;
  const value = el(first, at).trim();
  return value ? { element: `${first.tag}${String(at).padStart(2, '0')}`, value } : undefined;
}

interface OpenSet {
  readonly setId: string;
  readonly controlNumber: string;
  readonly implementationRef?: string;
  /** Segments so far, ST included: the first `count` entries of the state's `scratch`. */
  count: number;
}

interface OpenGroup {
  readonly header: X12GroupHeader;
  readonly sets: SetResultLog;
  readonly diagnostics: Diagnostic[];
  setsReceived: number;
}

interface OpenInterchange {
  readonly header: X12InterchangeHeader;
  readonly diagnostics: Diagnostic[];
  /** GS06s seen, for the uniqueness check (AK905 19). */
  readonly groupControlNumbers: Set<string>;
  groupCount: number;
  rejected: boolean;
}

function statusOf(diags: readonly Diagnostic[]): SetStatus {
  if (diags.some((d) => d.severity === 'error')) return 'R';
  if (diags.some((d) => d.severity === 'warning' && d.level !== 'transaction')) return 'E';
  return 'A';
}

/**
 * Input chunks are handed to the tokenizer in slices of this size. Its buffer string is alive at
 * every young-generation GC, and V8 grows the young generation by the bytes that survive them:
 * with whole 64 KB stream chunks that buffer was most of the survivors, and the young generation
 * of a 200 MB translation grew to 128 MB while ~20 MB were really live (bench/edi-throughput.ts).
 */
const SLICE_BYTES = 4 * 1024;

/**
 * Control numbers remembered for the uniqueness checks (ISA13 per sender in a file, GS06 in an
 * interchange): memory stays bounded on any input, and a file of thousands of interchanges is still
 * checked whole; past the cap the oldest are forgotten.
 */
const REMEMBERED_CONTROL_NUMBERS = 10_000;

/** Adds `key` to `seen` (dropping the oldest past the cap); false when it was already there. */
export function rememberUnique(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  if (seen.size >= REMEMBERED_CONTROL_NUMBERS) seen.delete(seen.values().next().value!);
  seen.add(key);
  return true;
}

/** What makes an interchange unique in a file: its sender and ISA13. */
const interchangeKey = (h: X12InterchangeHeader): string =>
  `${h.senderQualifier}:${h.senderId}:${h.controlNumber}`;

export async function* readX12(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: X12ReadOptions = {},
): AsyncGenerator<X12ReaderEvent> {
  const tokenizer = new X12Tokenizer(options.origin);
  const decoder = new StreamDecoder();
  const state = new EnvelopeState(options);
  // An interchange read (to its end) as Windows-1252 says so: its acks answer in those bytes.
  const out = (): X12ReaderEvent[] => {
    const events = state.out.splice(0);
    if (!decoder.singleByte) return events;
    return events.map((ev) =>
      ev.type === 'interchange-end' ? { ...ev, interchange: { ...ev.interchange, windows1252: true } } : ev,
    );
  };
  const pump = function* (final: boolean): Generator<X12ReaderEvent> {
    for (let tok = tokenizer.pull(final); tok; tok = tokenizer.pull(final)) {
      if (tok instanceof X12Segment) state.segment(tok);
      else state.consume(tok);
      if (state.out.length > 0) yield* out();
    }
  };
  try {
    for await (const chunk of input) {
      if (typeof chunk === 'string' || chunk.length <= SLICE_BYTES) {
        tokenizer.append(decoder.write(chunk), decoder.lastWasAscii, decoder.singleByte);
        yield* pump(false);
        continue;
      }
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
        tokenizer.append(
          decoder.write(chunk.subarray(at, at + SLICE_BYTES)),
          decoder.lastWasAscii,
          decoder.singleByte,
        );
        yield* pump(false);
      }
    }
    tokenizer.append(decoder.end());
    yield* pump(true);
  } catch (err) {
    // An unreadable stream (EIO, bad encoding) is a diagnostic, not a crash.
    yield {
      type: 'diagnostic',
      diagnostic: interchangeError('INPUT_UNREADABLE', `input could not be read: ${errorText(err)}`),
    };
  }
  state.finish();
  if (options.origin) options.origin.segments = tokenizer.segmentCount;
  yield* out();
}

/** The envelope state machine, synchronous so that tests and benches can drive it directly. */
export class EnvelopeState {
  private ic: OpenInterchange | undefined;
  private group: OpenGroup | undefined;
  private set: OpenSet | undefined;
  /**
   * The open set's segments, reused set after set: an array grown by push allocates about twice
   * its final size on the way, and each set gets its own exact-size copy when it closes.
   */
  private readonly scratch: (Segment | undefined)[] = [];
  private skipping = false;
  /** Sender and ISA13 of the interchanges read so far (a repeat is TA1 025). */
  private readonly interchangeKeys: Set<string>;

  constructor(private readonly options: X12ReadOptions) {
    this.interchangeKeys = new Set(options.origin?.earlierInterchanges);
  }

  /** Events produced so far; the caller empties it. */
  readonly out: X12ReaderEvent[] = [];

  consume(tok: X12Token): void {
    {
      if (tok.type === 'diagnostic') {
        if (this.ic) this.ic.diagnostics.push(tok.diagnostic);
        else this.out.push({ type: 'diagnostic', diagnostic: tok.diagnostic });
        return;
      }
      if (tok.type === 'isa') {
        this.closeInterchange(true);
        this.openInterchange(tok.segment, tok.isa.fixedWidth, tok.isa.delimiters);
        return;
      }
      this.segment(tok.segment);
    }
  }

  finish(): void {
    this.closeInterchange(true);
  }

  private openInterchange(
    seg: Segment,
    fixedWidth: boolean,
    delimiters: X12InterchangeHeader['delimiters'],
  ): void {
    const header: X12InterchangeHeader = {
      authorizationQualifier: el(seg, 1),
      securityQualifier: el(seg, 3),
      senderQualifier: el(seg, 5).trim(),
      senderId: el(seg, 6).trim(),
      receiverQualifier: el(seg, 7).trim(),
      receiverId: el(seg, 8).trim(),
      date: el(seg, 9).trim(),
      time: el(seg, 10).trim(),
      isa11: el(seg, 11),
      version: el(seg, 12).trim(),
      controlNumber: el(seg, 13).trim(),
      acknowledgmentRequested: el(seg, 14).trim() === '1',
      usage: el(seg, 15).trim(),
      delimiters,
      fixedWidth,
      offset: seg.offset,
    };
    const diagnostics = checkInterchangeHeader(seg, header, this.options.lenientIsa ?? false);
    const key = interchangeKey(header);
    this.options.origin?.interchanges?.push(key);
    if (!rememberUnique(this.interchangeKeys, key)) {
      diagnostics.push({
        severity: 'error',
        level: 'interchange',
        code: '025',
        rule: 'ISA_CONTROL_DUPLICATE',
        message: `ISA13 "${header.controlNumber}" from ${header.senderQualifier}:${header.senderId} repeats an earlier interchange of this input`,
        segmentId: 'ISA',
        elementPosition: 13,
        offset: seg.offset,
        interchangeControlNumber: header.controlNumber,
      });
    }
    const rejected = diagnostics.some((d) => d.severity === 'error');
    this.ic = { header, diagnostics, groupControlNumbers: new Set(), groupCount: 0, rejected };
    this.skipping = rejected;
    this.out.push({ type: 'interchange-start', interchange: header });
  }

  private closeInterchange(missingTrailer: boolean, iea?: Segment): void {
    const ic = this.ic;
    if (!ic) return;
    this.closeGroup(true);
    const ctl = { interchangeControlNumber: ic.header.controlNumber };
    if (missingTrailer) {
      ic.diagnostics.push({
        severity: 'error',
        level: 'interchange',
        code: '023',
        rule: 'IEA_MISSING',
        message: `interchange ${ic.header.controlNumber} has no IEA trailer`,
        ...ctl,
      });
    } else if (iea) {
      const ieaControl = el(iea, 2).trim();
      if (ieaControl !== ic.header.controlNumber) {
        ic.diagnostics.push({
          severity: 'error',
          level: 'interchange',
          code: '001',
          rule: 'ISA_IEA_CONTROL_MISMATCH',
          message: `IEA02 "${ieaControl}" does not match ISA13 "${ic.header.controlNumber}"`,
          segmentId: 'IEA',
          elementPosition: 2,
          offset: iea.offset,
          ...ctl,
        });
      }
      const declared = el(iea, 1).trim();
      if (!this.skipping && declared !== String(ic.groupCount)) {
        ic.diagnostics.push({
          severity: 'error',
          level: 'interchange',
          code: '021',
          rule: 'IEA_GROUP_COUNT',
          message: `IEA01 says ${declared} groups, ${ic.groupCount} found`,
          segmentId: 'IEA',
          elementPosition: 1,
          offset: iea.offset,
          ...ctl,
        });
      }
    }
    this.ic = undefined;
    this.skipping = false;
    this.out.push({
      type: 'interchange-end',
      interchange: {
        header: ic.header,
        groupCount: ic.groupCount,
        diagnostics: ic.diagnostics,
        rejected: ic.rejected || ic.diagnostics.some((d) => d.severity === 'error' && d.code !== '000'),
      },
    });
  }

  /** A segment token's segment (what `consume` does with it, without the token). */
  segment(seg: Segment): void {
    const ic = this.ic;
    if (!ic) {
      this.out.push({
        type: 'diagnostic',
        diagnostic: {
          severity: 'error',
          level: 'interchange',
          code: '024',
          rule: 'SEGMENT_OUTSIDE_INTERCHANGE',
          message: `${seg.tag} segment outside any ISA/IEA`,
          segmentId: seg.tag,
          offset: seg.offset,
        },
      });
      return;
    }
    if (seg.tag === 'IEA') {
      this.closeGroup(true);
      this.closeInterchange(false, seg);
      return;
    }
    if (this.skipping) return;
    if (this.set !== undefined && !ENVELOPE_TAGS.has(seg.tag)) {
      // The common case: a body segment of an open set.
      this.scratch[this.set.count++] = seg;
      return;
    }
    const ctl = { interchangeControlNumber: ic.header.controlNumber };
    switch (seg.tag) {
      case 'TA1':
        if (!this.group) {
          this.out.push({ type: 'ta1', interchange: ic.header, segment: seg });
          return;
        }
        break;
      case 'GS': {
        this.closeGroup(true);
        const header: X12GroupHeader = {
          functionalId: el(seg, 1).trim(),
          senderCode: el(seg, 2).trim(),
          receiverCode: el(seg, 3).trim(),
          date: el(seg, 4).trim(),
          time: el(seg, 5).trim(),
          controlNumber: el(seg, 6).trim(),
          agency: el(seg, 7).trim(),
          version: el(seg, 8).trim(),
        };
        ic.groupCount += 1;
        const diagnostics = checkGroupHeader(seg, header, ic.header);
        if (!rememberUnique(ic.groupControlNumbers, header.controlNumber)) {
          diagnostics.push({
            severity: 'error',
            level: 'group',
            code: duplicateGroupControlCode(ackVersion(header.version, ic.header.version)),
            rule: 'GS_CONTROL_DUPLICATE',
            message: `GS06 "${header.controlNumber}" is not unique in interchange ${ic.header.controlNumber}`,
            segmentId: 'GS',
            elementPosition: 6,
            offset: seg.offset,
            ...ctl,
            groupControlNumber: header.controlNumber,
          });
        }
        this.group = { header, sets: new SetResultLog(), diagnostics, setsReceived: 0 };
        return;
      }
      case 'GE': {
        const g = this.group;
        if (!g) {
          ic.diagnostics.push({
            severity: 'error',
            level: 'interchange',
            code: '024',
            rule: 'GE_WITHOUT_GS',
            message: 'GE without GS',
            segmentId: 'GE',
            offset: seg.offset,
            ...ctl,
          });
          return;
        }
        this.closeSet(true);
        const gctl = { ...ctl, groupControlNumber: g.header.controlNumber };
        const geControl = el(seg, 2).trim();
        if (geControl !== g.header.controlNumber) {
          g.diagnostics.push({
            severity: 'error',
            level: 'group',
            code: '4',
            rule: 'GS_GE_CONTROL_MISMATCH',
            message: `GE02 "${geControl}" does not match GS06 "${g.header.controlNumber}"`,
            segmentId: 'GE',
            elementPosition: 2,
            offset: seg.offset,
            ...gctl,
          });
        }
        const declared = el(seg, 1).trim();
        if (declared !== String(g.setsReceived)) {
          g.diagnostics.push({
            severity: 'error',
            level: 'group',
            code: '5',
            rule: 'GE_SET_COUNT',
            message: `GE01 says ${declared} transaction sets, ${g.setsReceived} found`,
            segmentId: 'GE',
            elementPosition: 1,
            offset: seg.offset,
            ...gctl,
          });
        }
        this.closeGroup(false, declared);
        return;
      }
      case 'ST': {
        const g = this.group;
        if (!g) {
          ic.diagnostics.push({
            severity: 'error',
            level: 'interchange',
            code: '024',
            rule: 'ST_WITHOUT_GS',
            message: 'ST outside a functional group',
            segmentId: 'ST',
            offset: seg.offset,
            ...ctl,
          });
          return;
        }
        this.closeSet(true);
        g.setsReceived += 1;
        const ref = el(seg, 3).trim();
        this.set = {
          setId: internSetId(el(seg, 1).trim()),
          controlNumber: el(seg, 2).trim(),
          ...(ref ? { implementationRef: ref } : {}),
          count: 1,
        };
        this.scratch[0] = seg;
        return;
      }
      case 'SE': {
        if (!this.set) {
          // Unexpected segment (AK304 2) where no set can carry an AK3, and 716 has no AK905 for
          // it: ignored with a warning, the group accepted with errors noted (AK9 E), not rejected
          // for a reason the partner cannot be told. Outside a group it is an interchange error.
          (this.group?.diagnostics ?? ic.diagnostics).push({
            severity: this.group ? 'warning' : 'error',
            level: 'segment',
            code: '2',
            rule: 'SE_WITHOUT_ST',
            message: 'SE without ST',
            segmentId: 'SE',
            offset: seg.offset,
            ...ctl,
          });
          return;
        }
        this.scratch[this.set.count++] = seg;
        this.closeSet(false);
        return;
      }
    }
    {
      if (this.set) this.scratch[this.set.count++] = seg;
      else if (this.group) {
        // Unexpected segment, ignored with a warning (as SE without ST).
        this.group.diagnostics.push({
          severity: 'warning',
          level: 'segment',
          code: '2',
          rule: 'SEGMENT_OUTSIDE_SET',
          message: `${seg.tag} outside ST/SE: ignored`,
          segmentId: seg.tag,
          offset: seg.offset,
          ...ctl,
          groupControlNumber: this.group.header.controlNumber,
        });
      } else {
        ic.diagnostics.push({
          severity: 'error',
          level: 'interchange',
          code: '024',
          rule: 'SEGMENT_OUTSIDE_GROUP',
          message: `${seg.tag} outside GS/GE`,
          segmentId: seg.tag,
          offset: seg.offset,
          ...ctl,
        });
      }
    }
  }

  private closeSet(missingTrailer: boolean): void {
    const s = this.set;
    const g = this.group;
    const ic = this.ic;
    if (!s || !g || !ic) return;
    this.set = undefined;
    // The set's own array, of its exact size; the scratch lets go of the segments.
    const segments = this.scratch.slice(0, s.count) as Segment[];
    this.scratch.fill(undefined, 0, s.count);
    const ctl = {
      interchangeControlNumber: ic.header.controlNumber,
      groupControlNumber: g.header.controlNumber,
      transactionControlNumber: s.controlNumber,
    };
    const diags: Diagnostic[] = [];
    const st = segments[0]!;
    if (!/^\d{4,9}$/.test(s.controlNumber)) {
      diags.push({
        severity: 'error',
        level: 'transaction',
        code: '7',
        rule: 'ST_CONTROL_INVALID',
        message: `ST02 "${s.controlNumber}" is not a 4–9 digit control number`,
        segmentId: 'ST',
        segmentPosition: 1,
        elementPosition: 2,
        offset: st.offset,
        ...ctl,
      });
    } else if (g.sets.hasControlNumber(s.controlNumber)) {
      diags.push({
        severity: 'error',
        level: 'transaction',
        code: duplicateSetControlCode(ackVersion(g.header.version, ic.header.version)),
        rule: 'ST_CONTROL_DUPLICATE',
        message: `ST02 "${s.controlNumber}" is not unique in group ${g.header.controlNumber}`,
        segmentId: 'ST',
        segmentPosition: 1,
        elementPosition: 2,
        offset: st.offset,
        ...ctl,
      });
    }
    g.sets.noteControlNumber(s.controlNumber);
    if (!/^\d{3}$/.test(s.setId)) {
      diags.push({
        severity: 'error',
        level: 'transaction',
        code: '6',
        rule: 'ST_SET_ID_INVALID',
        message: `ST01 "${s.setId}" is not a transaction set id`,
        segmentId: 'ST',
        segmentPosition: 1,
        elementPosition: 1,
        offset: st.offset,
        ...ctl,
      });
    } else if (!setBelongsToGroup(g.header.functionalId, s.setId)) {
      // AK5 6 (invalid transaction set identifier): the id is one, but not of this group's GS01.
      diags.push({
        severity: 'error',
        level: 'transaction',
        code: '6',
        rule: 'ST_SET_ID_NOT_IN_GROUP',
        message: `ST01 "${s.setId}" does not belong in a functional group ${g.header.functionalId}`,
        segmentId: 'ST',
        segmentPosition: 1,
        elementPosition: 1,
        offset: st.offset,
        ...ctl,
      });
    }
    if (missingTrailer) {
      diags.push({
        severity: 'error',
        level: 'transaction',
        code: '2',
        rule: 'SE_MISSING',
        message: `transaction set ${s.controlNumber} has no SE trailer`,
        ...ctl,
      });
    } else {
      const se = segments[segments.length - 1]!;
      const seControl = el(se, 2).trim();
      if (seControl !== s.controlNumber) {
        diags.push({
          severity: 'error',
          level: 'transaction',
          code: '3',
          rule: 'ST_SE_CONTROL_MISMATCH',
          message: `SE02 "${seControl}" does not match ST02 "${s.controlNumber}"`,
          segmentId: 'SE',
          segmentPosition: segments.length,
          elementPosition: 2,
          offset: se.offset,
          ...ctl,
        });
      }
      const declared = el(se, 1).trim();
      if (declared !== String(segments.length)) {
        diags.push({
          severity: 'error',
          level: 'transaction',
          code: '4',
          rule: 'SE_SEGMENT_COUNT',
          message: `SE01 says ${declared} segments, ${segments.length} found`,
          segmentId: 'SE',
          segmentPosition: segments.length,
          elementPosition: 1,
          offset: se.offset,
          ...ctl,
        });
      }
    }
    const set: X12TransactionSet = {
      interchange: ic.header,
      group: g.header,
      setId: s.setId,
      controlNumber: s.controlNumber,
      ...(s.implementationRef ? { implementationRef: s.implementationRef } : {}),
      segments,
      diagnostics: diags,
    };
    const all: Diagnostic[] = [...diags];
    if (this.options.inspect) {
      try {
        all.push(...this.options.inspect(set));
      } catch (err) {
        all.push({
          severity: 'error',
          level: 'transaction',
          code: '5',
          rule: 'INSPECTION_FAILED',
          message: `set inspection failed: ${errorText(err)}`,
          ...ctl,
        });
      }
    }
    const status = statusOf(all);
    const businessId = status === 'A' ? undefined : businessIdOf(segments[1]);
    // Each result lives until its interchange ends, across young-generation GCs: the log packs an
    // accepted set's outside the heap (x12-set-results.ts).
    g.sets.add({
      setId: s.setId,
      controlNumber: s.controlNumber,
      ...(s.implementationRef ? { implementationRef: s.implementationRef } : {}),
      status,
      ...(businessId ? { businessId } : {}),
      diagnostics: all.length === 0 ? NO_DIAGNOSTICS : all,
    });
    this.out.push({ type: 'transaction', set });
  }

  private closeGroup(missingTrailer: boolean, declared?: string): void {
    const g = this.group;
    const ic = this.ic;
    if (!g || !ic) return;
    this.closeSet(true);
    this.group = undefined;
    if (missingTrailer) {
      g.diagnostics.push({
        severity: 'error',
        level: 'group',
        code: '3',
        rule: 'GE_MISSING',
        message: `functional group ${g.header.controlNumber} has no GE trailer`,
        interchangeControlNumber: ic.header.controlNumber,
        groupControlNumber: g.header.controlNumber,
      });
    }
    const groupError = g.diagnostics.some((d) => d.severity === 'error');
    const groupWarning = g.diagnostics.some((d) => d.severity === 'warning');
    const log = g.sets;
    const accepted = log.acceptedCount;
    const status = groupError
      ? 'R'
      : accepted === log.length
        ? log.anyWarnings || groupWarning
          ? 'E'
          : 'A'
        : accepted === 0
          ? 'R'
          : 'P';
    this.out.push({
      type: 'group-end',
      group: {
        interchange: ic.header,
        header: g.header,
        get sets(): readonly X12SetResult[] {
          // Unpacked when the acks or the interchange summary read it, then kept.
          const sets = log.results();
          Object.defineProperty(this, 'sets', { value: sets, enumerable: true });
          return sets;
        },
        setsReceived: g.setsReceived,
        // A rejected group is not processed: none of its sets counts as accepted (AK904 0).
        accepted: status === 'R' ? 0 : accepted,
        ...(declared !== undefined && /^\d+$/.test(declared) ? { declaredSetCount: Number(declared) } : {}),
        diagnostics: g.diagnostics,
        status,
      },
    });
  }
}
