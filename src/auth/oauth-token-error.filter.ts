import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OAuthTokenError } from './oauth-token-error.js';

export const TOKEN_REALM = 'crossdock';

/** Answers a refused token request per RFC 6749 §5.2, on the token controller only. */
@Catch(OAuthTokenError)
export class OAuthTokenErrorFilter implements ExceptionFilter {
  catch(exception: OAuthTokenError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return;
    // RFC 6749 §5.2: a failed client authentication is a 401 with the scheme the client should use.
    if (exception.error === 'invalid_client') {
      reply.header('www-authenticate', `Basic realm="${TOKEN_REALM}", charset="UTF-8"`);
    }
    reply
      .status(exception.status)
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ error: exception.error, error_description: exception.description }));
  }
}
