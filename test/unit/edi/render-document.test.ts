import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDocument } from '../../../src/edi/render-document.js';
import { MAPS_DIR } from './x12-fixture-support.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const desadv = (): unknown =>
  (
    JSON.parse(
      readFileSync(
        join(process.cwd(), 'test/fixtures/edi/edifact/valid/desadv-d96a-release-char.canonical.json'),
        'utf8',
      ),
    ) as unknown[]
  )[0];

const refused = (to: string, parties: { sender?: string; receiver?: string }): string[][] => {
  const r = renderDocument({}, to, { mapsDir: MAPS_DIR, now: NOW, ...parties });
  assert.equal(r.text, '');
  return r.diagnostics.map((d) => [d.severity, d.rule, d.message]);
};

test('an X12 id that ISA06/08 would cut or that holds a delimiter is refused, not written', () => {
  assert.deepEqual(refused('x12-214', { sender: 'ZZ:THISISWAYTOOLONGID' }), [
    [
      'error',
      'RENDER_PARTY',
      'sender id "THISISWAYTOOLONGID": ISA06 and GS02 take 2 to 15 characters, not 18',
    ],
  ]);
  assert.deepEqual(refused('x12-214', { sender: 'A', receiver: 'ZZ:A*B' }), [
    ['error', 'RENDER_PARTY', 'sender id "A": ISA06 and GS02 take 2 to 15 characters, not 1'],
    ['error', 'RENDER_PARTY', 'receiver id "A*B" contains "*", an X12 delimiter (* > ^ ~)'],
  ]);
  assert.deepEqual(refused('x12-856', { receiver: '01:AB~CD' }), [
    ['error', 'RENDER_PARTY', 'receiver id "AB~CD" contains "~", an X12 delimiter (* > ^ ~)'],
  ]);
});

test('an EDIFACT party is ID or ID:QUALIFIER: the qualifier is its own UNB component', () => {
  const r = renderDocument(desadv(), 'edifact-desadv', {
    mapsDir: MAPS_DIR,
    now: NOW,
    sender: '5412345000013:14',
    receiver: 'PARTNER+1',
  });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(
    r.text.slice(0, r.text.indexOf("'") + 1),
    "UNB+UNOC:3+5412345000013:14+PARTNER?+1+261127:1000+1++++++1'",
  );
  assert.deepEqual(refused('edifact-desadv', { sender: `${'9'.repeat(36)}:14`, receiver: 'P:ZZZZZ' }), [
    ['error', 'RENDER_PARTY', `sender id "${'9'.repeat(36)}": UNB S002 takes 1 to 35 characters, not 36`],
    ['error', 'RENDER_PARTY', 'receiver qualifier "ZZZZZ" is not 1 to 4 letters or digits (UNB S003 0007)'],
  ]);
});
