import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  externalIdModule,
  externalIdName,
  sanitizeExternalIdPart,
} from '../../../src/odoo/odoo-external-ids.js';

describe('external ids', () => {
  test('module is crossdock_<tenant> in [a-z0-9_]', () => {
    assert.equal(externalIdModule('demo'), 'crossdock_demo');
    assert.match(externalIdModule('Demo-B'), /^crossdock_demo_b_h[0-9a-f]{10}$/);
  });

  test('names keep clean keys readable', () => {
    assert.equal(
      externalIdName('freightinvoice', 'abcd', 'inv_2026_001'),
      'freightinvoice_abcd_inv_2026_001',
    );
  });

  test('keys that only differ in what sanitizing removes stay distinct', () => {
    const a = sanitizeExternalIdPart('PO-1');
    const b = sanitizeExternalIdPart('po_1');
    const c = sanitizeExternalIdPart('PO 1');
    assert.equal(b, 'po_1');
    assert.match(a, /^po_1_h[0-9a-f]{10}$/);
    assert.notEqual(a, b);
    assert.notEqual(a, c);
    for (const v of [a, b, c]) assert.match(v, /^[a-z0-9_]+$/);
  });

  test('long keys are cut and hashed, never unbounded', () => {
    const long = 'X'.repeat(500);
    const name = sanitizeExternalIdPart(long);
    assert.ok(name.length <= 120, String(name.length));
    assert.notEqual(name, sanitizeExternalIdPart(`${long}Y`));
  });
});
