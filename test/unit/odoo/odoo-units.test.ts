import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OdooError } from '../../../src/odoo/odoo-errors.js';
import { countIn, roundUp, type OdooUnit, type UnitLine } from '../../../src/odoo/odoo-units.js';

const unit = (id: number, name: string, categoryId: number, factor: number, rounding = 0.01): OdooUnit => ({
  id,
  name,
  categoryId,
  categoryName: categoryId === 1 ? 'Unit' : 'Weight',
  factor,
  rounding,
});
const units = unit(1, 'Units', 1, 1);
const dozens = unit(2, 'Dozens', 1, 1 / 12);
const caseOf12 = unit(3, 'Case of 12', 1, 1 / 12, 1);
const kg = unit(4, 'kg', 2, 1);
const lb = unit(5, 'lb', 2, 2.20462);

const line = (value: number, code: string): UnitLine => ({
  label: 'line 3',
  sku: 'SKU-9',
  quantity: { value, unit: code },
});

describe('countIn (uom.uom._compute_quantity)', () => {
  test('within a category: cases and dozens to units, exact despite 1/12 as a float', () => {
    assert.equal(countIn(line(2, 'CA'), caseOf12, units, 'x'), 24);
    assert.equal(countIn(line(7, 'DZ'), dozens, units, 'x'), 84);
    assert.equal(countIn(line(36, 'EA'), units, caseOf12, 'x'), 3);
  });

  test('rounded up to the target unit’s rounding, as Odoo does', () => {
    assert.equal(countIn(line(1, 'LB'), lb, kg, 'x'), 0.46);
    assert.equal(countIn(line(13, 'EA'), units, caseOf12, 'x'), 2);
  });

  test('the same unit is left as it is', () => {
    assert.equal(countIn(line(2.5, 'KG'), kg, kg, 'x'), 2.5);
  });

  test('across categories: a business error naming line, amount, product and both categories', () => {
    assert.throws(
      () => countIn(line(3, 'KG'), kg, units, 'the unit of its move'),
      (error: unknown) =>
        error instanceof OdooError &&
        error.kind === 'business' &&
        error.message ===
          'line 3 (SKU-9): 3 KG cannot be counted in Units, the unit of its move: kg is a unit of Weight and Units of Unit, which Odoo does not convert',
    );
  });
});

describe('roundUp (float_round UP)', () => {
  test('forgives the last bits of a float, rounds anything more away from zero', () => {
    assert.equal(roundUp(24.000000000000004, 0.01), 24);
    assert.equal(roundUp(0.30000000000000004, 0.01), 0.3);
    assert.equal(roundUp(0.301, 0.01), 0.31);
    assert.equal(roundUp(-0.301, 0.01), -0.31);
    assert.equal(roundUp(2.0001, 1), 3);
  });
});
