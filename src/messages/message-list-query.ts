import { decodePageCursor } from '../common/page-cursor.js';
import { ValidationProblem } from '../common/problem/problem-details.js';
import { InboundState, OutboundState } from './message-state.js';
import type { MessageFilter } from './message-store.js';

/** Every state a message can be in, inbound or outbound: a filter on any other matches nothing. */
export const MESSAGE_STATES: readonly string[] = [
  ...new Set<string>([...Object.values(InboundState), ...Object.values(OutboundState)]),
];

export const MAX_PAGE_SIZE = 200;
/** Messages page by (received µs, uuid). */
const MESSAGE_ID = /^[0-9a-f-]{36}$/;

export interface MessageListQuery {
  state?: string;
  partnerId?: string;
  direction?: string;
  documentType?: string;
  from?: string;
  to?: string;
  correlationId?: string;
  limit?: string;
  cursor?: string;
}

/** Query string → filter, each bad parameter named by its pointer. */
export function parseMessageListQuery(
  query: MessageListQuery,
): Omit<MessageFilter, 'partnerId'> & { partnerId?: string } {
  const errors: { pointer: string; message: string }[] = [];
  const date = (name: 'from' | 'to'): Date | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
      errors.push({ pointer: `/${name}`, message: 'must be an ISO 8601 date-time' });
      return undefined;
    }
    return parsed;
  };
  let limit = 50;
  if (query.limit !== undefined) {
    // Digits only: Number() would also read "1e2", "0x10" or " 7 ".
    limit = /^\d{1,4}$/.test(query.limit) ? Number(query.limit) : Number.NaN;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      errors.push({ pointer: '/limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
    }
  }
  if (query.state !== undefined && !MESSAGE_STATES.includes(query.state)) {
    errors.push({ pointer: '/state', message: `must be one of ${MESSAGE_STATES.join(', ')}` });
  }
  if (query.direction !== undefined && query.direction !== 'inbound' && query.direction !== 'outbound') {
    errors.push({ pointer: '/direction', message: 'must be inbound or outbound' });
  }
  const from = date('from');
  const to = date('to');
  if (errors.length > 0) throw new ValidationProblem(errors, 'The query parameters are not valid.');
  return {
    limit,
    ...(query.state ? { state: query.state } : {}),
    ...(query.partnerId ? { partnerId: query.partnerId } : {}),
    ...(query.direction ? { direction: query.direction as 'inbound' | 'outbound' } : {}),
    ...(query.documentType ? { documentType: query.documentType } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(query.correlationId ? { correlationId: query.correlationId } : {}),
    ...(query.cursor ? { after: decodePageCursor(query.cursor, MESSAGE_ID) } : {}),
  };
}
