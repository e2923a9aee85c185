/**
 * POSTs JSON to Odoo over node:http(s) with a keep-alive agent. Network failures and timeouts become
 * retryable OdooErrors here, so both transports report them the same way.
 */
import http from 'node:http';
import https from 'node:https';
import { OdooError } from './odoo-errors.js';

export interface HttpJsonResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The Retry-After header, as sent. */
  readonly retryAfter?: string;
}

export interface KeepAliveAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

export function createKeepAliveAgents(maxSockets: number): KeepAliveAgents {
  const options = { keepAlive: true, maxSockets, keepAliveMsecs: 10_000 };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export function destroyAgents(agents: KeepAliveAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

export async function postJson(
  url: URL,
  body: unknown,
  headers: Readonly<Record<string, string>>,
  agents: KeepAliveAgents,
  timeoutMs: number,
  what: { readonly model?: string; readonly method?: string } = {},
): Promise<HttpJsonResponse> {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const isHttps = url.protocol === 'https:';
  const request = isHttps ? https.request : http.request;
  return new Promise<HttpJsonResponse>((resolve, reject) => {
    let settled = false;
    const fail = (error: OdooError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent: isHttps ? agents.https : agents.http,
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Content-Length': String(payload.length),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) =>
          fail(
            new OdooError('retryable', `Odoo response interrupted: ${error.message}`, {
              ...what,
              cause: error,
            }),
          ),
        );
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
            ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
          });
        });
      },
    );
    // One deadline for the whole exchange (connect, send, wait, read), not an idle-socket timeout.
    const timer = setTimeout(() => {
      fail(
        new OdooError('retryable', `Odoo did not answer within ${timeoutMs} ms (${url.pathname})`, {
          ...what,
          odooName: 'timeout',
        }),
      );
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      fail(
        new OdooError('retryable', `Odoo unreachable at ${url.origin}: ${error.code ?? error.message}`, {
          ...what,
          cause: error,
        }),
      );
    });
    req.end(payload);
  });
}

/** Longest Retry-After waited out inside one call; a longer one goes back to the job queue's backoff. */
export const MAX_RETRY_AFTER_WAIT_MS = 10_000;
/** Rate-limit answers waited out inside one call before giving up with a retryable error. */
export const MAX_RATE_LIMIT_WAITS = 3;

/** Retry-After as seconds (delta-seconds or an HTTP-date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * postJson, honouring rate limits: a 429 (or a 503 carrying Retry-After) means the request never
 * reached Odoo, so it is sent again, writes included, after the wait Odoo asked for (1 s when it did
 * not say), up to MAX_RATE_LIMIT_WAITS times and MAX_RETRY_AFTER_WAIT_MS each. Past that it is a
 * retryable error that carries the wait, so the caller backs off instead of hammering.
 */
export async function postJsonHonouringRateLimits(
  url: URL,
  body: unknown,
  headers: Readonly<Record<string, string>>,
  agents: KeepAliveAgents,
  timeoutMs: number,
  what: { readonly model?: string; readonly method?: string } = {},
): Promise<HttpJsonResponse> {
  for (let waits = 0; ; waits++) {
    const response = await postJson(url, body, headers, agents, timeoutMs, what);
    const limited = response.status === 429 || (response.status === 503 && response.retryAfter !== undefined);
    if (!limited) return response;
    const seconds = parseRetryAfter(response.retryAfter) ?? 1;
    if (waits < MAX_RATE_LIMIT_WAITS && seconds * 1000 <= MAX_RETRY_AFTER_WAIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      continue;
    }
    const call = what.model ? ` to ${what.model}.${what.method ?? '?'}` : '';
    throw new OdooError(
      'retryable',
      `Odoo is rate limiting (HTTP ${response.status}${call}); it asks to retry after ${seconds} s`,
      { ...what, httpStatus: response.status, retryAfterSeconds: seconds },
    );
  }
}

/** Parses a JSON body, or returns undefined (an HTML error page from a proxy, a truncated body). */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
