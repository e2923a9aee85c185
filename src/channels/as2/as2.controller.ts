import { Controller, HttpCode, Post, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
    const answer = await this.receiver.receive({ headers: request.headers, body, sourceIp: request.ip });
    if (answer.problem)
      throw new ProblemException(answer.status, defaultCodeFor(answer.status), answer.problem.detail);
    await reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
}
