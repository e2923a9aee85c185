import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loggerOptions } from '../../../src/ops/logger-options.js';
import { registerRequestLogging } from '../../../src/ops/request-logging.js';

describe('request logging hook', () => {
  test('under the version prefix a request gets its logging context and its completion line; elsewhere neither', async () => {
    const lines: Record<string, unknown>[] = [];
    const params = loggerOptions({ logLevel: 'info' } as AppConfig, {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const logger = new PinoLogger(params);
    let next = 0;
    const fastify = Fastify({
      genReqId: (req: IncomingMessage) => {
        const id = `corr-${(next += 1)}`;
        (req as IncomingMessage & { id?: string }).id = id;
        return id;
      },
    });
    registerRequestLogging(fastify, params, logger, '/v1');
    const handler = async () => {
      await new Promise((r) => setImmediate(r));
      logger.warn('inside the handler');
      return { ok: true };
    };
    fastify.get('/v1/me', handler);
    fastify.get('/health/live', handler);
    await fastify.ready();

    assert.equal(
      (await fastify.inject({ url: '/v1/me?x=1', headers: { authorization: 'Bearer t.o.k' } })).statusCode,
      200,
    );
    assert.equal((await fastify.inject({ url: '/health/live' })).statusCode, 200);
    await fastify.close();

    const request = {
      id: 'corr-1',
      method: 'GET',
      url: '/v1/me?x=1',
      remoteAddress: '127.0.0.1',
      userAgent: 'lightMyRequest',
    };
    assert.deepEqual(
      lines.map((l) => [l.msg, l.correlationId, l.req]),
      [
        ['inside the handler', 'corr-1', request],
        ['request completed', 'corr-1', request],
        ['inside the handler', undefined, undefined],
      ],
    );
    assert.deepEqual(lines[1]!.res, { statusCode: 200 });
    assert.doesNotMatch(JSON.stringify(lines), /t\.o\.k/);
  });
});
