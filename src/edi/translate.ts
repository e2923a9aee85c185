/**
 * The library entry for callers (CLI, channels, benches): bytes in, canonical documents, diagnostics
 * and acknowledgements out, streamed one transaction set / message at a time. X12 or EDIFACT is
 * detected from the first non-blank bytes. Nothing here throws on bad input: problems are events.
 */
import { Readable } from 'node:stream';
import { validateCanonical } from '../canonical/canonical-validator.js';
import { generateContrl, parseContrl } from './contrl.js';
import { errorText, interchangeError } from './edi-diagnostic.js';
import type { Diagnostic, EdiStandard } from './edi-types.js';
import {
  readEdifact,
  type EdifactInterchange,
  type EdifactMessage,
  type EdifactReadEvent,
} from './edifact-reader.js';
import { locateEdifactCanonicalError } from './edifact-canonical-locate.js';
import { EdifactSyntaxError, edifactMapDiagnostic } from './edifact-syntax-errors.js';
import type { LoadedMap, LoopRule, Rule } from './map-definition.js';
import { declaresVersion, findMap, loadMaps, type MapSet } from './map-loader.js';
import { mapInbound } from './map-inbound.js';
import { isObject, type JsonObject } from './map-paths.js';
import { readFunctionalAck, readTa1 } from './x12-ack-reader.js';
import { writeX12Acks } from './x12-ack-writer.js';
import type {
  X12GroupSummary,
  X12InterchangeHeader,
  X12InterchangeSummary,
  X12TransactionSet,
} from './x12-envelope.js';
import { readX12, type X12InputOrigin, type X12ReaderEvent } from './x12-envelope-reader.js';
import { locateInSet, loopIdForSegment, validateSet, type SetSchema } from './x12-set-schema.js';
import { locateCanonicalError } from './x12-canonical-locate.js';
import { x12SetSchema } from './x12-set-schemas.js';
import { sequentialControlNumbers, type ControlNumberGenerator } from './x12-writer.js';

export type EdiInput =
  | AsyncIterable<Buffer | Uint8Array | string>
  | Iterable<Buffer | Uint8Array | string>
  | Readable
  | Buffer
  | string;

export interface TranslateOptions {
  /** Applies edi-maps/partners/<partnerId>/ overrides and time zone; also the documents' partnerId (default: the sender id). */
  readonly partnerId?: string;
  readonly tenantId?: string;
  /** IANA zone for EDI dates without a time code; wins over the partner file. */
  readonly timeZone?: string;
  readonly mapsDir?: string;
  /** Accept trimmed ISAs with a warning instead of TA1 024. */
  readonly lenientIsa?: boolean;
  /** Emit `ack` events (997/999/TA1 or CONTRL) after each interchange. */
  readonly acks?: boolean;
  readonly controlNumbers?: ControlNumberGenerator;
  readonly channel?: 'rest' | 'as2' | 'sftp' | 'odoo' | 'cli';
  readonly messageId?: string;
  readonly correlationId?: string;
  /** Clock for createdAt and ack dates (tests pin it). */
  readonly now?: () => Date;
  /**
   * A fixed createdAt and ack date (ISO 8601 instant): a pinned clock as data, which, unlike
   * `now`, can be handed to worker threads (parallel-translate.ts). `now` wins when both are set.
   */
  readonly fixedNow?: string;
}

/**
 * A share of a longer input translated on its own (parallel-translate.ts): its byte offset and the
 * segments before it, whether it is the start of the input (only then are map load problems
 * reported), and what the translation reports back: its segment count, and whether an output
 * depends on the segment index (a received TA1's document id).
 */
export interface InputPart {
  readonly offset: number;
  readonly index: number;
  readonly first: boolean;
  /** X12: the interchange keys read before the share, and where to add those it reads (X12InputOrigin). */
  readonly earlierInterchanges?: readonly string[];
  readonly interchanges?: string[];
  segments?: number;
  usesIndex?: boolean;
}

const clock = (options: TranslateOptions): Date =>
  options.now?.() ?? (options.fixedNow !== undefined ? new Date(options.fixedNow) : new Date());

let systemMs = Number.NaN;
let systemIso = '';

/** createdAt: the clock's instant as toISOString writes it, the system clock's reused within its millisecond. */
function createdAtOf(options: TranslateOptions): string {
  if (options.now || options.fixedNow !== undefined) return clock(options).toISOString();
  const ms = Date.now();
  if (ms !== systemMs) {
    systemIso = new Date(ms).toISOString();
    systemMs = ms;
  }
  return systemIso;
}

export interface InterchangeInfo {
  readonly standard: EdiStandard;
  readonly controlNumber: string;
  readonly sender: string;
  readonly receiver: string;
  readonly version: string;
  readonly environment: 'test' | 'production';
  readonly status: 'accepted' | 'rejected';
  readonly groups: readonly {
    readonly functionalId: string;
    readonly controlNumber: string;
    readonly version: string;
    readonly status: string;
    readonly transactionSets: number;
    readonly accepted: number;
  }[];
}

export type TranslationEvent =
  | { readonly type: 'interchange'; readonly interchange: InterchangeInfo }
  | { readonly type: 'document'; readonly document: JsonObject }
  | { readonly type: 'diagnostic'; readonly diagnostic: Diagnostic }
  | {
      readonly type: 'ack';
      /** X12: one interchange holding the TA1 (when due) and a 997/999 per group; EDIFACT: a CONTRL. */
      readonly ack: {
        readonly format: 'X12' | 'CONTRL';
        readonly text: string;
        /** What to send: a CONTRL in the character set its UNB declares (UNOC is ISO 8859-1); X12 as UTF-8. */
        readonly bytes: Buffer;
      };
    };

