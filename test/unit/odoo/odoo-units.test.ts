import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OdooError } from '../../../src/odoo/odoo-errors.js';
import { countIn, onRoundingStep, type OdooUnit, type UnitLine } from '../../../src/odoo/odoo-units.js';

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
const caseOf4 = unit(6, 'Case of 4', 1, 1 / 4, 0.25);
const caseOf8 = unit(7, 'Case of 8', 1, 1 / 8, 0.125);
const caseOf10 = unit(8, 'Case of 10', 1, 1 / 10, 0.25);

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

  test('a count between the target unit’s rounding steps is refused, never rounded up to what was not shipped', () => {
    const refused = (value: number, code: string, from: OdooUnit, to: OdooUnit, message: string) =>
      assert.throws(
        () => countIn(line(value, code), from, to, 'the unit of its move'),
        (error: unknown) =>
          error instanceof OdooError && error.kind === 'business' && error.message === message,
      );
    refused(
      13,
      'EA',
      units,
      caseOf12,
      'line 3 (SKU-9): 13 EA is 1.083 Case of 12, which Odoo cannot record (rounding 1)',
    );
    refused(
      5,
      'EA',
      units,
      caseOf12,
      'line 3 (SKU-9): 5 EA is 0.417 Case of 12, which Odoo cannot record (rounding 1)',
    );
    refused(
      0.001,
      'LB',
      lb,
      kg,
      'line 3 (SKU-9): 0.001 LB is 0.00045 kg, which Odoo cannot record (rounding 0.01)',
    );
    refused(
      7,
      'EA',
      units,
      caseOf10,
      'line 3 (SKU-9): 7 EA is 0.7 Case of 10, which Odoo cannot record (rounding 0.25)',
    );
  });

  test('a count on the steps of a rounding like 0.25 or 0.125 is exact', () => {
    assert.equal(countIn(line(3, 'EA'), units, caseOf4, 'x'), 0.75);
    assert.equal(countIn(line(5, 'EA'), units, caseOf4, 'x'), 1.25);
    assert.equal(countIn(line(3, 'EA'), units, caseOf8, 'x'), 0.375);
    assert.equal(countIn(line(15, 'EA'), units, caseOf10, 'x'), 1.5);
    assert.equal(countIn(line(1, 'KG'), kg, unit(9, 'g', 2, 1000, 0.01), 'x'), 1000);
  });

  test('a measure between steps takes the nearest step when it still reads back as the quantity written', () => {
    // 1 LB is 0.45359 kg; 0.45 kg is 0.992 LB, which is 1 LB to the precision it was written.
    assert.equal(countIn(line(1, 'LB'), lb, kg, 'x'), 0.45);
    // 2.5 LB is 1.13398 kg; 1.13 kg is 2.491 LB, 2.5 to one decimal.
    assert.equal(countIn(line(2.5, 'LB'), lb, kg, 'x'), 1.13);
    // 1.5 EA is 0.375 of a case of 4 (rounding 0.5): the nearest step, half a case, is 2 EA: refused.
    assert.throws(
      () => countIn(line(1.5, 'EA'), units, unit(10, 'Case of 4', 1, 1 / 4, 0.5), 'x'),
      OdooError,
    );
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

describe('onRoundingStep', () => {
  test('forgives the last bits of a float', () => {
    assert.equal(onRoundingStep(24.000000000000004, 0.01), 24);
    assert.equal(onRoundingStep(0.30000000000000004, 0.01), 0.3);
    assert.equal(onRoundingStep(0.1 * 3, 0.1), 0.3);
    assert.equal(onRoundingStep(0.57, 0.01), 0.57);
  });

  test('roundings of 0.25 and 0.125: values on a step are kept exactly, others are not on one', () => {
    assert.equal(onRoundingStep(0.75, 0.25), 0.75);
    assert.equal(onRoundingStep(1.25, 0.25), 1.25);
    assert.equal(onRoundingStep(0.375, 0.125), 0.375);
    assert.equal(onRoundingStep(0.7, 0.25), undefined);
    assert.equal(onRoundingStep(1.1, 0.25), undefined);
    assert.equal(onRoundingStep(0.3, 0.125), undefined);
    assert.equal(onRoundingStep(2.0001, 1), undefined);
    assert.equal(onRoundingStep(0.301, 0.01), undefined);
  });
});
