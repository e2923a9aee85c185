import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyOdooException, OdooError, odooErrorFromException } from '../../../src/odoo/odoo-errors.js';

describe('classifyOdooException', () => {
  const cases: Array<[string | undefined, number | undefined, OdooError['kind']]> = [
    ['odoo.exceptions.AccessDenied', undefined, 'authentication'],
    ['odoo.exceptions.AccessError', 403, 'authentication'],
    ['werkzeug.exceptions.Unauthorized', 401, 'authentication'],
    ['odoo.exceptions.ValidationError', undefined, 'business'],
    ['odoo.exceptions.UserError', 422, 'business'],
    ['odoo.exceptions.MissingError', 404, 'business'],
    ['builtins.ValueError', 500, 'business'],
    ['werkzeug.exceptions.UnprocessableEntity', 422, 'business'],
    ['odoo.http.SessionExpiredException', 403, 'retryable'],
    ['psycopg2.errors.SerializationFailure', undefined, 'retryable'],
    [undefined, 502, 'retryable'],
    [undefined, 500, 'retryable'],
    [undefined, 401, 'authentication'],
    [undefined, 404, 'business'],
    [undefined, undefined, 'retryable'],
  ];
  for (const [name, status, kind] of cases) {
    test(`${name ?? '(no name)'} / HTTP ${status ?? '-'} → ${kind}`, () => {
      assert.equal(classifyOdooException(name, status), kind);
    });
  }

  test('the name wins over the status: a 403 session expiry is retried, not raised to operations', () => {
    assert.equal(classifyOdooException('odoo.http.SessionExpiredException', 403), 'retryable');
  });
});

describe('odooErrorFromException', () => {
  test("keeps Odoo's message and names the call", () => {
    const error = odooErrorFromException(
      { name: 'odoo.exceptions.ValidationError', message: 'Reference must be unique' },
      { model: 'account.move', method: 'create', jsonRpcCode: 0 },
    );
    assert.ok(error instanceof OdooError);
    assert.equal(error.kind, 'business');
    assert.equal(error.odooName, 'odoo.exceptions.ValidationError');
    assert.equal(error.message, 'Reference must be unique (account.move.create)');
    assert.equal(error.sessionExpired, false);
  });

  test('code 100 without a name is still a session expiry', () => {
    const error = odooErrorFromException({}, { jsonRpcCode: 100, fallbackMessage: 'Odoo Session Expired' });
    assert.equal(error.kind, 'retryable');
    assert.equal(error.sessionExpired, true);
  });
});
