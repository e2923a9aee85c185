/**
 * X12 N404 (element 26, 2-3 characters) is often an ISO alpha-3 code from North American partners
 * (USA, CAN, MEX); the canonical address holds alpha-2. Every X12 map reads N404 through the
 * country-alpha3 table, so an 856 with `N4*…*USA` is accepted as a 214 or 210 with the same N4 is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions, x12FixtureText } from './x12-fixture-support.js';

const FIXTURES = [
  '856-4010-sopi-tilde-newline.edi',
  '856-5010-soip-newline-terminator.edi',
  '214-4010-two-k1.edi',
  '210-4010-two-n3-two-l5.edi',
];

/** The fixture with each N404 `US` written as `country`. */
const withCountry = (file: string, country: string): string =>
  x12FixtureText(file).replace(/(N4\*[^*~\n]*\*[^*~\n]*\*[^*~\n]*)\*US(?=~|\n)/g, `$1*${country}`);

for (const file of FIXTURES) {
  test(`${file}: an N404 of USA reads as US, the same documents as the fixture`, async () => {
    const text = withCountry(file, 'USA');
    assert.match(text, /N4\*[^~\n]*\*USA(~|\n)/);
    const [asSent, alpha3] = await Promise.all([
      translateBuffer(x12FixtureText(file), goldenOptions()),
      translateBuffer(text, goldenOptions()),
    ]);
    assert.deepEqual(
      alpha3.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.ok(alpha3.documents.length > 0);
    assert.deepEqual(alpha3.documents, asSent.documents);
  });

  test(`${file}: an N404 of CAN is the country CA`, async () => {
    const r = await translateBuffer(withCountry(file, 'CAN'), goldenOptions());
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const countries = r.documents.flatMap((doc) =>
      (doc['parties'] as JsonObject[]).map((p) => (p['address'] as JsonObject | undefined)?.['country']),
    );
    assert.ok(countries.includes('CA'));
    assert.ok(!countries.includes('CAN') && !countries.includes('US'));
  });
}
