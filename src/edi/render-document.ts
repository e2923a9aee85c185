/**
 * Canonical documents → EDI text: validate against the canonical schema, run the map outbound, and
 * wrap the bodies in an X12 (ISA/GS/ST) or EDIFACT (UNB/UNH) envelope. Several documents of one
 * target go into one interchange.
 */
import {
  CONTROL_CHARACTER,
  EDIFACT_SYNTAX_IDENTIFIERS,
  describeCharacter,
  edifactSyntaxVersion,
  encodeEdi,
  firstUnrepresentable,
  foldToAscii,
  type EdiCharacterSet,
  type EdifactSyntaxIdentifier,
} from './edi-character-sets.js';
import { errorText } from './edi-diagnostic.js';
import { validateCanonical } from '../canonical/canonical-validator.js';
import type { Diagnostic, Segment } from './edi-types.js';
import type { EdifactPartyId } from './edifact-reader.js';
import { buildEdifactInterchange } from './edifact-envelope-writer.js';
import { checkEdifactSegment } from './edifact-segment-rules.js';
import { edifactDelimitersFor, renderEdifact, type EdifactOutSegment } from './edifact-writer.js';
import { findMapByName, loadMaps } from './map-loader.js';
import { renderOutbound, type SegmentData } from './map-engine.js';
import { isObject, type JsonObject } from './map-paths.js';
import {
  DEFAULT_X12_DELIMITERS,
  parseIdentity,
  sequentialControlNumbers,
  writeX12Interchange,
  type ControlNumberGenerator,
  type X12Identity,
  type X12SetOut,
} from './x12-writer.js';
import { elementText } from './x12-segment.js';
import { validateSet } from './x12-set-schema.js';
import { x12SetSchema } from './x12-set-schemas.js';
import { X12Tokenizer } from './x12-tokenizer.js';

export const RENDER_TARGETS = [
  'x12-856',
  'x12-214',
  'x12-210',
  'edifact-desadv',
  'edifact-iftsta',
  'edifact-invoic',
] as const;
export type RenderTarget = (typeof RENDER_TARGETS)[number];

const X12_FUNCTIONAL_ID: Readonly<Record<string, string>> = { '856': 'SH', '214': 'QM', '210': 'IM' };

export interface RenderOptions {
  /**
   * X12: `QQ:ID` (ISA qualifier and id, 2-15 characters; ZZ when no qualifier). EDIFACT: `ID` or
   * `ID:QUALIFIER` (UNB S002/S003 identification, 1-35 characters, and code qualifier, e.g. 14).
   */
  readonly sender?: string;
  readonly receiver?: string;
  readonly controlNumbers?: ControlNumberGenerator;
  readonly partnerId?: string;
  readonly mapsDir?: string;
  readonly timeZone?: string;
  /** X12 GS08 (default 004010) or EDIFACT directory (default: the map's first, e.g. D96A). */
  readonly version?: string;
  readonly usage?: 'T' | 'P';
  readonly now?: Date;
  /**
   * EDIFACT: the UNB syntax identifier agreed with the partner (default UNOC, ISO 8859-1); UNOW and
   * UNOY (UTF-8) write syntax version 4. Data the set cannot carry is refused, never re-encoded.
   */
  readonly syntaxIdentifier?: string;
}

type Party = 'sender' | 'receiver';

const X12_ID_ELEMENTS: Readonly<Record<Party, string>> = {
  sender: 'ISA06 and GS02',
  receiver: 'ISA08 and GS03',
};
const EDIFACT_PARTY_ELEMENT: Readonly<Record<Party, string>> = { sender: 'UNB S002', receiver: 'UNB S003' };
const X12_DELIMITERS = [
  DEFAULT_X12_DELIMITERS.element,
  DEFAULT_X12_DELIMITERS.component,
  DEFAULT_X12_DELIMITERS.repetition!,
  DEFAULT_X12_DELIMITERS.segment,
];

