import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { renderDocument, translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions, x12FixtureText } from './x12-fixture-support.js';

type Quantity = { value: number; unit: string; unitNormalized?: string };

/**
 * `L` (pounds) and `K` (kilograms) are codes of X12 element 188, Weight Unit Code (L312), not of
 * element 355 (SN103, TD108: two characters at least) or EDIFACT 6411: a quantity "2.5 L" is not pounds.
 */
test('an EDIFACT DESADV quantity in L is not pounds', async () => {
  const desadv = readFileSync(
    join(process.cwd(), 'test', 'fixtures', 'edi', 'edifact', 'maps', 'desadv-d96a-packed.edi'),
    'latin1',
  ).replace("QTY+12:2.5:KGM'", "QTY+12:2.5:L'");
  const r = await translateBuffer(desadv, goldenOptions());
  const json = JSON.stringify(r.documents[0]);
  assert.match(json, /"quantityShipped":\{"value":2.5,"unit":"L","unitNormalized":"L"\}/);
});

test('a 210 L312 (element 188) L is pounds and K kilograms; out, LB and KG go back as L and K', async () => {
  const text = x12FixtureText('210-5010-n9-under-lx-and-header-extras.edi');
  const inv = (await translateBuffer(text, goldenOptions())).documents[0]! as {
    totals: { weight: Quantity };
  };
  assert.deepEqual(inv.totals.weight, { value: 1250, unit: 'L', unitNormalized: 'LB' });
  const kilos = (await translateBuffer(text.replace('******3*L~', '******3*K~'), goldenOptions()))
    .documents[0]! as { totals: { weight: Quantity } };
  assert.deepEqual(kilos.totals.weight, { value: 1250, unit: 'K', unitNormalized: 'KG' });
  // A weight in a unit L312 cannot carry (KGM, from EDIFACT): element 188's code (ID 1/1) for its
  // normalized unit.
  const fromRest = structuredClone(kilos) as unknown as JsonObject & { totals: { weight: JsonObject } };
  fromRest.totals.weight = { value: 1250, unit: 'KGM', unitNormalized: 'KG' };
  const out = renderDocument(fromRest, 'x12-210', { now: new Date('2026-11-27T10:00:00Z') });
  assert.deepEqual(out.diagnostics, []);
  assert.match(out.text, /L3\*1250\*G\*\*\*63547\*+3\*K~/);
});
