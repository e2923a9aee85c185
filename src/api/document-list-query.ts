import { decodePageCursor } from '../common/page-cursor.js';
import { ValidationProblem } from '../common/problem/problem-details.js';
import { InboundState, type DocumentState } from '../messages/message-state.js';
import { parseMessageListQuery } from '../messages/message-list-query.js';
import type { DocumentListFilter } from './document-reader.js';

/** Every state a document can be in (`DocumentState`). */
export const DOCUMENT_STATES: readonly string[] = [
  InboundState.Translated,
  InboundState.Delivering,
  InboundState.Delivered,
  InboundState.Rejected,
  InboundState.Failed,
  InboundState.DeadLettered,
  InboundState.HeldTest,
] satisfies readonly DocumentState[];

export interface DocumentListQuery {
  state?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

/** Same parameters, limits and pointers as the messages list (one vocabulary for every list). */
export function parseDocumentListQuery(query: DocumentListQuery): DocumentListFilter {
  const { cursor, ...rest } = query;
  // A state a document never has (a typo, a message state) matched nothing: an empty page that
  // read as "none of yours is in that state".
  if (rest.state !== undefined && !DOCUMENT_STATES.includes(rest.state)) {
    throw new ValidationProblem(
      [{ pointer: '/state', message: `must be one of ${DOCUMENT_STATES.join(', ')}` }],
      'The query parameters are not valid.',
    );
  }
  const parsed = parseMessageListQuery(rest);
  return {
    limit: parsed.limit,
    ...(parsed.state ? { state: parsed.state } : {}),
    ...(parsed.from ? { from: parsed.from } : {}),
    ...(parsed.to ? { to: parsed.to } : {}),
    ...(cursor ? { after: decodePageCursor(cursor) } : {}),
  };
}
