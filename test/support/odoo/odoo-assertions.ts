import assert from 'node:assert/strict';
import { OdooError } from '../../../src/odoo/odoo-errors.js';

/** The OdooError the promise rejects with; fails the test when it resolves or throws something else. */
export async function odooFailure(promise: Promise<unknown>): Promise<OdooError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OdooError, `expected an OdooError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}
