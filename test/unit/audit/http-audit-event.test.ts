import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SYSTEM_TENANT } from '../../../src/audit/audit-event.js';
import { httpAuditEvent, isProbe, needsDurableAudit } from '../../../src/audit/http-audit-event.js';

describe('which HTTP entries are durable', () => {
  test('mutations and refusals are committed before the response; successful reads are buffered', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      assert.equal(needsDurableAudit(method, 200), true);
    for (const status of [400, 401, 403, 404, 429, 500]) assert.equal(needsDurableAudit('GET', status), true);
    assert.equal(needsDurableAudit('GET', 200), false);
    assert.equal(needsDurableAudit('HEAD', 304), false);
  });

  test('only successful probes are left out', () => {
    assert.equal(isProbe('/health/live', 200), true);
    assert.equal(isProbe('/metrics', 200), true);
    assert.equal(isProbe('/health/ready', 503), false);
    assert.equal(isProbe('/v1/me', 200), false);
    assert.equal(isProbe(undefined, 200), false);
  });
});

describe('the audit entry of an HTTP exchange', () => {
  const reply = (status: number, headers: Record<string, string> = {}) =>
    ({
      statusCode: status,
      elapsedTime: 12.5,
      getHeader: (name: string) => headers[name],
    }) as unknown as FastifyReply;

  test('who, what and how it ended, from the principal and the route template', () => {
    const request = {
      id: 'c-42',
      ip: '203.0.113.7',
      method: 'PUT',
      url: '/v1/shipments/S-9/events?debug=1',
      params: { id: 'S-9' },
      headers: { 'user-agent': 'carrier-bot/2', 'content-length': '812', authorization: 'Bearer secret.jwt' },
      routeOptions: { url: '/v1/shipments/:id/events' },
      principal: {
        tenantId: 'demo',
        partnerId: 'demo-carrier',
        clientId: 'demo-carrier',
        scopes: ['shipments:write'],
        tokenId: 'jti-1',
        issuer: 'http://localhost:3000',
      },
    } as unknown as FastifyRequest;
    const event = httpAuditEvent(request, reply(204), '');
    assert.deepEqual(
      { ...event, occurredAt: undefined },
      {
        occurredAt: undefined,
        tenantId: 'demo',
        kind: 'http',
        action: 'update',
        clientId: 'demo-carrier',
        partnerId: 'demo-carrier',
        sourceIp: '203.0.113.7',
        userAgent: 'carrier-bot/2',
        method: 'PUT',
        route: '/v1/shipments/:id/events',
        path: '/v1/shipments/S-9/events',
        resourceType: 'shipments',
        resourceId: 'S-9',
        status: 204,
        scopes: ['shipments:write'],
        correlationId: 'c-42',
        latencyMs: 12.5,
        bytesIn: 812,
        bytesOut: 0,
        reason: null,
      },
    );
    assert.ok(!JSON.stringify(event).includes('secret.jwt'));
  });

  test('a refused token request: the claimed client, the annotations, no tenant yet', () => {
    const request = {
      id: 'c-43',
      ip: '198.51.100.1',
      method: 'POST',
      url: '/oauth/token',
      params: {},
      headers: {},
      routeOptions: { url: '/oauth/token' },
      audit: { attemptedClientId: 'demo-3pl', action: 'token.issue', reason: 'wrong client secret' },
    } as unknown as FastifyRequest;
    const event = httpAuditEvent(
      request,
      reply(401, { 'content-length': '77' }),
      '{"error":"invalid_client"}',
    );
    assert.equal(event.tenantId, SYSTEM_TENANT);
    assert.equal(event.clientId, 'demo-3pl');
    assert.equal(event.action, 'token.issue');
    assert.equal(event.reason, 'wrong client secret');
    assert.equal(event.bytesOut, 77);
    assert.equal(event.resourceType, 'oauth');
  });
});
