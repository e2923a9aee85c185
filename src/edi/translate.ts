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
import { readEdifact, type EdifactInterchange, type EdifactMessage } from './edifact-reader.js';
import { findMap, loadMaps, type MapSet } from './map-loader.js';
import { mapInbound } from './map-inbound.js';
import type { JsonObject } from './map-paths.js';
import { readFunctionalAck, readTa1 } from './x12-ack-reader.js';
import { writeX12Acks } from './x12-ack-writer.js';
import type {
  X12GroupSummary,
  X12InterchangeHeader,
  X12InterchangeSummary,
  X12TransactionSet,
} from './x12-envelope.js';
import { readX12, type X12InputOrigin } from './x12-envelope-reader.js';
import { validateSet } from './x12-set-schema.js';
import { X12_SET_SCHEMAS } from './x12-set-schemas.js';
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
  segments?: number;
  usesIndex?: boolean;
}

const clock = (options: TranslateOptions): Date =>
  options.now?.() ?? (options.fixedNow !== undefined ? new Date(options.fixedNow) : new Date());

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
      readonly ack: { readonly format: 'X12' | 'CONTRL'; readonly text: string };
    };

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

function finishDocuments(
  docs: readonly JsonObject[],
  env: Envelope,
  options: TranslateOptions,
  diagnostics: Diagnostic[],
  ctl: Partial<Diagnostic>,
): JsonObject[] {
  const out: JsonObject[] = [];
  const createdAt = clock(options).toISOString();
  const messageId =
    options.messageId ?? `${env.standard}-${env.partnerId}-${env.interchangeControlNumber ?? 'none'}`;
  docs.forEach((raw, k) => {
    // Envelope fields first, in the canonical order, so output reads (and diffs) the same every time.
    const doc: JsonObject = {
      documentType: raw['documentType'],
      schemaVersion: '1',
      id: docs.length > 1 ? `${env.baseId}-${k + 1}` : env.baseId,
      tenantId: options.tenantId ?? 'default',
      partnerId: env.partnerId,
      createdAt,
      source: {
        channel: options.channel ?? 'cli',
        format: env.format,
        environment: env.environment,
        ...(env.interchangeControlNumber ? { interchangeControlNumber: env.interchangeControlNumber } : {}),
        ...(env.groupControlNumber ? { groupControlNumber: env.groupControlNumber } : {}),
        ...(env.transactionControlNumber ? { transactionControlNumber: env.transactionControlNumber } : {}),
        messageId,
      },
      correlationId: options.correlationId ?? messageId,
      references: Array.isArray(raw['references']) ? raw['references'] : [],
    };
    for (const key in raw) if (!(key in doc)) doc[key] = raw[key];
    const type = typeof doc['documentType'] === 'string' ? doc['documentType'] : '';
    const result = validateCanonical(type, doc);
    if (!result.valid) {
      for (const e of result.errors.slice(0, 20)) {
        diagnostics.push({
          severity: 'error',
          level: 'transaction',
          code: '5',
          rule: 'CANONICAL_SCHEMA',
          message: `${type}${e.pointer} ${e.message}`,
          ...ctl,
        });
      }
      return;
    }
    out.push(doc);
  });
  return out;
}

/* -------------------------------------------------------------------------------------------- */
/* X12                                                                                          */

function x12Environment(h: X12InterchangeHeader): 'test' | 'production' {
  return h.usage === 'P' ? 'production' : 'test';
}

function processX12Set(
  set: X12TransactionSet,
  maps: MapSet,
  options: TranslateOptions,
): { documents: JsonObject[]; diagnostics: Diagnostic[] } {
  const ctl = {
    interchangeControlNumber: set.interchange.controlNumber,
    groupControlNumber: set.group.controlNumber,
    transactionControlNumber: set.controlNumber,
  };
  const diagnostics: Diagnostic[] = [];
  const schema = X12_SET_SCHEMAS[set.setId];
  const map = findMap(maps, 'x12', set.setId, set.group.version);
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
  if ([...set.diagnostics, ...diagnostics].some((d) => d.severity === 'error'))
    return { documents: [], diagnostics };
  const body = set.segments.slice(1, set.segments[set.segments.length - 1]?.tag === 'SE' ? -1 : undefined);
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
  if (isAck) raw = [readFunctionalAck(set.setId as '997' | '999', body)];
  else if (map) {
    const r = mapInbound(map, body, {
      diagnosticContext: ctl,
      firstPosition: 2,
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    });
    diagnostics.push(...r.diagnostics);
    if (r.diagnostics.some((d) => d.severity === 'error')) return { documents: [], diagnostics };
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
  return { documents: finishDocuments(raw, env, options, diagnostics, ctl), diagnostics };
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
      accepted: g.sets.filter((s) => s.status !== 'R').length,
    })),
  };
}