/**
 * Which documents of a translation must not be processed: those whose interchange (TA1 R, UCI 4) or
 * functional group (AK9 R) was rejected, since the partner resends the whole of it. Documents are
 * handed on as their sets close, before the trailers that can reject them are read, so a caller
 * that holds the documents (the pipeline, the CLI's JSON) feeds it the events in order: a document
 * belongs to the interchange whose 'interchange' event comes next. By occurrence, not by control
 * number: two interchanges with one ISA13 (a repeat, or two senders) each keep their own fate. A
 * streaming caller sees a DOCUMENTS_REJECTED diagnostic after the documents instead.
 */
export class DocumentRejections {
  private pending: JsonObject[] = [];
  /** X12 groups rejected so far in the open interchange: their documents and GS06. */
  private rejectedGroups: { readonly documents: JsonObject[]; readonly controlNumber: string }[] = [];
  private readonly reasons = new Map<JsonObject, string>();

  observe(ev: TranslationEvent): void {
    if (ev.type === 'document') this.pending.push(ev.document);
    else if (ev.type === 'diagnostic') {
      // An X12 group's rejection follows its own documents at once: the last ones handed on, even
      // when another group of the interchange has the same GS06.
      const d = ev.diagnostic;
      if (d.rule !== 'DOCUMENTS_REJECTED' || d.documents === undefined || d.documents < 1) return;
      this.rejectedGroups.push({
        documents: this.pending.slice(-d.documents),
        controlNumber: d.groupControlNumber ?? '',
      });
    } else if (ev.type === 'interchange') {
      const ic = ev.interchange;
      const name = ic.controlNumber
        ? `interchange ${ic.controlNumber}`
        : 'the input without an interchange header';
      const groupReason = (controlNumber: string): string | undefined => {
        const g = ic.groups.find(
          (x) => x.controlNumber === controlNumber && (x.status === 'R' || x.status === 'rejected'),
        );
        return g && `functional group ${g.functionalId} ${g.controlNumber} of ${name} was rejected`;
      };
      for (const g of this.rejectedGroups) {
        const reason = groupReason(g.controlNumber);
        if (reason) for (const document of g.documents) this.reasons.set(document, reason);
      }
      for (const document of this.pending) {
        const source = isObject(document['source']) ? document['source'] : {};
        // EDIFACT groups are judged when their interchange ends: by group reference.
        const reason =
          ic.status === 'rejected'
            ? `${name} was rejected`
            : ic.standard === 'edifact'
              ? groupReason(String(source['groupControlNumber'] ?? ''))
              : undefined;
        if (reason) this.reasons.set(document, reason);
      }
      this.pending = [];
      this.rejectedGroups = [];
    }
  }

  /** Why `document` must not be processed, or undefined when it stands. */
  reasonFor(document: JsonObject): string | undefined {
    return this.reasons.get(document);
  }
}

/**
 * The diagnostic that follows documents already handed on when their group's or interchange's
 * trailer rejects them; its code is the rejection's own (AK905, TA105 or 0085). `adjacent`: it
 * comes right after those documents (an X12 group), so it carries their count for
 * DocumentRejections to take the last ones.
 */
function documentsRejected(
  level: 'interchange' | 'group',
  what: string,
  documents: number,
  cause: readonly Diagnostic[],
  ctl: Partial<Diagnostic>,
  adjacent = false,
): Diagnostic {
  const first = cause.find(isError);
  return {
    severity: 'error',
    level,
    code: first?.code ?? '',
    rule: 'DOCUMENTS_REJECTED',
    ...(adjacent ? { documents } : {}),
    message: `${what} was rejected${first ? ` (${first.rule})` : ''}: its ${documents} document(s) handed on before must not be processed; the partner is expected to resend it`,
    ...ctl,
  };
}

/** Any accepted input shape → an async iterable of byte chunks. */
export function toChunks(input: EdiInput): AsyncIterable<Buffer | Uint8Array | string> {
  if (typeof input === 'string' || Buffer.isBuffer(input)) return Readable.from([input]);
  if (input instanceof Readable) return input;
  if (Symbol.asyncIterator in input) return input;
  return Readable.from(input);
}

/** Reads until the first non-blank character to tell X12 from EDIFACT, then replays what it read. */
async function sniff(
  input: AsyncIterable<Buffer | Uint8Array | string>,
): Promise<{ kind: EdiStandard | 'unknown' | 'empty'; chunks: AsyncIterable<Buffer> }> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let text = '';
  let done = false;
  while (text.trimStart().length < 3) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b =
      typeof r.value === 'string'
        ? Buffer.from(r.value, 'utf8')
        : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    head.push(b);
    text += b.toString('latin1');
    if (text.length > 65_536) break;
  }
  const start = text.replace(/^[\s\ufeff\u00ef\u00bb\u00bf]+/, '').slice(0, 3);
  const kind =
    start === ''
      ? 'empty'
      : start === 'ISA'
        ? 'x12'
        : ['UNA', 'UNB', 'UNH'].includes(start)
          ? 'edifact'
          : 'unknown';
  async function* replay(): AsyncGenerator<Buffer> {
    for (const b of head) yield b;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield typeof r.value === 'string'
        ? Buffer.from(r.value, 'utf8')
        : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    }
  }
  return { kind, chunks: replay() };
}

interface Envelope {
  readonly standard: EdiStandard;
  readonly format: string;
  readonly environment: 'test' | 'production';
  readonly partnerId: string;
  readonly interchangeControlNumber?: string;
  readonly groupControlNumber?: string;
  readonly transactionControlNumber?: string;
  readonly baseId: string;
}

/** The `source` of a canonical document: optional control numbers between environment and messageId. */
function sourceOf(env: Envelope, options: TranslateOptions, messageId: string): JsonObject {
  const source: JsonObject = {
    channel: options.channel ?? 'cli',
    format: env.format,
    environment: env.environment,
  };
  if (env.interchangeControlNumber) source['interchangeControlNumber'] = env.interchangeControlNumber;
  if (env.groupControlNumber) source['groupControlNumber'] = env.groupControlNumber;
  if (env.transactionControlNumber) source['transactionControlNumber'] = env.transactionControlNumber;
  source['messageId'] = messageId;
  return source;
}

