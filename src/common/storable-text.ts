/**
 * PostgreSQL's text and jsonb cannot hold U+0000, and jsonb refuses a lone surrogate. What we
 * write about a partner's input (diagnostics quoting its bad data, a history cause or detail) may
 * carry either, and one such character made the whole transaction fail, leaving the message in
 * `received`. These helpers show them instead: U+0000 as U+2400 (SYMBOL FOR NULL, "␀"), a lone
 * surrogate as U+FFFD. They are for our own reports, never for a partner's document: documents
 * holding such text are refused before they get here (src/auth/request-text.ts for REST; the EDI
 * readers report U+0000 as an invalid character).
 */
// Without the u flag a regexp sees UTF-16 code units: a high one not followed by a low one, or a low one alone.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` as PostgreSQL can store it. */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\u2400').replace(LONE_SURROGATE, '\uFFFD');
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
