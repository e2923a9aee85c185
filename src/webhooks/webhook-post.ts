import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, refusedTarget } from './webhook-target.js';

/** The URL as written may never be called (not a public address): retrying cannot help. */
export class WebhookTargetRefused extends Error {}

/**
 * POSTs one delivery and answers the receiver's status. No redirect is followed; the connection
 * only goes to an address `guardedLookup` accepted.
 */
export function postWebhook(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  options: { readonly allowLoopback: boolean; readonly timeoutMs: number },
): Promise<number> {
  const refused = refusedTarget(url, options.allowLoopback);
  if (refused) return Promise.reject(new WebhookTargetRefused(`webhook URL ${url} ${refused}`));
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = Buffer.from(body, 'utf8');
  return new Promise<number>((resolve, reject) => {
    const request = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(payload.length) },
        lookup: guardedLookup(options.allowLoopback),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response: IncomingMessage) => {
        // The answer's body is not needed; read it so the socket is released.
        response.resume();
        response.on('error', reject);
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    // A name that resolved to a refused address this time is not refused for good (a DNS filter
    // answering 0.0.0.0, a partner moving hosts): it fails this attempt and is retried like any
    // other failure. Only a URL refused as written (above) is final.
    request.on('error', reject);
    request.end(payload);
  });
}
