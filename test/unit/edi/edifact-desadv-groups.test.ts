import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { groupLookups } from '../../../src/edi/map-inbound-runtime.js';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import { translateBuffer, type TranslateOptions } from '../../../src/edi/translate.js';

const OPTIONS: TranslateOptions = {
  now: () => new Date('2026-11-27T10:00:00Z'),
  mapsDir: join(process.cwd(), 'edi-maps'),
};

/**
 * A DESADV D96A with a header order PO-H, one CPS and `n` lines: line i names PO-i, except every
 * 1000th line, which names PO-1 again, and line 7, which names no order (it joins the first, PO-H).
 */
function bigDesadv(n: number): Buffer {
  const body = [
    "UNH+1+DESADV:D:96A:UN'",
    "BGM+351+ASN-1+9'",
    "DTM+137:202403060845:203'",
    "RFF+ON:PO-H'",
    "CPS+1'",
  ];
  for (let i = 1; i <= n; i++) {
    body.push(`LIN+${i}++4000862141404:EN'`, "QTY+12:4:PCE'");
    if (i === 7) continue;
    body.push(`RFF+ON:PO-${i % 1000 === 0 ? 1 : i}'`);
  }
  body.push(`UNT+${body.length + 1}+1'`);
  const text = [
    "UNA:+.? '",
    "UNB+UNOC:3+4012345000016:14+5412345000020:14+240306:0900+D1'",
    ...body,
    "UNZ+1+D1'",
  ].join('\n');
  return Buffer.from(text, 'latin1');
}

describe('EDIFACT DESADV groupBy: many orders', () => {
  it('20,000 lines of distinct orders: each line in its order, orders in first-seen order, lookups linear', async () => {
    const n = 20_000;
    groupLookups.examined = 0;
    const result = await translateBuffer(bigDesadv(n), OPTIONS);
    assert.deepEqual(
      result.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const orders = result.documents[0]?.['orders'] as JsonObject[];
    const expected: [string, string[]][] = [['PO-H', ['7']]];
    for (let i = 1; i <= n; i++) {
      if (i === 7 || i % 1000 === 0) continue;
      expected.push([`PO-${i}`, i === 1 ? ['1'] : [String(i)]]);
    }
    for (let i = 1000; i <= n; i += 1000) expected[1]![1].push(String(i));
    assert.deepEqual(
      orders.map((o) => [o['purchaseOrderNumber'], (o['lines'] as JsonObject[]).map((l) => l['lineNumber'])]),
      expected,
    );
    // Finding a line's order looks at a bounded number of groups per line, not every group so far
    // (which would be about n²/2 = 200,000,000 here).
    assert.ok(groupLookups.examined <= 3 * n, `groups examined: ${groupLookups.examined}`);
  });
});
