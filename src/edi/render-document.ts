/**
 * Canonical documents → EDI text: validate against the canonical schema, run the map outbound, and
 * wrap the bodies in an X12 (ISA/GS/ST) or EDIFACT (UNB/UNH) envelope. Several documents of one
 * target go into one interchange.
 */
import { errorText } from './edi-diagnostic.js';
import { validateCanonical } from '../canonical/canonical-validator.js';
import type { Diagnostic } from './edi-types.js';
import { buildEdifactInterchange } from './edifact-envelope-writer.js';
import { renderEdifact } from './edifact-writer.js';
import { findMapByName, loadMaps } from './map-loader.js';
import { renderOutbound, type SegmentData } from './map-engine.js';
import { isObject, type JsonObject } from './map-paths.js';
import {
  parseIdentity,
  sequentialControlNumbers,
  writeX12Interchange,
  type ControlNumberGenerator,
  type X12SetOut,
} from './x12-writer.js';

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
  /** `QQ:ID` (X12 ISA qualifier and id; ZZ when no qualifier) or the EDIFACT party id. */
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
}

export interface RenderResult {
  /** Empty when nothing could be rendered. */
  readonly text: string;
  readonly diagnostics: Diagnostic[];
}

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
      return { text: '', diagnostics };
    }
    const maps = loadMaps({
      ...(options.mapsDir ? { mapsDir: options.mapsDir } : {}),
      ...(options.partnerId ? { partnerId: options.partnerId } : {}),
    });
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
      return { text: '', diagnostics };
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
      const r = renderOutbound(
        map,
        doc as JsonObject,
        options.timeZone ? { timeZone: options.timeZone } : {},
      );
      diagnostics.push(...r.diagnostics);
      bodies.push(r.segments);
    });
    if (bodies.length === 0 || diagnostics.some((d) => d.severity === 'error'))
      return { text: '', diagnostics };
    const controlNumbers = options.controlNumbers ?? sequentialControlNumbers();
    const first = docs.find(isObject);
    const environment = isObject(first?.['source']) ? first['source']['environment'] : undefined;
    const usage = options.usage ?? (environment === 'test' ? 'T' : 'P');
    if (standard === 'x12') {
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
          sender: parseIdentity(options.sender ?? 'ZZ:CROSSDOCK'),
          receiver: parseIdentity(options.receiver ?? 'ZZ:PARTNER'),
          controlNumbers,
          usage,
          ...(options.now ? { now: options.now } : {}),
        },
      );
      diagnostics.push(...w.diagnostics);
      return { text: w.text, diagnostics };
    }
    const directory = options.version ?? map.definition.versions?.[0] ?? 'D96A';
    const segments = buildEdifactInterchange({
      sender: { id: options.sender ?? 'CROSSDOCK' },
      recipient: { id: options.receiver ?? 'PARTNER' },
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
    return { text: renderEdifact(segments), diagnostics };
  } catch (err) {
    diagnostics.push({
      severity: 'error',
      level: 'interchange',
      code: '024',
      rule: 'RENDER_FAILED',
      message: `render failed: ${errorText(err)}`,
    });
    return { text: '', diagnostics };
  }
}
