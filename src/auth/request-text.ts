import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException, ValidationProblem } from '../common/problem/problem-details.js';
import type { SchemaViolation } from '../common/json-schema.js';

/**
 * PostgreSQL text cannot hold U+0000: a NUL in an id, a filter or a stored field made the query
 * (or the later translation) fail, a 500 or a message left `received` for ever. No identifier or
 * business field needs one, so such input is refused up front with the field it is in.
 */
const NUL = '\u0000';
const MAX_REPORTED = 20;
const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every string (value or key) holding a NUL, by JSON pointer under `prefix`; at most 20. */
export function nulViolations(value: unknown, prefix = ''): SchemaViolation[] {
  const found: SchemaViolation[] = [];
  // Iterative: a deeply nested body must not exhaust the stack here.
  const pending: { value: unknown; pointer: string }[] = [{ value, pointer: prefix }];
  while (pending.length > 0 && found.length < MAX_REPORTED) {
    const { value: current, pointer } = pending.pop()!;
    if (typeof current === 'string') {
      if (current.includes(NUL)) found.push({ pointer, message: NUL_MESSAGE });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1)
        pending.push({ value: current[i], pointer: `${pointer}/${i}` });
    } else if (typeof current === 'object' && current !== null && !Buffer.isBuffer(current)) {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [name, inner] = entries[i]!;
        const at = `${pointer}/${escapePointer(name)}`;
        if (name.includes(NUL)) found.push({ pointer: at, message: `its name ${NUL_MESSAGE}` });
        else pending.push({ value: inner, pointer: at });
      }
    }
  }
  return found.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}

/**
 * Throws when a path parameter (400) or a query parameter (422, by pointer like every query
 * error) holds a NUL character, or when a query parameter is given twice: no v1 parameter takes
 * a list, and `?state=a&state=b` answered an empty page as though nothing matched.
 */
export function refuseUnusableParameters(request: FastifyRequest): void {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const inPath = Object.keys(params).filter((name) => nulViolations(params[name]).length > 0);
  if (inPath.length > 0) {
    throw new ProblemException(
      400,
      ProblemCode.BadRequest,
      `The path parameter ${inPath.join(', ')} contains the NUL character (U+0000), which no identifier holds.`,
    );
  }
  const query = (request.query ?? {}) as Record<string, unknown>;
  const repeated = Object.keys(query)
    .filter((name) => Array.isArray(query[name]))
    .map((name) => ({ pointer: `/${escapePointer(name)}`, message: 'must be given once' }));
  const inQuery = [...repeated, ...nulViolations(query)];
  if (inQuery.length > 0) throw new ValidationProblem(inQuery, 'The query parameters are not valid.');
}
