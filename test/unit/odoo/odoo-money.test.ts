import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OdooError } from '../../../src/odoo/odoo-errors.js';
import {
  absoluteDifference,
  decimalGreaterThan,
  decimalToOdooNumber,
  sumDecimals,
} from '../../../src/odoo/odoo-money.js';

describe('decimalToOdooNumber', () => {
  test('the number serializes back to the same decimal, cents intact', () => {
    for (const [amount, json] of [
      ['0.10', '0.1'],
      ['1250.75', '1250.75'],
      ['12345678901.23', '12345678901.23'],
      ['-19.99', '-19.99'],
      ['100.00', '100'],
      ['007.50', '7.5'],
    ] as const) {
      assert.equal(JSON.stringify(decimalToOdooNumber(amount, 'USD')), json, amount);
    }
  });

  test('refuses to round away a fraction of a cent', () => {
    assert.throws(
      () => decimalToOdooNumber('10.005', 'USD', 'charge 3'),
      (e: unknown) =>
        e instanceof OdooError &&
        e.kind === 'business' &&
        /charge 3: 10\.005 USD has more than 2 decimal/.test(e.message),
    );
    assert.equal(decimalToOdooNumber('10.500', 'USD'), 10.5);
  });

  test('follows the currency minor units', () => {
    assert.equal(decimalToOdooNumber('1500', 'JPY'), 1500);
    assert.throws(() => decimalToOdooNumber('1500.5', 'JPY'), OdooError);
    assert.equal(decimalToOdooNumber('1.234', 'KWD'), 1.234);
  });

  test('refuses amounts a double cannot carry exactly', () => {
    assert.throws(() => decimalToOdooNumber('123456789012345.67', 'USD'), /more digits/);
  });
});

describe('decimal sums', () => {
  test('add exactly where floats drift', () => {
    assert.notEqual(0.1 + 0.2, 0.3);
    assert.equal(sumDecimals(['0.10', '0.20'], 2), '0.30');
    assert.equal(sumDecimals(['1150.45', '100.00', '0.10', '0.20'], 2), '1250.75');
    assert.equal(sumDecimals(['-5.00', '1.25'], 2), '-3.75');
  });

  test('differences and comparisons', () => {
    assert.equal(absoluteDifference('100.00', '100.01', 2), '0.01');
    assert.equal(decimalGreaterThan('0.01', '0', 2), true);
    assert.equal(decimalGreaterThan('0.00', '0', 2), false);
  });
});