function finishDocuments(
  docs: readonly JsonObject[],
  env: Envelope,
  options: TranslateOptions,
  diagnostics: Diagnostic[],
  ctl: Partial<Diagnostic>,
  /**
   * Where in the input a canonical error comes from (X12: its segment and element, for the ack);
   * its `message` is added to the error's.
   */
  locate?: (pointer: string, message: string, docIndex: number) => Partial<Diagnostic> | undefined,
): JsonObject[] {
  const out: JsonObject[] = [];
  const createdAt = createdAtOf(options);
  const messageId =
    options.messageId ?? `${env.standard}-${env.partnerId}-${env.interchangeControlNumber ?? 'none'}`;
  for (let k = 0; k < docs.length; k++) {
    const raw = docs[k]!;
    // Envelope fields first, in the canonical order, so output reads (and diffs) the same every time.
    const doc: JsonObject = {
      documentType: raw['documentType'],
      schemaVersion: '1',
      id: docs.length > 1 ? `${env.baseId}-${k + 1}` : env.baseId,
      tenantId: options.tenantId ?? 'default',
      partnerId: env.partnerId,
      createdAt,
      source: sourceOf(env, options, messageId),
      correlationId: options.correlationId ?? messageId,
      references: Array.isArray(raw['references']) ? raw['references'] : [],
    };
    for (const key in raw) if (!(key in doc)) doc[key] = raw[key];
    const type = typeof doc['documentType'] === 'string' ? doc['documentType'] : '';
    const result = validateCanonical(type, doc);
    if (!result.valid) {
      for (const e of result.errors.slice(0, 20)) {
        const where = locate?.(e.pointer, e.message, k);
        diagnostics.push({
          severity: 'error',
          level: 'transaction',
          code: canonicalErrorCode(env.standard, e.message),
          rule: 'CANONICAL_SCHEMA',
          ...ctl,
          ...where,
          message: `${type}${e.pointer} ${e.message}${where?.message ?? ''}`,
        });
      }
      continue;
    }
    out.push(doc);
  }
  return out;
}

/**
 * The code of a canonical-schema error not located in the input, in the input's standard: X12
 * AK502 5 (one or more segments in error); EDIFACT 0085 13 (missing) for a field the model
 * requires, 12 (invalid value) for a value it refuses. An X12 code in an EDIFACT diagnostic would
 * reach the CONTRL meaning something else (0085 5 is not a syntax error code at all).
 */
function canonicalErrorCode(standard: Envelope['standard'], message: string): string {
  if (standard !== 'edifact') return '5';
  return message === 'is required' ? EdifactSyntaxError.Missing : EdifactSyntaxError.InvalidValue;
}

/* -------------------------------------------------------------------------------------------- */
/* X12                                                                                          */

const isError = (d: Diagnostic): boolean => d.severity === 'error';

/**
 * X12 versions 4010 through 5010 (4020, 4030, 4050, …) share the segments the maps read; a map for
 * 004010 and 005010 covers them. A group outside that range is translated with the map still, and
 * said so: its segments may mean other things.
 */
function x12VersionCovered(map: LoadedMap, version: string): boolean {
  if (declaresVersion(map, version)) return true;
  const n = Number(version.slice(0, 6));
  return n >= 4010 && n <= 5010;
}

/** A warning that `map` was made for other versions than the input's (`what`). */
function mapVersionFallback(map: LoadedMap, what: string, ctl: Partial<Diagnostic>): Diagnostic {
  return {
    severity: 'warning',
    level: 'transaction',
    code: '',
    rule: 'MAP_VERSION_FALLBACK',
    message: `no map is made for ${what}: translated with ${map.definition.name}, made for ${(map.definition.versions ?? []).join(', ')}; check the result`,
    ...ctl,
  };
}

function x12Environment(h: X12InterchangeHeader): 'test' | 'production' {
  return h.usage === 'P' ? 'production' : 'test';
}

/** A set's map, and whether it is made for the set's version (else MAP_VERSION_FALLBACK). */
interface X12MapChoice {
  readonly map: LoadedMap | undefined;
  readonly covered: boolean;
}

/** findMap for one translation's maps, remembered per set id and version (sets repeat them). */
function x12MapFinder(maps: MapSet): (setId: string, version: string) => X12MapChoice {
  const found = new Map<string, Map<string, X12MapChoice>>();
  return (setId, version) => {
    let byVersion = found.get(setId);
    if (!byVersion) found.set(setId, (byVersion = new Map()));
    let choice = byVersion.get(version);
    if (!choice) {
      const map = findMap(maps, 'x12', setId, version);
      choice = { map, covered: !map || x12VersionCovered(map, version) };
      byVersion.set(version, choice);
    }
    return choice;
  };
}

/**
 * For a split map that made no document: the segment (`onlyWith`) each pass of the loop making its
 * items lacked (a 214 LX without AT7, which the map left out with a SEGMENT_NOT_KEPT warning), as a
 * missing segment where it belongs, right after the loop's opening segment, in its own loop (AT7: 0205).
 * AK304 3 "required segment missing"; in a 999 IK304 I6 "implementation dependent segment missing",
 * the standard making the segment optional and this implementation needing it.
 */
