import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import type { Logger } from 'pino';
import { pinoHttp, type Options } from 'pino-http';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loggerOptions } from '../../../src/ops/logger-options.js';

/** The request logger as the app builds it, writing its lines into `lines`. */
function requestLogger(level: string, lines: Record<string, unknown>[]) {
  const options = loggerOptions({ logLevel: level } as AppConfig, {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  }).pinoHttp;
  assert.ok(options && typeof options === 'object' && !Array.isArray(options));
  return pinoHttp(options as Options);
}

function exchange(url: string, headers: Record<string, string>) {
  const req = Object.assign(new EventEmitter(), {
    id: 'corr-7',
    method: 'GET',
    url,
    headers,
    socket: { remoteAddress: '198.51.100.4' },
  }) as unknown as IncomingMessage & { log: Logger };
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    headersSent: true,
    writableEnded: true,
  }) as unknown as ServerResponse;
  return { req, res };
}

describe('request logs', () => {
  test('every line written for a request carries its correlation id, top-level and in req', () => {
    const lines: Record<string, unknown>[] = [];
    const middleware = requestLogger('info', lines);
    const { req, res } = exchange('/v1/me', { 'user-agent': 'carrier-bot/2', authorization: 'Bearer t.o.k' });
    middleware(req, res, () => undefined);
    req.log.warn('slow partner');
    (res as unknown as EventEmitter).emit('finish');

    assert.equal(lines.length, 2);
    const [inRequest, completed] = lines as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(inRequest.msg, 'slow partner');
    assert.equal(inRequest.correlationId, 'corr-7');
    assert.equal(completed.msg, 'request completed');
    assert.equal(completed.correlationId, 'corr-7');
    assert.deepEqual(completed.req, {
      id: 'corr-7',
      method: 'GET',
      url: '/v1/me',
      remoteAddress: '198.51.100.4',
      userAgent: 'carrier-bot/2',
    });
    assert.deepEqual(completed.res, { statusCode: 200 });
    assert.doesNotMatch(JSON.stringify(lines), /t\.o\.k/);
  });

  test('lines outside a request get no correlation id; secrets in them are redacted', () => {
    const lines: Record<string, unknown>[] = [];
    const middleware = requestLogger('info', lines);
    middleware.logger.info({ client: { secret: 's3cret' } }, 'boot');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.correlationId, undefined);
    assert.deepEqual(lines[0]!.client, { secret: '[redacted]' });
  });

  test('probes are not logged, and above info a successful request writes nothing', () => {
    const lines: Record<string, unknown>[] = [];
    const quiet = requestLogger('warn', lines);
    const one = exchange('/v1/me', {});
    quiet(one.req, one.res, () => undefined);
    (one.res as unknown as EventEmitter).emit('finish');
    const verbose = requestLogger('info', lines);
    const probe = exchange('/health/live', {});
    verbose(probe.req, probe.res, () => undefined);
    (probe.res as unknown as EventEmitter).emit('finish');
    assert.deepEqual(lines, []);
  });

  test('above info, a request that writes no line is never serialized; one that does reads as at info', () => {
    const lines: Record<string, unknown>[] = [];
    const middleware = requestLogger('warn', lines);
    const read: string[] = [];
    const watched = (url: string) => {
      const { req, res } = exchange(url, { 'user-agent': 'carrier-bot/2', authorization: 'Bearer t.o.k' });
      for (const key of ['headers', 'socket'] as const) {
        const value = req[key];
        Object.defineProperty(req, key, {
          get: () => {
            read.push(key);
            return value;
          },
        });
      }
      return { req, res };
    };
    const quiet = watched('/v1/me');
    middleware(quiet.req, quiet.res, () => undefined);
    quiet.req.log.info('below the level');
    (quiet.res as unknown as EventEmitter).emit('finish');
    assert.deepEqual(read, []);
    assert.equal(lines.length, 0);

    const loud = watched('/v1/shipments');
    middleware(loud.req, loud.res, () => undefined);
    loud.req.log.warn('slow partner');
    (loud.res as unknown as EventEmitter).emit('finish');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.msg, 'slow partner');
    assert.equal(lines[0]!.correlationId, 'corr-7');
    assert.deepEqual(lines[0]!.req, {
      id: 'corr-7',
      method: 'GET',
      url: '/v1/shipments',
      remoteAddress: '198.51.100.4',
      userAgent: 'carrier-bot/2',
    });
    assert.doesNotMatch(JSON.stringify(lines), /t\.o\.k/);
  });

  test("fields added to a request's logger (a child, or set on it) join its request binding", () => {
    const lines: Record<string, unknown>[] = [];
    const middleware = requestLogger('info', lines);
    const { req, res } = exchange('/v1/me', {});
    middleware(req, res, () => undefined);
    req.log.child({ tenant: 'demo', client: { secret: 's3cret' } }).warn('from a child');
    req.log.setBindings({ partner: 'acme' });
    req.log.warn('after setBindings');
    assert.equal(lines.length, 2);
    const [fromChild, afterSet] = lines as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(fromChild.tenant, 'demo');
    assert.deepEqual(fromChild.client, { secret: '[redacted]' });
    assert.equal(fromChild.correlationId, 'corr-7');
    assert.equal((fromChild.req as { url: string }).url, '/v1/me');
    assert.equal(fromChild.partner, undefined);
    assert.equal(afterSet.partner, 'acme');
    assert.equal(afterSet.correlationId, 'corr-7');
    assert.equal((afterSet.req as { url: string }).url, '/v1/me');
  });
});
