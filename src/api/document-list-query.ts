import { decodePageCursor } from '../common/page-cursor.js';
import { parseMessageListQuery } from '../messages/message-list-query.js';
import type { DocumentListFilter } from './document-reader.js';

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
  const parsed = parseMessageListQuery(rest);
  return {
    limit: parsed.limit,
    ...(parsed.state ? { state: parsed.state } : {}),
    ...(parsed.from ? { from: parsed.from } : {}),
    ...(parsed.to ? { to: parsed.to } : {}),
    ...(cursor ? { after: decodePageCursor(cursor) } : {}),
  };
}
