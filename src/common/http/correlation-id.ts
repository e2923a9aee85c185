import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';
// Accept a caller's id only if it is short and plain: it is echoed in headers and logs.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of every request: the caller's `X-Correlation-ID` when sane, else a new UUID. */
export function correlationIdFor(request: IncomingMessage): string {
  const header = request.headers[CORRELATION_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value && ACCEPTABLE.test(value) ? value : randomUUID();
}
