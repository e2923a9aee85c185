/**
 * Where in an EDIFACT message a canonical-schema error comes from, so the CONTRL can name the
 * segment and element (UCS/UCD) the canonical model needed. Only what can be trusted is placed: a
 * field the model requires that the map reads from an element or component present but empty
 * (UCD 13, missing, at element:component). The occurrence count ignores segment groups (the first
 * RFF+ON may be a line's, SG16, not the header order the model missed), so a segment absent, or a
 * value that is there, stays a message-level error: UCM 0085 13 or 12, without a UCS pointing at
 * the wrong segment.
 */
import type { Diagnostic, Segment } from './edi-types.js';
import type { MapDefinition } from './map-definition.js';
import { EdifactSyntaxError } from './edifact-syntax-errors.js';
import { canonicalSource } from './x12-canonical-locate.js';
import { elementText } from './x12-segment.js';

/**
 * The location of the canonical error at `pointer` in document `docIndex` of the message
 * `segments` (UNH first: positions count from UNH = 1), or undefined when it cannot be placed.
 * `message` says which element, to be added to the error's own.
 */
export function locateEdifactCanonicalError(
  definition: MapDefinition,
  segments: readonly Segment[],
  pointer: string,
  message: string,
  docIndex: number,
): Partial<Diagnostic> | undefined {
  if (message !== 'is required') return undefined;
  const found = canonicalSource(definition, segments, pointer, docIndex);
  if (!found || found.at < 0) return undefined;
  const { source, at } = found;
  const seg = segments[at]!;
  if (elementText(seg, source.el - 1, (source.comp ?? 1) - 1).trim() !== '') return undefined;
  const name = `${source.seg} element ${source.el}${source.comp !== undefined ? `:${source.comp}` : ''}`;
  return {
    message: ` (from ${name}, which is empty)`,
    level: 'element',
    code: EdifactSyntaxError.Missing,
    segmentId: seg.tag,
    segmentPosition: at + 1,
    elementPosition: source.el,
    ...(source.comp !== undefined ? { componentPosition: source.comp } : {}),
    ...(seg.offset !== undefined ? { offset: seg.offset } : {}),
  };
}
