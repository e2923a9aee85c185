import type { SchemaViolation } from './json-schema.js';

/**
 * PostgreSQL's text and jsonb cannot hold U+0000, and jsonb refuses a lone surrogate (\uD800
 * without its pair). One such character made a whole transaction fail: a query with it was a 500,
 * and a message quoting it stayed `received` for ever.
 * - Partner input that must be kept as sent (an id, a filter, a document) is refused up front by
 *   field (`unstorableTextViolations`; the EDI readers report U+0000 as an invalid character).
 * - What we write about partner input (diagnostics quoting its bad data, a history cause or
 *   detail) shows them instead (`storableText`, `storableJson`): U+0000 as U+2400 (SYMBOL FOR
 *   NULL, "␀"), a lone surrogate as U+FFFD.
 */

const NUL = '\u0000';
const MAX_REPORTED = 20;
// Without the u flag a regexp sees UTF-16 code units: a high one not followed by a low one, or a low one alone.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
const SURROGATE_MESSAGE = 'must not contain a lone surrogate (an unpaired \\uD800-\\uDFFF)';

/** `text` as PostgreSQL can store it. */
export function storableText(text: string): string {
  return text.replaceAll(NUL, '\u2400').replace(LONE_SURROGATES, '\uFFFD');
}

/** `JSON.stringify(value)` with every string (keys too) made storable. */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key: string, inner: unknown) => {
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      const entries = Object.entries(inner as Record<string, unknown>);
      if (entries.some(([name]) => storableText(name) !== name)) {
        return Object.fromEntries(entries.map(([name, v]) => [storableText(name), v]));
      }
    }
    return typeof inner === 'string' ? storableText(inner) : inner;
  });
}

/** Why this text cannot be stored, or undefined. */
function unstorable(text: string): string | undefined {
  if (text.includes(NUL)) return NUL_MESSAGE;
  return LONE_SURROGATE.test(text) ? SURROGATE_MESSAGE : undefined;
}

export function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every string (value or key) that cannot be stored, by JSON pointer under `prefix`; at most 20. */
export function unstorableTextViolations(value: unknown, prefix = ''): SchemaViolation[] {
  const found: SchemaViolation[] = [];
  // Iterative: a deeply nested body must not exhaust the stack here.
  const pending: { value: unknown; pointer: string }[] = [{ value, pointer: prefix }];
  while (pending.length > 0 && found.length < MAX_REPORTED) {
    const { value: current, pointer } = pending.pop()!;
    if (typeof current === 'string') {
      const problem = unstorable(current);
      if (problem) found.push({ pointer, message: problem });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1)
        pending.push({ value: current[i], pointer: `${pointer}/${i}` });
    } else if (typeof current === 'object' && current !== null && !Buffer.isBuffer(current)) {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [name, inner] = entries[i]!;
        const at = `${pointer}/${escapePointer(name)}`;
        const problem = unstorable(name);
        if (problem) found.push({ pointer: at, message: `its name ${problem}` });
        else pending.push({ value: inner, pointer: at });
      }
    }
  }
  return found.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}
