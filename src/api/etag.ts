import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Sets a strong `ETag` (a digest of the JSON body) and answers 304 without a body when the
 * client's `If-None-Match` already names it: pollers of tracking pay for changes only.
 */
export function conditional<T>(request: FastifyRequest, reply: FastifyReply, body: T): T | undefined {
  const tag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  reply.header('etag', tag);
  const header = request.headers['if-none-match'];
  const candidates = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((value) => value.trim().replace(/^W\//, ''));
  if (candidates.includes(tag) || candidates.includes('*')) {
    reply.status(304);
    return undefined;
  }
  return body;
}
