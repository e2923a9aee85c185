import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SimDatabase } from '../../../../src/odoo/simulator/sim-database.js';
import { seedDatabase } from '../../../../src/odoo/simulator/sim-seed.js';

function demo(): SimDatabase {
  const db = new SimDatabase('demo');
  seedDatabase(db, 'demo');
  return db;
}

const refs = (db: SimDatabase, domain: unknown[]): string[] =>
  db.read('res.partner', db.search('res.partner', domain), ['ref']).map((r) => String(r['ref']));

describe('simulator domains', () => {
  test('=, !=, in, not in', () => {
    const db = demo();
    assert.deepEqual(refs(db, [['ref', '=', 'ABCD']]), ['ABCD']);
    assert.deepEqual(refs(db, [['ref', 'in', ['FDEG', 'XPOL', 'nope']]]), ['FDEG', 'XPOL']);
    assert.ok(!refs(db, [['ref', '!=', 'ABCD']]).includes('ABCD'));
    assert.ok(!refs(db, [['ref', 'not in', ['ABCD', 'UPSN']]]).includes('UPSN'));
  });

  test('like is case-sensitive, ilike is not, =like anchors the pattern', () => {
    const db = demo();
    assert.deepEqual(refs(db, [['name', 'ilike', 'freight']]), ['ABCD']);
    assert.deepEqual(refs(db, [['name', 'like', 'freight']]), []);
    assert.deepEqual(refs(db, [['ref', '=like', 'demo%']]), ['demo-retail', 'demo-b-retail']);
  });

  test('| and & in prefix notation, implicit & between terms', () => {
    const db = demo();
    assert.deepEqual(refs(db, ['|', ['ref', '=', 'ABCD'], ['ref', '=', 'UPSN']]), ['ABCD', 'UPSN']);
    assert.deepEqual(refs(db, ['&', ['is_company', '=', true], ['ref', '=', 'ST042']]), ['ST042']);
    assert.deepEqual(
      refs(db, [['is_company', '=', true], ['ref', 'ilike', 'retail'], '!', ['ref', '=', 'demo-retail']]),
      ['demo-b-retail'],
    );
  });

  test('comparisons and many2one paths', () => {
    const db = demo();
    const incoming = db.search('stock.picking', [
      ['picking_type_id.code', '=', 'incoming'],
      ['scheduled_date', '>=', '2026-11-30 00:00:00'],
    ]);
    assert.equal(incoming.length, 5);
    const bySaleRef = db.search('stock.picking', [['sale_id.client_order_ref', '=', 'ORD-1001']]);
    assert.equal(bySaleRef.length, 1);
    assert.deepEqual(db.search('product.product', [['list_price', '<', 1]]).length, 1);
  });

  test('a malformed domain is a ValueError, as in Odoo', () => {
    const db = demo();
    assert.throws(() => db.search('res.partner', [['ref', 'contains', 'x']]), {
      odooName: 'builtins.ValueError',
    });
    assert.throws(() => db.search('res.partner', ['|', ['ref', '=', 'x']]), {
      odooName: 'builtins.ValueError',
    });
  });
});