async function* translateX12(
  chunks: AsyncIterable<Buffer>,
  options: TranslateOptions,
  maps: MapSet,
  part: InputPart | undefined,
): AsyncGenerator<TranslationEvent> {
  let pending: { documents: JsonObject[]; diagnostics: Diagnostic[] } | undefined;
  let groups: X12GroupSummary[] = [];
  const controlNumbers = options.controlNumbers ?? sequentialControlNumbers();
  const origin: X12InputOrigin | undefined = part ? { offset: part.offset, index: part.index } : undefined;
  const reader = readX12(chunks, {
    ...(options.lenientIsa ? { lenientIsa: true } : {}),
    ...(origin ? { origin } : {}),
    inspect: (set) => {
      pending = processX12Set(set, maps, options);
      return pending.diagnostics;
    },
  });
  for await (const ev of reader) {
    switch (ev.type) {
      case 'transaction': {
        for (const d of ev.set.diagnostics) yield { type: 'diagnostic', diagnostic: d };
        const p = pending;
        pending = undefined;
        if (p) {
          for (const d of p.diagnostics) yield { type: 'diagnostic', diagnostic: d };
          for (const doc of p.documents) yield { type: 'document', document: doc };
        }
        break;
      }
      case 'group-end':
        for (const d of ev.group.diagnostics) yield { type: 'diagnostic', diagnostic: d };
        // Only what the interchange summary and acks need is kept; set documents are long gone.
        groups.push(ev.group);
        break;
      case 'interchange-end': {
        for (const d of ev.interchange.diagnostics) yield { type: 'diagnostic', diagnostic: d };
        yield { type: 'interchange', interchange: interchangeInfoX12(ev.interchange, groups) };
        if (options.acks) {
          const ack = writeX12Acks(ev.interchange, groups, {
            controlNumbers,
            ...(options.now || options.fixedNow !== undefined ? { now: clock(options) } : {}),
          });
          if (ack) yield { type: 'ack', ack: { format: 'X12', text: ack.text } };
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
        const diagnostics: Diagnostic[] = [];
        for (const doc of finishDocuments([readTa1(ev.segment)], env, options, diagnostics, {
          interchangeControlNumber: ev.interchange.controlNumber,
        }))
          yield { type: 'document', document: doc };
        for (const d of diagnostics) yield { type: 'diagnostic', diagnostic: d };
        break;
      }
      case 'diagnostic':
        yield { type: 'diagnostic', diagnostic: ev.diagnostic };
        break;
      default:
        break;
    }
  }
  if (part && origin) part.segments = origin.segments;
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
  if (!map) {
    diagnostics.push({
      severity: 'error',
      level: 'transaction',
      code: '2',
      rule: 'NO_MAP',
      message: `no map for EDIFACT ${type} ${version}`,
      segmentId: 'UNH',
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
  diagnostics.push(...r.diagnostics);
  if (r.diagnostics.some((d) => d.severity === 'error')) return { documents: [], diagnostics };
  return { documents: finishDocuments(r.documents, env, options, diagnostics, ctl), diagnostics };
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

async function* translateEdifact(
  chunks: AsyncIterable<Buffer>,
  options: TranslateOptions,
  maps: MapSet,
): AsyncGenerator<TranslationEvent> {
  let pending: { documents: JsonObject[]; diagnostics: Diagnostic[] } | undefined;
  const controlNumbers = options.controlNumbers ?? sequentialControlNumbers();
  const reader = readEdifact(chunks, {
    inspect: (m) => {
      pending = processEdifactMessage(m, maps, options);
      return pending.diagnostics;
    },
  });
  for await (const ev of reader) {
    if (ev.type === 'message') {
      for (const d of ev.message.diagnostics) yield { type: 'diagnostic', diagnostic: d };
      const p = pending;
      pending = undefined;
      // The reader's message diagnostics already include what inspect returned.
      if (p) for (const doc of p.documents) yield { type: 'document', document: doc };
    } else if (ev.type === 'interchange-end') {
      for (const d of ev.interchange.diagnostics) yield { type: 'diagnostic', diagnostic: d };
      yield { type: 'interchange', interchange: interchangeInfoEdifact(ev.interchange) };
      if (options.acks && !ev.interchange.messages.every((m) => m.identifier.type === 'CONTRL')) {
        try {
          const contrl = await generateContrl(ev.interchange, {
            nextControlReference: () => String(controlNumbers('interchange')),
            ...(options.now || options.fixedNow !== undefined ? { now: clock(options) } : {}),
          });
          yield { type: 'ack', ack: { format: 'CONTRL', text: contrl.text } };
        } catch (err) {
          yield {
            type: 'diagnostic',
            diagnostic: interchangeError(
              'CONTRL_FAILED',
              `CONTRL could not be generated: ${errorText(err)}`,
              { code: '12' },
            ),
          };
        }
      }
    }
  }
}

/* -------------------------------------------------------------------------------------------- */

/**
 * Streams translation events for X12 or EDIFACT input. Never throws; bad input yields diagnostics.
 * `part` is for parallel-translate.ts only: the input is a share of a longer one.
 */
export async function* translateStream(
  input: EdiInput,
  options: TranslateOptions = {},
  part?: InputPart,
): AsyncGenerator<TranslationEvent> {
  try {
    const maps = loadMaps({
      ...(options.mapsDir ? { mapsDir: options.mapsDir } : {}),
      ...(options.partnerId ? { partnerId: options.partnerId } : {}),
    });
    for (const e of part && !part.first ? [] : maps.errors) {
      yield {
        type: 'diagnostic',
        // A broken map is left out, not fatal: only input that needs it fails (NO_MAP, an error).
        diagnostic: interchangeError(
          'MAP_INVALID',
          `map ${e.file}${e.path ? ` at ${e.path}` : ''}: ${e.message}`,
          {
            severity: 'warning',
          },
        ),
      };
    }
    const { kind, chunks } = await sniff(toChunks(input));
    if (kind === 'x12') yield* translateX12(chunks, options, maps, part);
    else if (kind === 'edifact') yield* translateEdifact(chunks, options, maps);
    else {
      yield {
        type: 'diagnostic',
        diagnostic: {
          severity: 'error',
          level: 'interchange',
          code: '024',
          rule: kind === 'empty' ? 'EMPTY_INPUT' : 'UNKNOWN_FORMAT',
          message:
            kind === 'empty' ? 'input is empty' : 'input is neither X12 (ISA) nor EDIFACT (UNA/UNB/UNH)',
        },
      };
      // Drain so a piped producer is not left blocked.
      for await (const _ of chunks) void _;
    }
  } catch (err) {
    yield {
      type: 'diagnostic',
      diagnostic: interchangeError('TRANSLATION_FAILED', `translation failed: ${errorText(err)}`),
    };
  }
}

export interface TranslationResult {
  readonly interchanges: InterchangeInfo[];
  readonly documents: JsonObject[];
  readonly diagnostics: Diagnostic[];
  readonly acks: string[];
  /** False when any diagnostic is an error. */
  readonly ok: boolean;
}

/** Collects a whole translation in memory: for small inputs, tests and the REST API. */
export async function translateBuffer(
  input: EdiInput,
  options: TranslateOptions = {},
): Promise<TranslationResult> {
  const result: TranslationResult = { interchanges: [], documents: [], diagnostics: [], acks: [], ok: true };
  for await (const ev of translateStream(input, options)) {
    if (ev.type === 'interchange') result.interchanges.push(ev.interchange);
    else if (ev.type === 'document') result.documents.push(ev.document);
    else if (ev.type === 'diagnostic') result.diagnostics.push(ev.diagnostic);
    else result.acks.push(ev.ack.text);
  }
  return { ...result, ok: !result.diagnostics.some((d) => d.severity === 'error') };
}

/** The acknowledgement text for an input: 997/999 (+TA1 when due) for X12, CONTRL for EDIFACT. */
export async function ackFor(
  input: EdiInput,
  options: Omit<TranslateOptions, 'acks'> = {},
): Promise<{ text: string; diagnostics: Diagnostic[] }> {
  const r = await translateBuffer(input, { ...options, acks: true });
  return { text: r.acks.join(''), diagnostics: r.diagnostics };
}

export { renderDocument, RENDER_TARGETS, type RenderTarget, type RenderOptions } from './render-document.js';
