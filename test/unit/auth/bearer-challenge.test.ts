import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerChallenge } from '../../../src/auth/bearer-challenge.js';

test('RFC 6750 challenges; quotes and control characters cannot break out of the header', () => {
  assert.equal(bearerChallenge(), 'Bearer realm="crossdock"');
  assert.equal(
    bearerChallenge('insufficient_scope', 'needs more', ['tracking:write', 'edi:write']),
    'Bearer realm="crossdock", error="insufficient_scope", error_description="needs more", scope="tracking:write edi:write"',
  );
  assert.equal(
    bearerChallenge('invalid_token', 'a "quoted"\r\nInjected: 1'),
    'Bearer realm="crossdock", error="invalid_token", error_description="a \\"quoted\\"  Injected: 1"',
  );
});
