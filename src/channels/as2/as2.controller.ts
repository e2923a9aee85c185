import { Controller, HttpCode, Post, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Public } from '../../common/http/public.decorator.js';
import { ProblemException, defaultCodeFor } from '../../common/problem/problem-details.js';
import { As2Receiver } from './as2-receiver.js';

/** Media types an AS2 body may be declared as; their bytes reach the receiver untouched. */
export const AS2_CONTENT_TYPES = [
  'multipart/signed',
  'multipart/report',
  'application/pkcs7-mime',
  'application/x-pkcs7-mime',
  'application/octet-stream',
];

/** The Content-Type the partner declared, kept on the request once the body is read as bytes. */
const DECLARED_CONTENT_TYPE = Symbol('AS2 declared Content-Type');
type As2Request = FastifyRequest & { [DECLARED_CONTENT_TYPE]?: string | undefined };

/**
 * `onRequest` hook: every `POST /as2` body is read as bytes, whatever its Content-Type. An unprotected
 * AS2 message may be declared `text/plain`, `application/xml`, anything, or nothing at all; a text or
 * JSON parser would decode (and so alter) its bytes or refuse it with 415, and the message would be
 * lost. The declared type is kept for the receiver, which reads it as AS2 does.
 */
export function readAs2BodiesAsBytes(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (request.method === 'POST' && request.routeOptions.url === '/as2') {
    (request as As2Request)[DECLARED_CONTENT_TYPE] = request.headers['content-type'];
    request.headers['content-type'] = 'application/octet-stream';
  }
  done();
}

/**
 * `POST /as2`: version neutral (partners configure one URL for years) and left out of the OpenAPI
 * document: AS2 is a transport contract (RFC 4130) authenticated by signatures, not a REST resource.
 */
@ApiExcludeController()
@Controller({ path: 'as2', version: VERSION_NEUTRAL })
export class As2Controller {
  constructor(private readonly receiver: As2Receiver) {}

  @Post()
  @Public()
  @HttpCode(200)
  async receive(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const declared = (request as As2Request)[DECLARED_CONTENT_TYPE];
    const headers = { ...request.headers };
    if (declared === undefined) delete headers['content-type'];
    else headers['content-type'] = declared;
    const answer = await this.receiver.receive({ headers, body, sourceIp: request.ip });
    if (answer.problem)
      throw new ProblemException(answer.status, defaultCodeFor(answer.status), answer.problem.detail);
    await reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
}
