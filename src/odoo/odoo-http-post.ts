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
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
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
