import { ProblemException } from './problem/problem-details.js';

/** Where a keyset page ended: the last item's sort position (whole µs or ms since the epoch) and id. */
export interface PagePosition {
  readonly at: string;
  readonly id: string;
}

const ANY_ID = /^.{1,200}$/s;

/** The `nextCursor` of every list: base64url of `<at>.<id>`, opaque to clients. */
export function encodePageCursor(position: PagePosition): string {
  return Buffer.from(`${position.at}.${position.id}`, 'utf8').toString('base64url');
}

/** The position a cursor of `encodePageCursor` names; anything else is a 400 `invalid-cursor`. */
export function decodePageCursor(cursor: string, idPattern: RegExp = ANY_ID): PagePosition {
  const match = /^(\d{1,20})\.(.*)$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || !idPattern.test(match[2]!)) throw invalidCursor();
  return { at: match[1]!, id: match[2]! };
}

export function invalidCursor(): ProblemException {
  return new ProblemException(400, 'invalid-cursor', 'The cursor is not one this API returned.');
}