/** `QQ:ID` (ZZ when no qualifier) as ISA/GS identity, or why it cannot be one: ISA pads, X12 cannot escape. */
function x12Party(party: Party, text: string): X12Identity | string {
  const identity = parseIdentity(text);
  const { id } = identity;
  if (id.length < 2 || id.length > 15)
    return `${party} id "${id}": ${X12_ID_ELEMENTS[party]} take 2 to 15 characters, not ${id.length}`;
  const outside = firstUnrepresentable(id, 'X12') ?? CONTROL_CHARACTER.exec(id)?.[0];
  if (outside !== undefined)
    return `${party} id "${id}": ${describeCharacter(outside)} is not a printable ASCII character (${X12_ID_ELEMENTS[party]})`;
  const delimiter = X12_DELIMITERS.find((c) => id.includes(c));
  if (delimiter !== undefined)
    return `${party} id "${id}" contains "${delimiter}", an X12 delimiter (${X12_DELIMITERS.join(' ')})`;
  return identity;
}

/** `ID` or `ID:QUALIFIER` as an UNB party (delimiters in the id are escaped on output), or why not. */
function edifactParty(party: Party, text: string): EdifactPartyId | string {
  const colon = text.lastIndexOf(':');
  const id = colon < 0 ? text : text.slice(0, colon);
  const qualifier = colon < 0 ? undefined : text.slice(colon + 1);
  const element = EDIFACT_PARTY_ELEMENT[party];
  if (id.length < 1 || id.length > 35)
    return `${party} id "${id}": ${element} takes 1 to 35 characters, not ${id.length}`;
  if (qualifier !== undefined && !/^[A-Za-z0-9]{1,4}$/.test(qualifier))
    return `${party} qualifier "${qualifier}" is not 1 to 4 letters or digits (${element} 0007)`;
  return qualifier === undefined ? { id } : { id, qualifier };
}

/** The interchange's sender and receiver for `to`, or why the given ids cannot be written. */
export function renderParties(
  to: RenderTarget,
  options: Pick<RenderOptions, 'sender' | 'receiver'>,
):
  | { readonly x12: true; readonly sender: X12Identity; readonly receiver: X12Identity }
  | { readonly x12: false; readonly sender: EdifactPartyId; readonly receiver: EdifactPartyId }
  | { readonly problems: string[] } {
  if (to.startsWith('x12-')) {
    const sender = x12Party('sender', options.sender ?? 'ZZ:CROSSDOCK');
    const receiver = x12Party('receiver', options.receiver ?? 'ZZ:PARTNER');
    if (typeof sender === 'string' || typeof receiver === 'string')
      return { problems: [sender, receiver].filter((p) => typeof p === 'string') };
    return { x12: true, sender, receiver };
  }
  const sender = edifactParty('sender', options.sender ?? 'CROSSDOCK');
  const receiver = edifactParty('receiver', options.receiver ?? 'PARTNER');
  if (typeof sender === 'string' || typeof receiver === 'string')
    return { problems: [sender, receiver].filter((p) => typeof p === 'string') };
  return { x12: false, sender, receiver };
}

export interface RenderResult {
  /** Empty when nothing could be rendered. */
  readonly text: string;
  /**
   * `text` encoded as the interchange declares (ISO 8859-1 for UNOA/UNOB/UNOC and X12, UTF-8 for
   * UNOW/UNOY): what goes to the partner. Encoding `text` as UTF-8 would contradict a UNOC header.
   */
  readonly bytes: Buffer;
  readonly diagnostics: Diagnostic[];
}

const NO_BYTES = Buffer.alloc(0);