function missingStatusSegments(
  map: LoadedMap,
  schema: SetSchema | undefined,
  mapped: readonly Diagnostic[],
  ctl: Partial<Diagnostic>,
): Diagnostic[] {
  const split = map.definition.split;
  if (split === undefined) return [];
  const loops: LoopRule[] = [];
  const visit = (rules: readonly Rule[]): void => {
    for (const rule of rules)
      if ('loop' in rule) {
        if (rule.onlyWith && rule.repeat === `${split}[]`) loops.push(rule);
        visit(rule.rules);
      }
  };
  visit(map.definition.rules);
  const out: Diagnostic[] = [];
  for (const loop of loops) {
    const tag = loop.onlyWith!.seg;
    const loopId = schema ? loopIdForSegment(schema, tag) : undefined;
    for (const d of mapped) {
      if (d.rule !== 'SEGMENT_NOT_KEPT' || d.segmentId !== loop.loop || d.segmentPosition === undefined)
        continue;
      out.push({
        severity: 'error',
        level: 'segment',
        code: '3',
        implementationCode: 'I6',
        rule: 'STATUS_SEGMENT_MISSING',
        message: `${loop.loop} at position ${d.segmentPosition} has no ${tag}: ${loop.onlyWith!.reason}`,
        segmentId: tag,
        segmentPosition: d.segmentPosition + 1,
        ...(loopId !== undefined ? { loopId } : {}),
        ...ctl,
      });
    }
  }
  return out;
}

/** What the set schema reports as ignored (a segment not in the set, or none we know). */
const IGNORED_BY_SCHEMA: ReadonlySet<string> = new Set(['SEGMENT_NOT_IN_SET', 'UNRECOGNIZED_SEGMENT']);

/**
 * The map's diagnostics without a SEGMENT_NOT_KEPT for a segment the schema's diagnostics (`schema`)
 * already say is ignored: its fate is told once.
 */
function withoutIgnoredTwice(
  mapped: readonly Diagnostic[],
  schema: readonly Diagnostic[],
): readonly Diagnostic[] {
  if (mapped.length === 0 || schema.length === 0) return mapped;
  const ignored = new Set<number | undefined>();
  for (const d of schema)
    if (d.severity === 'warning' && IGNORED_BY_SCHEMA.has(d.rule)) ignored.add(d.segmentPosition);
  if (ignored.size === 0) return mapped;
  return mapped.filter((d) => d.rule !== 'SEGMENT_NOT_KEPT' || !ignored.has(d.segmentPosition));
}

function processX12Set(
  set: X12TransactionSet,
  mapFor: (setId: string, version: string) => X12MapChoice,
  options: TranslateOptions,
): { documents: JsonObject[]; diagnostics: Diagnostic[] } {
  const ctl = {
    interchangeControlNumber: set.interchange.controlNumber,
    groupControlNumber: set.group.controlNumber,
    transactionControlNumber: set.controlNumber,
  };
  const diagnostics: Diagnostic[] = [];
  const schema = x12SetSchema(set.setId, set.group.version);
  const { map, covered } = mapFor(set.setId, set.group.version);
  const isAck = set.setId === '997' || set.setId === '999';
  if (!schema && !map && !isAck) {
    diagnostics.push({
      severity: 'error',
      level: 'transaction',
      code: '1',
      rule: 'SET_NOT_SUPPORTED',
      message: `transaction set ${set.setId} is not supported`,
      segmentId: 'ST',
      segmentPosition: 1,
      ...ctl,
    });
    return { documents: [], diagnostics };
  }
  if (schema) diagnostics.push(...validateSet(schema, set.segments, ctl));
  if (set.diagnostics.some(isError) || diagnostics.some(isError)) return { documents: [], diagnostics };
  if (map && !covered)
    diagnostics.push(mapVersionFallback(map, `${set.setId} version ${set.group.version}`, ctl));
  // The body is ST+1 up to SE (or the end when the trailer is missing).
  const bodyEnd = set.segments.length - (set.segments[set.segments.length - 1]?.tag === 'SE' ? 1 : 0);
  const partnerId = options.partnerId ?? set.interchange.senderId;
  const env: Envelope = {
    standard: 'x12',
    format: `x12-${set.setId}/${set.group.version}`,
    environment: x12Environment(set.interchange),
    partnerId,
    interchangeControlNumber: set.interchange.controlNumber,
    groupControlNumber: set.group.controlNumber,
    transactionControlNumber: set.controlNumber,
    baseId: `x12-${partnerId}-${set.interchange.controlNumber}-${set.group.controlNumber}-${set.controlNumber}`,
  };
  let raw: JsonObject[];
  if (isAck) raw = [readFunctionalAck(set.setId as '997' | '999', set.segments.slice(1, bodyEnd))];
  else if (map) {
    const r = mapInbound(
      map,
      set.segments,
      {
        diagnosticContext: ctl,
        // ST is position 1; the map reads from the segment after it.
        firstPosition: 1,
        ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      },
      1,
      bodyEnd,
    );
    // The map knows segments, not the standard's loops: the schema walk names them for the acks.
    if (schema) locateInSet(schema, set.segments, r.diagnostics);
    diagnostics.push(...withoutIgnoredTwice(r.diagnostics, diagnostics));
    if (r.diagnostics.some((d) => d.severity === 'error')) return { documents: [], diagnostics };
    if (r.documents.length === 0) {
      // A split map (214: one TrackingEvent per LX with an AT7) yields nothing when no item qualifies:
      // the set is rejected, as EDIFACT's NO_DOCUMENT, rather than acknowledged with its data lost.
      // The ack names what each pass lacks (AK3/IK3), so its AK502 5 names the segments in error.
      diagnostics.push(...missingStatusSegments(map, schema, r.diagnostics, ctl));
      diagnostics.push({
        severity: 'error',
        level: 'transaction',
        code: '5',
        rule: 'NO_DOCUMENT',
        message: `transaction set ${set.setId} ${set.controlNumber} yields no ${map.definition.documentType}${
          map.definition.split ? ` (one per ${map.definition.split} item; the set has none)` : ''
        }`,
        segmentId: 'ST',
        segmentPosition: 1,
        ...ctl,
      });
      return { documents: [], diagnostics };
    }
    raw = r.documents;
  } else {
    diagnostics.push({
      severity: 'error',
      level: 'transaction',
      code: '1',
      rule: 'NO_MAP',
      message: `no map for ${set.setId} version ${set.group.version}`,
      ...ctl,
    });
    return { documents: [], diagnostics };
  }
  const from = diagnostics.length;
  const documents = finishDocuments(
    raw,
    env,
    options,
    diagnostics,
    ctl,
    map &&
      (!isAck
        ? (pointer, message, k) => locateCanonicalError(map.definition, set.segments, pointer, message, k)
        : undefined),
  );
  // Located canonical errors get their loop and element reference like any other.
  if (schema && diagnostics.length > from) {
    const added = diagnostics.splice(from);
    locateInSet(schema, set.segments, added);
    diagnostics.push(...added);
  }
  return { documents, diagnostics };
}

