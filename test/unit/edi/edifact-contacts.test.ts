import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../../src/edi/map-paths.js';
import {
  renderDocument,
  translateBuffer,
  type RenderTarget,
  type TranslateOptions,
} from '../../../src/edi/translate.js';
import { fixture } from './edifact-fixture-support.js';

const MAPS_DIR = join(process.cwd(), 'edi-maps');
const OPTIONS: TranslateOptions = { now: () => new Date('2026-11-27T10:00:00Z'), mapsDir: MAPS_DIR };

/** Two contacts: Alice with an email, then Bob (CTA+AD) with a telephone. */
const TWO_CONTACTS = "CTA+IC+:Alice'COM+alice@buyer.example:EM'CTA+AD+:Bob'COM+0044999:TE'";

/** A map fixture with TWO_CONTACTS after its `nad` segment (UNT counting them), in `version`. */
function withContacts(file: string, nad: string, version: 'D96A' | 'D01B'): Buffer {
  let text = readFileSync(fixture('maps', file), 'latin1');
  const at = text.indexOf(nad);
  assert.ok(at >= 0, `${file}: no ${nad}`);
  const after = text.indexOf("'", at) + 1;
  // Fixtures are one line or one segment a line.
  const sep = text[after] === '\n' ? '\n' : '';
  const segments = TWO_CONTACTS.split("'")
    .slice(0, -1)
    .map((x) => `${x}'`);
  text =
    text.slice(0, after + sep.length) +
    segments.map((x) => x + sep).join('') +
    text.slice(after + sep.length);
  text = text.replace(/UNT\+(\d+)\+/, (_, n: string) => `UNT+${Number(n) + 4}+`);
  if (version === 'D01B') text = text.replace(/(UNH\+[^+]+\+[A-Z]+):D:96A:/, '$1:D:01B:');
  return Buffer.from(text, 'latin1');
}

/** Name, fixture, the NAD the contacts follow, the directory (to rewrite D96A to), the target. */
const CASES: [string, string, string, 'D96A' | 'D01B', RenderTarget][] = [
  ['INVOIC D96A', 'invoic-d96a-nad-names.edi', 'NAD+BY', 'D96A', 'edifact-invoic'],
  ['INVOIC D01B', 'invoic-d01b-region-name.edi', 'NAD+BY', 'D01B', 'edifact-invoic'],
  ['DESADV D96A', 'desadv-d96a-nad-names.edi', 'NAD+SF', 'D96A', 'edifact-desadv'],
  ['DESADV D01B', 'desadv-d01b-c106-c819.edi', 'NAD+SF', 'D01B', 'edifact-desadv'],
  ['IFTSTA D96A', 'iftsta-d96a-parties.edi', 'NAD+CN', 'D96A', 'edifact-iftsta'],
  ['IFTSTA D01B', 'iftsta-d96a-parties.edi', 'NAD+CN', 'D01B', 'edifact-iftsta'],
];

describe('EDIFACT CTA-COM: a COM belongs to the CTA before it', () => {
  for (const [name, file, nad, version, target] of CASES)
    it(`${name}: a second CTA is not kept, and its COM (another person's telephone) with it`, async () => {
      const result = await translateBuffer(withContacts(file, nad, version), OPTIONS);
      assert.deepEqual(
        result.diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
      const docs = result.documents as JsonObject[];
      const parties = docs.flatMap((d) => (d['parties'] as JsonObject[] | undefined) ?? []);
      const alice = parties.filter((p) => (p['contact'] as JsonObject | undefined)?.['name'] === 'Alice');
      assert.ok(alice.length >= 1, `${name}: no party has Alice as its contact`);
      for (const p of alice) assert.deepEqual(p['contact'], { name: 'Alice', email: 'alice@buyer.example' });
      assert.ok(!JSON.stringify(docs).includes('0044999'), "Bob's telephone is nobody's");
      const notKept = result.diagnostics.filter((d) => d.rule === 'SEGMENT_NOT_KEPT').map((d) => d.message);
      assert.ok(
        notKept.some((m) => m.includes('Bob')),
        `Bob's CTA is not kept: ${notKept.join(' | ')}`,
      );
      assert.ok(
        notKept.some((m) => m.includes('0044999') && m.includes('belongs to the CTA')),
        `Bob's COM is not kept with it: ${notKept.join(' | ')}`,
      );
      const text = renderDocument(docs[0]!, target, { mapsDir: MAPS_DIR, now: new Date(0), version }).text;
      assert.ok(text.includes("CTA+IC+:Alice'"), text);
      assert.ok(text.includes("COM+alice@buyer.example:EM'"), text);
      assert.ok(!text.includes('0044999') && !text.includes('Bob'), text);
    });
});