/** Renders one document or an array of documents as one interchange. Never throws. */
export function renderDocument(
  input: unknown,
  to: RenderTarget | string,
  options: RenderOptions = {},
): RenderResult {
  const diagnostics: Diagnostic[] = [];
  try {
    if (!(RENDER_TARGETS as readonly string[]).includes(to)) {
      diagnostics.push({
        severity: 'error',
        level: 'interchange',
        code: '024',
        rule: 'RENDER_TARGET',
        message: `unknown target "${to}" (one of ${RENDER_TARGETS.join(', ')})`,
      });
      return { text: '', bytes: NO_BYTES, diagnostics };
    }
    const syntax = options.syntaxIdentifier ?? 'UNOC';
    if (!(EDIFACT_SYNTAX_IDENTIFIERS as readonly string[]).includes(syntax)) {
      diagnostics.push({
        severity: 'error',
        level: 'interchange',
        code: '2',
        rule: 'RENDER_SYNTAX',
        message: `syntax identifier "${syntax}" is not one render writes (${EDIFACT_SYNTAX_IDENTIFIERS.join(', ')})`,
      });
      return { text: '', bytes: NO_BYTES, diagnostics };
    }
    const parties = renderParties(to as RenderTarget, options);
    if ('problems' in parties) {
      for (const message of parties.problems)
        diagnostics.push({
          severity: 'error',
          level: 'interchange',
          code: '024',
          rule: 'RENDER_PARTY',
          message,
        });
      return { text: '', bytes: NO_BYTES, diagnostics };
    }
    const maps = loadMaps({
      ...(options.mapsDir ? { mapsDir: options.mapsDir } : {}),
      ...(options.partnerId ? { partnerId: options.partnerId } : {}),
    });
    if (maps.partnerErrors.length > 0) {
      for (const e of maps.partnerErrors)
        diagnostics.push({
          severity: 'error',
          level: 'interchange',
          code: '024',
          rule: 'PARTNER_INVALID',
          message: `partner ${e.file}${e.path ? ` at ${e.path}` : ''}: ${e.message}`,
        });
      return { text: '', bytes: NO_BYTES, diagnostics };
    }
    const [standard, message] = to.split('-') as ['x12' | 'edifact', string];
    const mapName = standard === 'x12' ? `x12-${message}` : `edifact-${message}`;
    const candidates = maps.maps.filter(
      (m) =>
        m.definition.standard === standard && m.definition.message.toLowerCase() === message.toLowerCase(),
    );
    // An EDIFACT directory (D01B) picks its own map; otherwise the map named after the target.
    const version = options.version;
    const map =
      (version
        ? candidates.find((m) => (m.definition.versions ?? []).some((v) => version.startsWith(v)))
        : undefined) ??
      findMapByName(maps, mapName) ??
      candidates[0];
    if (!map) {
      const why = maps.errors.map((e) => `${e.file}${e.path}: ${e.message}`).join('; ');
      diagnostics.push({
        severity: 'error',
        level: 'interchange',
        code: '024',
        rule: 'NO_MAP',
        message: `no map for ${to}${why ? ` (map errors: ${why})` : ''}`,
      });
      return { text: '', bytes: NO_BYTES, diagnostics };
    }
    const docs = Array.isArray(input) ? input : [input];
    const bodies: SegmentData[][] = [];
    docs.forEach((doc, i) => {
      const where = docs.length > 1 ? `[${i}]` : '';
      if (!isObject(doc)) {
        diagnostics.push({
          severity: 'error',
          level: 'transaction',
          code: '5',
          rule: 'NOT_A_DOCUMENT',
          message: `document${where} is not a JSON object`,
        });
        return;
      }
      const v = validateCanonical(map.definition.documentType, doc);
      if (!v.valid) {
        for (const e of v.errors)
          diagnostics.push({
            severity: 'error',
            level: 'transaction',
            code: '5',
            rule: 'CANONICAL_SCHEMA',
            message: `document${where}${e.pointer} ${e.message}`,
          });
        return;
      }
      const currencyProblem = singleCurrencyProblem(doc as JsonObject, to as RenderTarget);
      if (currencyProblem !== undefined) {
        diagnostics.push({
          severity: 'error',
          level: 'transaction',
          code: '5',
          rule: 'MIXED_CURRENCY',
          message: `document${where}: ${currencyProblem}`,
        });
        return;
      }
      const r = renderOutbound(
        map,
        doc as JsonObject,
        options.timeZone ? { timeZone: options.timeZone } : {},
      );
      diagnostics.push(...r.diagnostics);
      const segments = parties.x12 ? foldedToAscii(r.segments, where, diagnostics) : r.segments;
      diagnostics.push(
        ...characterSetProblems(segments, parties.x12 ? 'X12' : (syntax as EdiCharacterSet), where),
      );
      bodies.push(segments);
    });
    if (bodies.length === 0 || diagnostics.some((d) => d.severity === 'error'))
      return { text: '', bytes: NO_BYTES, diagnostics };
    const controlNumbers = options.controlNumbers ?? sequentialControlNumbers();
    const first = docs.find(isObject);
    const environment = isObject(first?.['source']) ? first['source']['environment'] : undefined;
    const usage = options.usage ?? (environment === 'test' ? 'T' : 'P');
    if (parties.x12) {
      const sets: X12SetOut[] = bodies.map((body) => ({ setId: map.definition.message, body }));
      const w = writeX12Interchange(
        [
          {
            functionalId: X12_FUNCTIONAL_ID[map.definition.message] ?? 'ZZ',
            version: options.version ?? '004010',
            sets,
          },
        ],
        {
          sender: parties.sender,
          receiver: parties.receiver,
          controlNumbers,
          usage,
          ...(options.now ? { now: options.now } : {}),
        },
      );
      diagnostics.push(...w.diagnostics);
      const problems = renderedX12Problems(w.text);
      if (problems.length > 0)
        return { text: '', bytes: NO_BYTES, diagnostics: [...diagnostics, ...problems] };
      return { text: w.text, bytes: encodeEdi(w.text, 'X12'), diagnostics };
    }
    const directory = options.version ?? map.definition.versions?.[0] ?? 'D96A';
    const syntaxVersion = edifactSyntaxVersion(syntax as EdifactSyntaxIdentifier);
    const segments = buildEdifactInterchange({
      syntaxIdentifier: syntax,
      syntaxVersion,
      sender: parties.sender,
      recipient: parties.receiver,
      preparedAt: options.now ?? new Date(),
      interchangeControlNumber: String(controlNumbers('interchange')),
      testIndicator: usage === 'T',
      messages: bodies.map((body) => ({
        messageReference: String(controlNumbers('transaction')),
        identifier: {
          type: map.definition.message,
          version: directory.slice(0, 1),
          release: directory.slice(1),
          controllingAgency: 'UN',
        },
        body,
      })),
    });
    const problems = [
      ...characterSetProblems(segments.slice(0, 1), syntax as EdiCharacterSet, ''),
      ...renderedEdifactProblems(segments, directory),
    ];
    if (problems.length > 0) return { text: '', bytes: NO_BYTES, diagnostics: [...diagnostics, ...problems] };
    const text = renderEdifact(segments, { delimiters: edifactDelimitersFor(syntaxVersion), diagnostics });
    return { text, bytes: encodeEdi(text, syntax as EdiCharacterSet), diagnostics };
  } catch (err) {
    diagnostics.push({
      severity: 'error',
      level: 'interchange',
      code: '024',
      rule: 'RENDER_FAILED',
      message: `render failed: ${errorText(err)}`,
    });
    return { text: '', bytes: NO_BYTES, diagnostics };
  }
}