function interchangeInfoX12(ic: X12InterchangeSummary, groups: readonly X12GroupSummary[]): InterchangeInfo {
  const h = ic.header;
  return {
    standard: 'x12',
    controlNumber: h.controlNumber,
    sender: `${h.senderQualifier}:${h.senderId}`,
    receiver: `${h.receiverQualifier}:${h.receiverId}`,
    version: h.version,
    environment: x12Environment(h),
    status: ic.rejected ? 'rejected' : 'accepted',
    groups: groups.map((g) => ({
      functionalId: g.header.functionalId,
      controlNumber: g.header.controlNumber,
      version: g.header.version,
      status: g.status,
      transactionSets: g.setsReceived,
      accepted: g.accepted,
    })),
  };
}

/**
 * The X12 reader's events as steps: each turns one reader event into translation events. The
 * sets are translated in `inspect`, before the reader hands their 'transaction' event on.
 */
function x12Steps(
  chunks: AsyncIterable<Buffer>,
  options: TranslateOptions,
  maps: MapSet,
  part: InputPart | undefined,
  emit: Emit,
): TranslationSteps {
  let pending: { documents: JsonObject[]; diagnostics: Diagnostic[] } | undefined;
  let groups: X12GroupSummary[] = [];
  const controlNumbers = options.controlNumbers ?? sequentialControlNumbers();
  const origin: X12InputOrigin | undefined = part
    ? {
        offset: part.offset,
        index: part.index,
        ...(part.earlierInterchanges ? { earlierInterchanges: part.earlierInterchanges } : {}),
        ...(part.interchanges ? { interchanges: part.interchanges } : {}),
      }
    : undefined;
  const mapFor = x12MapFinder(maps);
  const reader = readX12(chunks, {
    ...(options.lenientIsa ? { lenientIsa: true } : {}),
    ...(origin ? { origin } : {}),
    inspect: (set) => {
      pending = processX12Set(set, mapFor, options);
      return pending.diagnostics;
    },
  });
  const diagnostics = (list: readonly Diagnostic[]): void => {
    for (const d of list) emit({ type: 'diagnostic', diagnostic: d });
  };
  // Documents handed on in the open group, and in the open interchange's groups that stood.
  let groupDocuments = 0;
  let interchangeDocuments = 0;
  const step = (ev: X12ReaderEvent): undefined => {
    switch (ev.type) {
      case 'transaction': {
        diagnostics(ev.set.diagnostics);
        const p = pending;
        pending = undefined;
        if (p) {
          diagnostics(p.diagnostics);
          for (const doc of p.documents) emit({ type: 'document', document: doc });
          groupDocuments += p.documents.length;
        }
        break;
      }
      case 'group-end': {
        const g = ev.group;
        diagnostics(g.diagnostics);
        if (g.status === 'R' && groupDocuments > 0)
          emit({
            type: 'diagnostic',
            diagnostic: documentsRejected(
              'group',
              `functional group ${g.header.functionalId} ${g.header.controlNumber}`,
              groupDocuments,
              g.diagnostics,
              {
                interchangeControlNumber: g.interchange.controlNumber,
                groupControlNumber: g.header.controlNumber,
              },
              true,
            ),
          });
        else interchangeDocuments += groupDocuments;
        groupDocuments = 0;
        // Only what the interchange summary and acks need is kept; set documents are long gone.
        groups.push(g);
        break;
      }
      case 'interchange-end': {
        const ic = ev.interchange;
        diagnostics(ic.diagnostics);
        if (ic.rejected && interchangeDocuments > 0)
          emit({
            type: 'diagnostic',
            diagnostic: documentsRejected(
              'interchange',
              `interchange ${ic.header.controlNumber}`,
              interchangeDocuments,
              ic.diagnostics,
              { interchangeControlNumber: ic.header.controlNumber },
            ),
          });
        interchangeDocuments = 0;
        emit({ type: 'interchange', interchange: interchangeInfoX12(ev.interchange, groups) });
        if (options.acks) {
          const ack = writeX12Acks(ev.interchange, groups, {
            controlNumbers,
            ...(options.now || options.fixedNow !== undefined ? { now: clock(options) } : {}),
          });
          if (ack)
            emit({
              type: 'ack',
              ack: { format: 'X12', text: ack.text, bytes: ack.bytes },
            });
        }
        groups = [];
        break;
      }
      case 'ta1': {
        if (part) part.usesIndex = true;
        const partnerId = options.partnerId ?? ev.interchange.senderId;
        const env: Envelope = {
          standard: 'x12',
          format: `x12-TA1/${ev.interchange.version}`,
          environment: x12Environment(ev.interchange),
          partnerId,
          interchangeControlNumber: ev.interchange.controlNumber,
          baseId: `x12-${partnerId}-${ev.interchange.controlNumber}-TA1-${ev.segment.index}`,
        };
        const ctl = { interchangeControlNumber: ev.interchange.controlNumber };
        // A malformed TA1 is reported, not read: it must not mark our interchange rejected.
        const ta1 = readTa1(ev.segment);
        const found: Diagnostic[] =
          'diagnostics' in ta1 ? ta1.diagnostics.map((d) => ({ ...d, ...ctl })) : [];
        const docs = 'document' in ta1 ? [ta1.document] : [];
        for (const doc of finishDocuments(docs, env, options, found, ctl)) {
          emit({ type: 'document', document: doc });
          interchangeDocuments++;
        }
        diagnostics(found);
        break;
      }
      case 'diagnostic':
        emit({ type: 'diagnostic', diagnostic: ev.diagnostic });
        break;
      default:
        break;
    }
    return undefined;
  };
  return stepsOf(reader, step, () => {
    if (part && origin) part.segments = origin.segments;
  });
}

