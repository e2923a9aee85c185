import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException, ValidationProblem } from '../common/problem/problem-details.js';
import type { SchemaViolation } from '../common/json-schema.js';

/**
 * PostgreSQL text cannot hold U+0000, and its jsonb refuses a lone surrogate (\uD800 without its
 * pair): such a value in an id or a filter made the query fail (a 500); in a document it was
 * accepted, then its translation could not store it and the message stayed `received` for ever.
 * No identifier or business field needs either, so such input is refused up front by field.
 */
const NUL = '\u0000';
const MAX_REPORTED = 20;
// Without the u flag a regexp sees UTF-16 code units: a high one not followed by a low one, or a low one alone.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
const SURROGATE_MESSAGE = 'must not contain a lone surrogate (an unpaired \\uD800-\\uDFFF)';

/** Why this text cannot be stored, or undefined. */
function unstorable(text: string): string | undefined {
  if (text.includes(NUL)) return NUL_MESSAGE;
  return LONE_SURROGATE.test(text) ? SURROGATE_MESSAGE : undefined;
}

function escapePointer(name: string): string {
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

/**
 * Throws when a path parameter (400) or a query parameter (422, by pointer like every query
 * error) holds a NUL character or a lone surrogate, or when a query parameter is given twice: no v1 parameter takes
 * a list, and `?state=a&state=b` answered an empty page as though nothing matched.
 */
export function refuseUnusableParameters(request: FastifyRequest): void {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const inPath = Object.keys(params).filter((name) => unstorableTextViolations(params[name]).length > 0);
  if (inPath.length > 0) {
    throw new ProblemException(
      400,
      ProblemCode.BadRequest,
      `The path parameter ${inPath.join(', ')} contains the NUL character (U+0000) or a lone surrogate, which no identifier holds.`,
    );
  }
  const query = (request.query ?? {}) as Record<string, unknown>;
  const repeated = Object.keys(query)
    .filter((name) => Array.isArray(query[name]))
    .map((name) => ({ pointer: `/${escapePointer(name)}`, message: 'must be given once' }));
  const inQuery = [...repeated, ...unstorableTextViolations(query)];
  if (inQuery.length > 0) throw new ValidationProblem(inQuery, 'The query parameters are not valid.');
}