/**
 * X12 segments with their values in ASCII where a reader would agree they say the same (Müller →
 * Muller), each change a warning: X12 carries printable ASCII only, and a shipment notice refused
 * over an accent would leave the partner without it. What has no such form is left for
 * characterSetProblems to refuse.
 */
function foldedToAscii(
  segments: readonly SegmentData[],
  where: string,
  diagnostics: Diagnostic[],
): SegmentData[] {
  return segments.map((segment, index) => {
    let changed = false;
    const elements = segment.elements.map((element, e) =>
      element.map((value) => {
        const folded = foldToAscii(value);
        if (folded === value) return value;
        changed = true;
        diagnostics.push({
          severity: 'warning',
          level: 'element',
          code: '6',
          rule: 'CHARACTER_FOLDED_TO_ASCII',
          message: `${where ? `document${where} ` : ''}${segment.tag} element ${e + 1} "${value}" is written as "${folded}": X12 carries printable ASCII only`,
          segmentId: segment.tag,
          segmentPosition: index + 2,
          elementPosition: e + 1,
        });
        return folded;
      }),
    );
    return changed ? { tag: segment.tag, elements } : segment;
  });
}

/**
 * Each value the character set cannot carry, as an error on its segment and element: the partner
 * could not read it (UNOC has no "中"). For EDIFACT, changing a name or an address on the way is
 * a change nobody agreed to: the partner chose its syntax, and UNOW carries everything. X12 has no
 * such choice, so its values are folded to ASCII first (foldedToAscii) and only what has no ASCII
 * form is refused here.
 */
function characterSetProblems(
  segments: readonly SegmentData[] | readonly EdifactOutSegment[],
  set: EdiCharacterSet,
  where: string,
): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const named = set === 'X12' ? 'the X12 character set (printable ASCII)' : `syntax identifier ${set}`;
  segments.forEach((segment, index) => {
    segment.elements.forEach((element, e) => {
      const components = element === undefined ? [] : typeof element === 'string' ? [element] : element;
      for (const value of components) {
        const ch = firstUnrepresentable(value, set);
        if (ch === undefined) continue;
        problems.push({
          severity: 'error',
          level: 'element',
          code: set === 'X12' ? '6' : '37',
          rule: 'CHARACTER_NOT_IN_SYNTAX',
          message: `${where ? `document${where} ` : ''}${segment.tag} element ${e + 1} "${value}": ${describeCharacter(ch)} is not in ${named}${set === 'X12' ? '' : ' (a partner that reads UTF-8 is configured with UNOW or UNOY)'}`,
          segmentId: segment.tag,
          segmentPosition: index + 2,
          elementPosition: e + 1,
        });
        break;
      }
    });
  });
  return problems;
}