/* -------------------------------------------------------------------------------------------- */
/* EDIFACT (reader and CONTRL by the EDIFACT half: edifact-reader.ts, contrl.ts)                 */

function processEdifactMessage(
  m: EdifactMessage,
  maps: MapSet,
  options: TranslateOptions,
): { documents: JsonObject[]; diagnostics: Diagnostic[] } {
  const icn = m.interchange.interchangeControlNumber;
  const ctl = {
    ...(icn ? { interchangeControlNumber: icn } : {}),
    ...(m.group ? { groupControlNumber: m.group.groupControlNumber } : {}),
    transactionControlNumber: m.messageReference,
  };
  const diagnostics: Diagnostic[] = [];
  if (m.status === 'rejected' || m.diagnostics.some((d) => d.severity === 'error'))
    return { documents: [], diagnostics };
  const type = m.identifier.type;
  const version = `${m.identifier.version}${m.identifier.release}`;
  const partnerId = options.partnerId ?? (m.interchange.sender.id || 'unknown');
  const env: Envelope = {
    standard: 'edifact',
    format: `edifact-${type}/${version}`,
    environment: m.interchange.environment,
    partnerId,
    ...(icn ? { interchangeControlNumber: icn } : {}),
    ...(m.group ? { groupControlNumber: m.group.groupControlNumber } : {}),
    transactionControlNumber: m.messageReference,
    baseId: `edifact-${partnerId}-${icn ?? 'none'}-${m.messageReference}`,
  };
  if (type === 'CONTRL') {
    const r = parseContrl(m);
    diagnostics.push(...r.diagnostics);
    if (!r.acknowledgement) return { documents: [], diagnostics };
    const a = r.acknowledgement;
    const doc: JsonObject = {
      documentType: 'Acknowledgement',
      ackType: 'edifact-contrl',
      refersTo: a.refersTo as unknown as JsonObject,
      status: a.status,
      transactions: a.messages.map((x) => ({
        setId: x.messageType,
        controlNumber: x.messageReference,
        status: x.status,
      })),
      errors: a.errors.map((e) => ({ ...e })),
    };
    return { documents: finishDocuments([doc], env, options, diagnostics, ctl), diagnostics };
  }
  const map = findMap(maps, 'edifact', type, version);
  if (map && !declaresVersion(map, version))
    diagnostics.push(mapVersionFallback(map, `${type} ${version}`, ctl));
  if (!map) {
    // 0085 14 (value not supported in this position) on UNH S009, the message identifier: 2
    // would be the X12 AK502 code, in 0085 "syntax version or level not supported".
    diagnostics.push({
      severity: 'error',
      level: 'transaction',
      code: EdifactSyntaxError.ValueNotSupportedInPosition,
      rule: 'NO_MAP',
      message: `no map for EDIFACT ${type} ${version}`,
      segmentId: 'UNH',
      elementPosition: 2,
      ...ctl,
    });
    return { documents: [], diagnostics };
  }
  const body = m.segments.slice(1, m.segments[m.segments.length - 1]?.tag === 'UNT' ? -1 : undefined);
  const r = mapInbound(map, body, {
    diagnosticContext: ctl,
    firstPosition: 2,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(m.interchange.delimiters.decimal ? { decimalMark: m.interchange.delimiters.decimal } : {}),
  });
  diagnostics.push(...r.diagnostics.map((d) => edifactMapDiagnostic(d, m.segments)));
  if (r.diagnostics.some((d) => d.severity === 'error')) return { documents: [], diagnostics };
  if (r.documents.length === 0) {
    // A split map (IFTSTA: one TrackingEvent per STS group) yields nothing when the group is missing.
    diagnostics.push({
      severity: 'error',
      level: 'transaction',
      code: '13',
      rule: 'NO_DOCUMENT',
      message: `${type} message ${m.messageReference} yields no ${map.definition.documentType}${
        map.definition.split ? ` (one per ${map.definition.split} item; the message has none)` : ''
      }`,
      ...ctl,
    });
    return { documents: [], diagnostics };
  }
  return {
    documents: finishDocuments(r.documents, env, options, diagnostics, ctl, (pointer, message, k) =>
      locateEdifactCanonicalError(map.definition, m.segments, pointer, message, k),
    ),
    diagnostics,
  };
}

function interchangeInfoEdifact(ic: EdifactInterchange): InterchangeInfo {
  const h = ic.header;
  return {
    standard: 'edifact',
    controlNumber: h.interchangeControlNumber ?? '',
    sender: h.sender.qualifier ? `${h.sender.qualifier}:${h.sender.id}` : h.sender.id,
    receiver: h.recipient.qualifier ? `${h.recipient.qualifier}:${h.recipient.id}` : h.recipient.id,
    version: `${h.syntaxIdentifier}:${h.syntaxVersion}`,
    environment: h.environment,
    status: ic.status,
    groups: ic.groups.map((g) => ({
      functionalId: g.header.groupId,
      controlNumber: g.header.groupControlNumber,
      version: `${g.header.messageVersion ?? ''}${g.header.messageRelease ?? ''}`,
      status: g.status,
      transactionSets: g.messageCount,
      accepted: ic.messages.filter(
        (m) => m.groupControlNumber === g.header.groupControlNumber && m.status === 'accepted',
      ).length,
    })),
  };
}

