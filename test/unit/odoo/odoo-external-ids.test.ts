import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { externalIdModule, externalIdName } from '../../../src/odoo/odoo-external-ids.js';

describe('external ids', () => {
  test('module is crossdock_<tenant> in [a-z0-9_]', () => {
    assert.equal(externalIdModule('demo'), 'crossdock_demo');
    assert.equal(externalIdModule('Demo-B'), 'crossdock_demo_b');
  });

  test('clean keys stay readable', () => {
    assert.equal(externalIdName('return', 'rma7001'), 'return_rma7001');
    assert.equal(externalIdName('fulfillment', 'ord1001', 'ship1'), 'fulfillment_ord1001_ship1');
  });

  test('sanitized keys are readable, with one hash that keeps them distinct', () => {
    const name = externalIdName('freightinvoice', 'ABCD', 'INV-2026-001');
    assert.match(name, /^freightinvoice_abcd_inv_2026_001_h[0-9a-f]{10}$/);
    const variants = [
      externalIdName('order', 'PO-1'),
      externalIdName('order', 'po_1'),
      externalIdName('order', 'PO 1'),
      externalIdName('order', 'po', '1'),
      externalIdName('order', 'a_b', 'c'),
      externalIdName('order', 'a', 'b_c'),
    ];
    assert.equal(new Set(variants).size, variants.length, variants.join('\n'));
    for (const v of variants) assert.match(v, /^[a-z0-9_]+$/);
  });

  test('the same key always gives the same name (redelivery finds it)', () => {
    assert.equal(externalIdName('asn', 'P1', 'SHP-9', 'PO-9'), externalIdName('asn', 'P1', 'SHP-9', 'PO-9'));
  });

  test('long keys are cut and hashed, never unbounded', () => {
    const long = 'X'.repeat(500);
    const name = externalIdName('order', long);
    assert.ok(name.length <= 130, String(name.length));
    assert.notEqual(name, externalIdName('order', `${long}Y`));
  });
});
