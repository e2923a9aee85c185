import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastValueFrom, of } from 'rxjs';
import { Reflector } from '@nestjs/core';
import { ApiOperation, DECORATORS } from '@nestjs/swagger';
import type { ExecutionContext } from '@nestjs/common';
import {
  Deprecated,
  DeprecationInterceptor,
  deprecationHeaders,
} from '../../../src/common/http/deprecated.decorator.js';

test('Deprecation is an RFC 9745 structured date, Sunset an RFC 8594 HTTP-date, Link names the notice', () => {
  assert.deepEqual(
    deprecationHeaders({
      since: '2027-01-01T00:00:00Z',
      sunset: '2027-07-01T00:00:00Z',
      link: 'https://crossdock.dev/changelog#v1-orders',
    }),
    {
      deprecation: '@1798761600',
      sunset: 'Thu, 01 Jul 2027 00:00:00 GMT',
      link: '<https://crossdock.dev/changelog#v1-orders>; rel="deprecation"; type="text/html"',
    },
  );
  assert.deepEqual(deprecationHeaders({ since: '2027-01-01' }), { deprecation: '@1798761600' });
  assert.throws(() => deprecationHeaders({ since: 'soon' }), /ISO 8601/);
});

test('a route marked @Deprecated sends the headers and is deprecated in OpenAPI', async () => {
  class Routes {
    @Deprecated({ since: '2027-01-01T00:00:00Z', sunset: '2027-07-01T00:00:00Z' })
    @ApiOperation({ summary: 'old route' })
    old(): string {
      return 'ok';
    }
  }
  const handler = Object.getOwnPropertyDescriptor(Routes.prototype, 'old')!.value as () => string;
  const operation = Reflect.getMetadata(DECORATORS.API_OPERATION, handler) as {
    summary: string;
    deprecated: boolean;
  };
  assert.equal(operation.summary, 'old route');
  assert.equal(operation.deprecated, true);

  const headers: Record<string, string> = {};
  const reply = { header: (name: string, value: string) => (headers[name] = value) };
  const context = {
    getHandler: () => handler,
    switchToHttp: () => ({ getResponse: () => reply }),
  } as unknown as ExecutionContext;
  const result = await lastValueFrom(
    new DeprecationInterceptor(new Reflector()).intercept(context, { handle: () => of('ok') }),
  );
  assert.equal(result, 'ok');
  assert.deepEqual(headers, { deprecation: '@1798761600', sunset: 'Thu, 01 Jul 2027 00:00:00 GMT' });
});