function edifactSteps(
  chunks: AsyncIterable<Buffer>,
  options: TranslateOptions,
  maps: MapSet,
  emit: Emit,
): TranslationSteps {
  let pending: { documents: JsonObject[]; diagnostics: Diagnostic[] } | undefined;
  const controlNumbers = options.controlNumbers ?? sequentialControlNumbers();
  const reader = readEdifact(chunks, {
    inspect: (m) => {
      pending = processEdifactMessage(m, maps, options);
      return pending.diagnostics;
    },
  });
  const contrl = async (ic: EdifactInterchange): Promise<void> => {
    try {
      const c = await generateContrl(ic, {
        nextControlReference: () => String(controlNumbers('interchange')),
        ...(options.now || options.fixedNow !== undefined ? { now: clock(options) } : {}),
      });
      if ('diagnostic' in c) emit({ type: 'diagnostic', diagnostic: c.diagnostic });
      else {
        for (const diagnostic of c.diagnostics) emit({ type: 'diagnostic', diagnostic });
        emit({ type: 'ack', ack: { format: 'CONTRL', text: c.text, bytes: c.bytes } });
      }
    } catch (err) {
      emit({
        type: 'diagnostic',
        diagnostic: interchangeError('CONTRL_FAILED', `CONTRL could not be generated: ${errorText(err)}`, {
          code: '12',
        }),
      });
    }
  };
  // Documents handed on in the open interchange, by group control number ('' outside UNG/UNE).
  const documentsByGroup = new Map<string, number>();
  const step = (ev: EdifactReadEvent): Promise<void> | undefined => {
    if (ev.type === 'diagnostic') emit(ev);
    else if (ev.type === 'message') {
      for (const d of ev.message.diagnostics) emit({ type: 'diagnostic', diagnostic: d });
      const p = pending;
      pending = undefined;
      // The reader's message diagnostics already include what inspect returned.
      if (p && p.documents.length > 0) {
        for (const doc of p.documents) emit({ type: 'document', document: doc });
        const group = ev.message.group?.groupControlNumber ?? '';
        documentsByGroup.set(group, (documentsByGroup.get(group) ?? 0) + p.documents.length);
      }
    } else if (ev.type === 'interchange-end') {
      const ic = ev.interchange;
      for (const d of ic.diagnostics) emit({ type: 'diagnostic', diagnostic: d });
      const icn = ic.header.interchangeControlNumber;
      const ctl = icn ? { interchangeControlNumber: icn } : {};
      let total = 0;
      for (const n of documentsByGroup.values()) total += n;
      if (ic.status === 'rejected' && total > 0)
        emit({
          type: 'diagnostic',
          diagnostic: documentsRejected(
            'interchange',
            icn ? `interchange ${icn}` : 'the input without a UNB interchange header',
            total,
            ic.diagnostics,
            ctl,
          ),
        });
      else
        for (const g of ic.groups) {
          const n = documentsByGroup.get(g.header.groupControlNumber) ?? 0;
          if (g.status === 'rejected' && n > 0)
            emit({
              type: 'diagnostic',
              diagnostic: documentsRejected(
                'group',
                `functional group ${g.header.groupId} ${g.header.groupControlNumber}`,
                n,
                g.diagnostics,
                { ...ctl, groupControlNumber: g.header.groupControlNumber },
              ),
            });
        }
      documentsByGroup.clear();
      emit({ type: 'interchange', interchange: interchangeInfoEdifact(ev.interchange) });
      if (options.acks && !ev.interchange.messages.every((m) => m.identifier.type === 'CONTRL'))
        return contrl(ev.interchange);
    }
    return undefined;
  };
  return stepsOf(reader, step);
}

/* -------------------------------------------------------------------------------------------- */
/* One translation as steps, and its two drivers: an async generator (translateStream) and a     */
/* callback loop (translateInto) that spares the hot NDJSON path a generator hop per event.      */

type Emit = (ev: TranslationEvent) => void;

/**
 * A translation as the reader's events and what each becomes: `step` emits the translation events
 * of one reader event (a promise only when it has to wait, for a CONTRL); `end` runs after the last.
 */
interface TranslationSteps {
  readonly events: AsyncIterable<unknown>;
  readonly step: (ev: unknown) => Promise<void> | undefined;
  readonly end: () => void;
}

/** Pairs a reader with the step for its events: the one place their types meet. */
function stepsOf<E>(
  events: AsyncIterable<E>,
  step: (ev: E) => Promise<void> | undefined,
  end: () => void = () => undefined,
): TranslationSteps {
  return { events, step: step as (ev: unknown) => Promise<void> | undefined, end };
}

/** Loads the maps; a broken map is reported (by the first part only), not fatal; a broken partner file is. */
function mapsFor(options: TranslateOptions, part: InputPart | undefined, emit: Emit): MapSet {
  const maps = loadMaps({
    ...(options.mapsDir ? { mapsDir: options.mapsDir } : {}),
    ...(options.partnerId ? { partnerId: options.partnerId } : {}),
  });
  for (const e of part && !part.first ? [] : maps.errors) {
    const ofPartner = maps.partnerErrors.includes(e);
    emit({
      type: 'diagnostic',
      // A broken map is left out, not fatal: only input that needs it fails (NO_MAP, an error).
      diagnostic: interchangeError(
        ofPartner ? 'PARTNER_INVALID' : 'MAP_INVALID',
        `${ofPartner ? 'partner' : 'map'} ${e.file}${e.path ? ` at ${e.path}` : ''}: ${e.message}`,
        { severity: ofPartner ? 'error' : 'warning' },
      ),
    });
  }
  return maps;
}

