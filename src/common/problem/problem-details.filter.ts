import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { toProblem } from './problem-mapping.js';
import { sendProblem } from './problem-response.js';

/** The one place where an error becomes an HTTP response. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    this.logger.setContext('ProblemDetailsFilter');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers } = toProblem(exception, request);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, correlationId: request.id }, 'request failed');
    } else if (!(exception instanceof HttpException)) {
      this.logger.debug({ err: exception, correlationId: request.id }, 'request refused');
    }
    sendProblem(reply, problem, headers);
  }
}