/**
 * Why the document's amounts cannot go out in one currency, or undefined. A 210 (C301) and an
 * INVOIC (CUX) state one currency for every amount of the message; an amount in another one would
 * be read as the stated currency, and converting it is not the translator's business.
 */
function singleCurrencyProblem(doc: JsonObject, to: RenderTarget): string | undefined {
  if (to !== 'x12-210' && to !== 'edifact-invoic') return undefined;
  const amounts: { path: string; currency: string }[] = [];
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}/${i}`));
    else if (isObject(value)) {
      const currency = value['currency'];
      if (typeof currency === 'string' && 'amount' in value) amounts.push({ path, currency });
      for (const [k, v] of Object.entries(value)) visit(v, `${path}/${k}`);
    }
  };
  visit(doc, '');
  // The map writes netAmountDue's currency; without one, the first amount's.
  const stated = amounts.find((a) => a.path === '/netAmountDue') ?? amounts[0];
  const others = amounts.filter((a) => a.currency !== stated?.currency);
  if (stated === undefined || others.length === 0) return undefined;
  return `${others.map((a) => `${a.path} is in ${a.currency}`).join(', ')}, but ${to} states one currency for the whole message (${stated.currency}, from ${stated.path}); amounts are not converted`;
}

/*
 * The rendered interchange read back before it goes out. A canonical document that came from
 * another format can hold values the target has no place for (an EDIFACT status code in AT701, a
 * name qualifier X12 does not know), and a partner's strict translator would reject them: what our
 * own validator rejects is refused here, with its segment, element and reason, rather than sent.
 */

const renderedProblem = (what: string, d: Diagnostic): Diagnostic => ({
  ...d,
  rule: 'RENDERED_INVALID',
  message: `the rendered ${what} would be rejected (${d.rule}): ${d.message}`,
});

/** X12: each set through the set validator. */
function renderedX12Problems(text: string): Diagnostic[] {
  const tokenizer = new X12Tokenizer();
  const problems: Diagnostic[] = [];
  let set: Segment[] | undefined;
  let version = '';
  for (const token of [...tokenizer.push(text), ...tokenizer.end()]) {
    if (token.type === 'diagnostic') {
      problems.push(renderedProblem('X12', token.diagnostic));
      continue;
    }
    const seg = token.segment;
    if (seg.tag === 'GS') version = elementText(seg, 7);
    if (seg.tag === 'ST') set = [seg];
    else if (set) set.push(seg);
    if (seg.tag !== 'SE' || !set) continue;
    const setId = elementText(set[0]!, 0);
    const schema = x12SetSchema(setId, version);
    const st02 = elementText(set[0]!, 1);
    if (schema)
      for (const d of validateSet(schema, set, { transactionControlNumber: st02 }))
        if (d.severity === 'error') problems.push(renderedProblem(`${setId} ${st02}`, d));
    set = undefined;
  }
  return problems;
}

/** EDIFACT: each message's segments through the segment rules of its directory. */
function renderedEdifactProblems(segments: readonly EdifactOutSegment[], directory: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  let position = 0;
  let reference = '';
  for (const out of segments) {
    if (out.tag === 'UNH') {
      position = 1;
      reference = typeof out.elements[0] === 'string' ? out.elements[0] : '';
      continue;
    }
    if (position === 0 || out.tag.startsWith('UN')) continue;
    position++;
    const segment: Segment = {
      tag: out.tag,
      elements: out.elements.map((e) => (e === undefined ? [''] : typeof e === 'string' ? [e] : e)),
      ...(out.repetitions ? { repetitions: out.repetitions } : {}),
      offset: 0,
      index: position,
    };
    const context = {
      segmentPosition: position,
      version: directory.slice(0, 1),
      release: directory.slice(1),
    };
    for (const d of checkEdifactSegment(segment, context))
      if (d.severity === 'error')
        problems.push(renderedProblem(`message ${reference}`, { ...d, transactionControlNumber: reference }));
  }
  return problems;
}
