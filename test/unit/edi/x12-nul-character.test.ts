import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions, x12FixtureText } from './x12-fixture-support.js';

const ASN = '856-4010-sopi-tilde-newline.edi';

test('a NUL in an element is an invalid character (AK4 6): the set is rejected, no document carries it', async () => {
  const text = x12FixtureText(ASN).replace('N1*ST*BIG STORE 42', 'N1*ST*BIG\u0000STORE 42');
  const r = await translateBuffer(text, goldenOptions());
  const bad = r.diagnostics.filter((d) => d.rule === 'INVALID_CHARACTER');
  assert.equal(bad.length, 1, JSON.stringify(r.diagnostics));
  assert.equal(bad[0]!.segmentId, 'N1');
  assert.equal(bad[0]!.elementPosition, 2);
  assert.equal(bad[0]!.code, '6');
  assert.equal(bad[0]!.severity, 'error');
  assert.match(bad[0]!.message, /NUL character \(U\+0000\)/);
  assert.deepEqual(r.documents, []);
  assert.match(r.acks.join(''), /AK4\*2\*93\*6\*/);
  assert.match(r.acks.join(''), /AK5\*R/);
});

test('a NUL in a repeated or component element is found too, in each element it is in', async () => {
  const text = x12FixtureText(ASN)
    .replace('N1*ST*BIG STORE 42', 'N1*ST*BIG>ST\u0000RE 42')
    .replace('N3*42 MARKET RD', 'N3*42\u0000MARKET RD');
  const r = await translateBuffer(text, goldenOptions());
  const bad = r.diagnostics.filter((d) => d.rule === 'INVALID_CHARACTER');
  assert.deepEqual(
    bad.map((d) => `${d.segmentId}${d.elementPosition}`),
    ['N12', 'N31'],
    JSON.stringify(r.diagnostics),
  );
  assert.deepEqual(r.documents, []);
});

test('NUL padding between segments or after the last one stays blank, as before', async () => {
  const text = x12FixtureText(ASN).replaceAll('~\n', '~\n\u0000\u0000') + '\u0000'.repeat(64);
  const r = await translateBuffer(text, goldenOptions());
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.equal(r.documents.length, 1);
});

test('a NUL in the ISA refuses the interchange with the note of its field (TA1 006 for the sender id)', async () => {
  const text = x12FixtureText(ASN).replace('*SENDERID       *', '*SENDER\u0000D       *');
  const r = await translateBuffer(text, goldenOptions());
  assert.deepEqual(r.documents, []);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.rule, d.code, d.elementPosition]),
    [['ISA_NUL_CHARACTER', '006', 6]],
  );
  assert.match(r.acks.join(''), /TA1\*000000001\*\d{6}\*\d{4}\*R\*006~/);
});

test('a NUL in the GS rejects the group: GS08 as an unsupported version, another field as an invalid character', async () => {
  const version = await translateBuffer(
    x12FixtureText(ASN).replace('*X*004010~', '*X*004010\u0000~'),
    goldenOptions(),
  );
  // Judged at the group's end: a document already handed on carries the rejection.
  assert.ok(version.documents.every((d) => version.rejections.reasonFor(d) !== undefined));
  assert.ok(version.diagnostics.some((d) => d.rule === 'GS_VERSION' && d.code === '2'));
  assert.match(version.acks.join(''), /AK9\*R\*1\*1\*0\*2~/);
  const sender = await translateBuffer(
    x12FixtureText(ASN).replace('GS*SH*SENDERID*', 'GS*SH*SEN\u0000DER*'),
    goldenOptions(),
  );
  assert.ok(sender.documents.every((d) => sender.rejections.reasonFor(d) !== undefined));
  assert.deepEqual(
    sender.diagnostics.filter((d) => d.rule === 'GS_NUL_CHARACTER').map((d) => [d.code, d.elementPosition]),
    [['6', 2]],
  );
});
