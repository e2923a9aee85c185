import { ProblemCode, ProblemException } from '../common/problem/problem-details.js';

/**
 * Page cursors are opaque to callers (they may change shape), but only ever carry a position in
 * the caller's own chain: the tenant always comes from the token, never from the cursor.
 */
export function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ v: 1, before: seq })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      v?: unknown;
      before?: unknown;
    };
    if (parsed.v === 1 && Number.isSafeInteger(parsed.before) && (parsed.before as number) > 0) {
      return parsed.before as number;
    }
  } catch {
    // fall through to the problem below
  }
  throw new ProblemException(400, ProblemCode.BadRequest, 'The cursor is not one this API handed out.');
}
