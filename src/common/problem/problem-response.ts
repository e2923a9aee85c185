import type { FastifyReply } from 'fastify';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details.js';

export function sendProblem(
  reply: FastifyReply,
  problem: ProblemDetails,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (reply.sent) return;
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
