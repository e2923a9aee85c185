import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeCursor, encodeCursor } from '../../../src/audit/audit-cursor.js';
import { parseExportParams, parseListParams } from '../../../src/audit/audit-query-params.js';
import { auditWhere } from '../../../src/audit/audit-query.js';
import { ProblemException, ValidationProblem } from '../../../src/common/problem/problem-details.js';

describe('audit query parameters', () => {
  test('filters become typed values and a tenant-first WHERE clause', () => {
    const parsed = parseListParams({
      from: '2026-11-27T00:00:00Z',
      to: '2026-11-28T00:00:00+01:00',
      clientId: 'demo-carrier',
      outcome: '4xx',
      route: '/v1/me',
      limit: '50',
    });
    assert.equal(parsed.limit, 50);
    assert.deepEqual(parsed.query.outcome, { statusClass: 4 });
    assert.equal(parsed.query.to?.toISOString(), '2026-11-27T23:00:00.000Z');
    const where = auditWhere('demo', parsed.query);
    assert.equal(
      where.sql,
      'tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND client_id = $4 AND status >= $5 * 100 AND status < ($5 + 1) * 100 AND route = $6',
    );
    assert.deepEqual(where.params.slice(0, 1), ['demo']);
    assert.deepEqual(parseListParams({ outcome: '429' }).query.outcome, { status: 429 });
    assert.equal(parseListParams({}).limit, 100);
  });

  test('every bad parameter is named by pointer in one 422', () => {
    assert.throws(
      () => parseListParams({ from: 'yesterday', limit: '501', outcome: 'bad', clientId: ['a', 'b'] }),
      (error: unknown) =>
        error instanceof ValidationProblem &&
        JSON.stringify(
          (error.extensions as { errors: { pointer: string }[] }).errors.map((e) => e.pointer),
        ) === JSON.stringify(['/from', '/outcome', '/clientId', '/limit']),
    );
    assert.throws(() => parseListParams({ from: '2026-11-27T00:00:00' }), ValidationProblem); // no offset
    assert.throws(() => parseExportParams({ format: 'xml' }), ValidationProblem);
    assert.equal(parseExportParams({}).format, 'ndjson');
  });

  test('cursors round-trip and a forged one is a 400', () => {
    assert.equal(decodeCursor(encodeCursor(42)), 42);
    for (const bad of ['nope', Buffer.from('{"v":1,"before":-1}').toString('base64url'), '']) {
      assert.throws(
        () => decodeCursor(bad),
        (e: unknown) => e instanceof ProblemException && e.status === 400,
      );
    }
  });
});
