import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { translateBuffer } from '../../../src/edi/translate.js';

const DESADV = readFileSync('samples/edifact/desadv-d96a-PO778899.edi', 'latin1');

test('a NUL in an EDIFACT element rejects its message (0085 21); no document carries it', async () => {
  const text = DESADV.replace('+BIG STORE 42+', '+BIG\u0000STORE 42+');
  assert.notEqual(text, DESADV);
  const r = await translateBuffer(text, { acks: true });
  const bad = r.diagnostics.filter((d) => d.rule === 'INVALID_CHARACTER');
  assert.equal(bad.length, 1, JSON.stringify(r.diagnostics));
  assert.equal(bad[0]!.severity, 'error');
  assert.equal(bad[0]!.code, '21');
  assert.equal(bad[0]!.segmentId, 'NAD');
  assert.equal(bad[0]!.elementPosition, 4);
  assert.match(bad[0]!.message, /NUL character \(U\+0000\)/);
  assert.deepEqual(r.documents, []);
  assert.match(r.acks.join(''), /UCM\+[^']*\+4\+21'/);
});

test('other control characters stay a warning, and the document is kept', async () => {
  const text = DESADV.replace('+BIG STORE 42+', '+BIG\u0001STORE 42+');
  const r = await translateBuffer(text, { acks: true });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.rule]),
    // The sample's CNT+2 (its number of lines) is no field of the canonical notice.
    [
      ['warning', 'CONTROL_CHARACTER_IN_DATA'],
      ['warning', 'SEGMENT_NOT_KEPT'],
    ],
  );
  assert.equal(r.documents.length, 1);
});
