/**
 * The canonical address needs a country; X12 N404 is optional, and many US partners leave it out.
 * Such a set is rejected, naming N404 and how a partner's file supplies the country (a map default,
 * which fills only addresses that exist); with that default the same set goes through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions, MAPS_DIR, x12FixtureText } from './x12-fixture-support.js';

const CASES = [
  ['856-4010-sopi-tilde-newline.edi', 'x12-856'],
  ['210-4010-two-n3-two-l5.edi', 'x12-210'],
  ['214-4010-two-k1.edi', 'x12-214'],
] as const;

/** The fixture with every N404 (country) taken out. */
const withoutCountry = (file: string): string =>
  x12FixtureText(file).replace(/(N4\*[^*~]*\*[^*~]*\*[^*~]*)\*US~/g, '$1~');

/** The maps with a partner `us-shipper` whose file gives every X12 map's parties the country US. */
function usPartnerMaps(): string {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  mkdirSync(join(dir, 'partners', 'us-shipper'));
  writeFileSync(
    join(dir, 'partners', 'us-shipper', 'partner.yaml'),
    `maps:\n${CASES.map(([, map]) => `  ${map}:\n    defaults:\n      parties[*].address.country: US\n`).join('')}`,
  );
  return dir;
}

for (const [file, map] of CASES) {
  test(`${map}: an N4 without N404 is rejected naming N404 and the partner default that would supply it`, async () => {
    const text = withoutCountry(file);
    assert.ok(!/N4\*[^~]*\*US~/.test(text));
    const r = await translateBuffer(text, goldenOptions());
    assert.deepEqual(r.documents, []);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.length > 0);
    for (const e of errors) {
      assert.deepEqual([e.rule, e.segmentId, e.elementPosition], ['CANONICAL_SCHEMA', 'N4', 4]);
      assert.match(
        e.message,
        new RegExp(
          `/address/country is required \\(from N404, which is empty; a partner whose N4s leave the country out sets it in its partner\\.yaml: maps: ${map}: defaults: parties\\[\\*\\]\\.address\\.country\\)$`,
        ),
      );
    }
    assert.match(r.acks.join(''), /AK4\*4\*26\*1~/);
  });

  test(`${map}: with the partner's default country the same set is accepted; a party without an address gets none`, async () => {
    const r = await translateBuffer(
      withoutCountry(file),
      goldenOptions({ mapsDir: usPartnerMaps(), partnerId: 'us-shipper' }),
    );
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.ok(r.documents.length > 0);
    for (const doc of r.documents) {
      const parties = doc['parties'] as JsonObject[];
      assert.ok(parties.some((p) => p['address'] !== undefined));
      for (const p of parties)
        if (p['address'] !== undefined) assert.equal((p['address'] as JsonObject)['country'], 'US');
    }
  });
}
