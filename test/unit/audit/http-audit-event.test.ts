import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isProbe, needsDurableAudit } from '../../../src/audit/http-audit-event.js';

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