/** Tells X12 from EDIFACT and sets up the steps; other input gets its diagnostic and is drained. */
async function stepsFor(
  input: EdiInput,
  options: TranslateOptions,
  maps: MapSet,
  part: InputPart | undefined,
  emit: Emit,
): Promise<TranslationSteps> {
  // A broken partner file is our mistake, not the partner's: nothing is translated or acknowledged.
  if (maps.partnerErrors.length > 0) return stepsOf(toChunks(input), () => undefined);
  const { kind, chunks } = await sniff(toChunks(input));
  if (kind === 'x12') return x12Steps(chunks, options, maps, part, emit);
  if (kind === 'edifact') return edifactSteps(chunks, options, maps, emit);
  emit({
    type: 'diagnostic',
    diagnostic: {
      severity: 'error',
      level: 'interchange',
      code: '024',
      rule: kind === 'empty' ? 'EMPTY_INPUT' : 'UNKNOWN_FORMAT',
      message: kind === 'empty' ? 'input is empty' : 'input is neither X12 (ISA) nor EDIFACT (UNA/UNB/UNH)',
    },
  });
  // Drained so a piped producer is not left blocked.
  return stepsOf(chunks, () => undefined);
}

const translationFailed = (err: unknown): TranslationEvent => ({
  type: 'diagnostic',
  diagnostic: interchangeError('TRANSLATION_FAILED', `translation failed: ${errorText(err)}`),
});

/**
 * Streams translation events for X12 or EDIFACT input. Never throws; bad input yields diagnostics.
 * `part` is for parallel-translate.ts only: the input is a share of a longer one.
 */
export async function* translateStream(
  input: EdiInput,
  options: TranslateOptions = {},
  part?: InputPart,
): AsyncGenerator<TranslationEvent> {
  const queue: TranslationEvent[] = [];
  const emit: Emit = (ev) => void queue.push(ev);
  try {
    const maps = mapsFor(options, part, emit);
    for (const ev of queue.splice(0)) yield ev;
    const steps = await stepsFor(input, options, maps, part, emit);
    for (const ev of queue.splice(0)) yield ev;
    for await (const rev of steps.events) {
      const wait = steps.step(rev);
      if (wait) await wait;
      for (const ev of queue.splice(0)) yield ev;
    }
    steps.end();
  } catch (err) {
    // What the failing step emitted first still comes out, as it did event by event.
    for (const ev of queue.splice(0)) yield ev;
    yield translationFailed(err);
  }
}

/** Where translateInto delivers a translation. */
export interface TranslationSink {
  /** Each event, in translateStream's order. Its errors are the caller's: they are thrown on. */
  event(ev: TranslationEvent): void;
  /**
   * Called after the events of each step of the input (a set, a group end, ...): a promise holds
   * the translation until it settles (back-pressure); resolving to false stops it, as leaving a
   * `for await` over translateStream does.
   */
  settle?(): Promise<boolean> | undefined;
}

/**
 * translateStream's events, in its order, handed to `sink` without an async generator between
 * the reader and the consumer (the NDJSON path: one promise per reader event, not two per event).
 */
export async function translateInto(
  input: EdiInput,
  sink: TranslationSink,
  options: TranslateOptions = {},
  part?: InputPart,
): Promise<void> {
  const queue: TranslationEvent[] = [];
  const emit: Emit = (ev) => void queue.push(ev);
  let sinkFailure: { readonly error: unknown } | undefined;
  /** Hands the queued events on; false once the sink says stop. */
  const deliver = async (): Promise<boolean> => {
    try {
      for (const ev of queue.splice(0)) sink.event(ev);
      const settled = sink.settle?.();
      return settled === undefined ? true : await settled;
    } catch (error) {
      sinkFailure = { error };
      throw error;
    }
  };
  try {
    const maps = mapsFor(options, part, emit);
    if (queue.length > 0 && !(await deliver())) return;
    const steps = await stepsFor(input, options, maps, part, emit);
    if (queue.length > 0 && !(await deliver())) return;
    for await (const rev of steps.events) {
      const wait = steps.step(rev);
      if (wait) await wait;
      if (queue.length > 0 && !(await deliver())) return;
    }
    steps.end();
  } catch (err) {
    if (sinkFailure) throw sinkFailure.error;
    emit(translationFailed(err));
    for (const ev of queue.splice(0)) sink.event(ev);
    await sink.settle?.();
  }
}

export interface TranslationResult {
  readonly interchanges: InterchangeInfo[];
  readonly documents: JsonObject[];
  readonly diagnostics: Diagnostic[];
  readonly acks: string[];
  /** Each of `acks` as it is sent (`ack` events' bytes). */
  readonly ackBytes: Buffer[];
  /** False when any diagnostic is an error. */
  readonly ok: boolean;
  /** The documents of a rejected interchange or group (see DocumentRejections). */
  readonly rejections: DocumentRejections;
}

/** Collects a whole translation in memory: for small inputs, tests and the REST API. */
export async function translateBuffer(
  input: EdiInput,
  options: TranslateOptions = {},
): Promise<TranslationResult> {
  const interchanges: InterchangeInfo[] = [];
  const documents: JsonObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const acks: string[] = [];
  const ackBytes: Buffer[] = [];
  const rejections = new DocumentRejections();
  for await (const ev of translateStream(input, options)) {
    rejections.observe(ev);
    if (ev.type === 'interchange') interchanges.push(ev.interchange);
    else if (ev.type === 'document') documents.push(ev.document);
    else if (ev.type === 'diagnostic') diagnostics.push(ev.diagnostic);
    else {
      acks.push(ev.ack.text);
      ackBytes.push(ev.ack.bytes);
    }
  }
  return { interchanges, documents, diagnostics, acks, ackBytes, ok: !diagnostics.some(isError), rejections };
}

/** The acknowledgement text for an input: 997/999 (+TA1 when due) for X12, CONTRL for EDIFACT. */
export async function ackFor(
  input: EdiInput,
  options: Omit<TranslateOptions, 'acks'> = {},
): Promise<{ text: string; bytes: Buffer; diagnostics: Diagnostic[] }> {
  const r = await translateBuffer(input, { ...options, acks: true });
  return { text: r.acks.join(''), bytes: Buffer.concat(r.ackBytes), diagnostics: r.diagnostics };
}

export { renderDocument, RENDER_TARGETS, type RenderTarget, type RenderOptions } from './render-document.js';
