import type { FastifyRequest } from 'fastify';
import { ProblemCode, ProblemException, ValidationProblem } from '../common/problem/problem-details.js';
import { escapePointer, unstorableTextViolations } from '../common/storable-text.js';

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
