import { ProblemException } from '../common/problem/problem-details.js';
import { parseMessageListQuery } from '../messages/message-list-query.js';
import type { DocumentListFilter } from './document-reader.js';

export interface DocumentListQuery {
  state?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

/** Opaque to clients: base64url of the last item's (received µs, id). */
export function encodeDocumentCursor(next: { receivedUs: string; id: string }): string {
  return Buffer.from(`${next.receivedUs}.${next.id}`, 'utf8').toString('base64url');
}

function decodeDocumentCursor(cursor: string): { receivedUs: string; id: string } {
  const match = /^(\d{1,20})\.(.{1,200})$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ProblemException(400, 'invalid-cursor', 'The cursor is not one this API returned.');
  return { receivedUs: match[1]!, id: match[2]! };
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
    ...(cursor ? { after: decodeDocumentCursor(cursor) } : {}),
  };
}
