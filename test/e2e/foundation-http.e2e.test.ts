import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ProbeModule } from '../support/probe.module.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PROBLEM = /^application\/problem\+json/;

describe('HTTP foundation (app on a random port, real PostgreSQL)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ extraModules: [ProbeModule], env: { BODY_LIMIT: '4kb' } });
  });
  after(async () => {
    await server?.close();
  });

  test('readiness reports the database and the migrations', async () => {
    const response = await fetch(`${server.url}/health/ready`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; details: Record<string, { status: string }> };
    assert.equal(body.status, 'ok');
    assert.equal(body.details.database?.status, 'up');
    assert.equal(body.details.migrations?.status, 'up');
    assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
  });

  test('a correlation id is generated, or taken from the caller and echoed', async () => {
    const generated = await fetch(`${server.url}/health/live`);
    assert.match(generated.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
    const given = await fetch(`${server.url}/health/live`, {
      headers: { 'X-Correlation-ID': 'order-4711.trace:1' },
    });
    assert.equal(given.headers.get('x-correlation-id'), 'order-4711.trace:1');
    const hostile = await fetch(`${server.url}/health/live`, {
      headers: { 'X-Correlation-ID': 'a b<script>' },
    });
    assert.notEqual(hostile.headers.get('x-correlation-id'), 'a b<script>');
  });

  test('an unknown route is a problem+json 404 with the correlation id', async () => {
    const response = await fetch(`${server.url}/v1/nothing-here?x=1`, {
      headers: { 'X-Correlation-ID': 'c-404' },
    });
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', PROBLEM);
    assert.deepEqual(await response.json(), {
      type: 'https://crossdock.dev/problems/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No route GET /v1/nothing-here.',
      instance: '/v1/nothing-here',
      correlationId: 'c-404',
      code: 'not-found',
    });
  });

  test('validation errors list every bad field by JSON pointer', async () => {
    const response = await fetch(`${server.url}/v1/probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', lines: [{ sku: 'A' }, { sku: 'B', quantity: 0 }], extra: true }),
    });
    assert.equal(response.status, 422);
    assert.match(response.headers.get('content-type') ?? '', PROBLEM);
    const body = (await response.json()) as { code: string; errors: { pointer: string; message: string }[] };
    assert.equal(body.code, 'validation-failed');
    assert.deepEqual(body.errors.map((e) => e.pointer).sort(), [
      '/extra',
      '/lines/0/quantity',
      '/lines/1/quantity',
      '/name',
    ]);
    assert.equal(body.errors.find((e) => e.pointer === '/lines/0/quantity')?.message, 'is required');
  });

  test('a valid body passes the pipe', async () => {
    const response = await fetch(`${server.url}/v1/probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ok', lines: [{ sku: 'A', quantity: 2 }] }),
    });
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { received: 'ok' });
  });

  test('malformed JSON is a 400 problem', async () => {
    const response = await fetch(`${server.url}/v1/probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "x",',
    });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', PROBLEM);
    const body = (await response.json()) as { code: string; correlationId: string };
    assert.equal(body.code, 'malformed-json');
    assert.ok(body.correlationId);
  });

  test('an oversized body is a 413 problem', async () => {
    const response = await fetch(`${server.url}/v1/probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(10_000), lines: [] }),
    });
    assert.equal(response.status, 413);
    assert.match(response.headers.get('content-type') ?? '', PROBLEM);
    assert.equal(((await response.json()) as { code: string }).code, 'payload-too-large');
  });

  test('an unsupported content type is a 415 problem', async () => {
    const response = await fetch(`${server.url}/v1/probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded-nope' },
      body: 'name=x',
    });
    assert.equal(response.status, 415);
    assert.match(response.headers.get('content-type') ?? '', PROBLEM);
    assert.equal(((await response.json()) as { code: string }).code, 'unsupported-media-type');
  });

  test('an unexpected error is a 500 problem without internals', async () => {
    const response = await fetch(`${server.url}/v1/probe/crash`, {
      headers: { 'X-Correlation-ID': 'c-500' },
    });
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.ok(!text.includes('SELECT') && !text.includes('/srv/app') && !text.includes('at '), text);
    const body = JSON.parse(text) as { code: string; correlationId: string; detail: string };
    assert.equal(body.code, 'internal-error');
    assert.equal(body.correlationId, 'c-500');
  });

  test('security headers are set', async () => {
    const response = await fetch(`${server.url}/health/live`);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(response.headers.get('content-security-policy'));
    assert.ok(response.headers.get('strict-transport-security'));
  });

  test('/metrics exposes the request histogram by route template and status, and process metrics', async () => {
    await fetch(`${server.url}/v1/nothing-here`);
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(
      text,
      /crossdock_http_request_duration_seconds_bucket\{[^}]*route="\/health\/ready"[^}]*status="200"/,
    );
    assert.match(
      text,
      /crossdock_http_request_duration_seconds_count\{[^}]*route="\/v1\/probe"[^}]*status="422"/,
    );
    assert.match(text, /crossdock_process_resident_memory_bytes/);
    // Read from the message store at each scrape: every tenant, nothing waiting yet.
    assert.match(text, /crossdock_messages_waiting_received\{tenant="demo"\} 0\n/);
    assert.match(text, /crossdock_messages_waiting_received_oldest_seconds\{tenant="demo-b"\} 0\n/);
  });

  test('/docs serves the interactive documentation and the OpenAPI document', async () => {
    const html = await fetch(`${server.url}/docs`);
    assert.equal(html.status, 200);
    assert.match(await html.text(), /swagger-ui/i);
    const json = await fetch(`${server.url}/docs/openapi.json`);
    assert.equal(json.status, 200);
    const document = (await json.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(document.openapi, /^3\./);
    assert.ok(document.paths['/health/ready']);
  });
});
