import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { MAX_QUEUED_BYTES, NdjsonBatcher, translateToNdjsonSerial } from '../../../src/edi/ndjson-output.js';
import { translateToNdjson } from '../../../src/edi/parallel-translate.js';
import { generatedInterchanges, MAPS_DIR } from './x12-fixture-support.js';

const options = { mapsDir: MAPS_DIR, fixedNow: '2026-11-27T10:00:00Z' };

/** A file-like Writable that takes a while per write and records how much it ever held queued. */
function slowSink(): { out: Writable; maxQueued: () => number; bytes: () => number } {
  let max = 0;
  let bytes = 0;
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      max = Math.max(max, this.writableLength);
      bytes += chunk.length;
      setTimeout(done, 1);
    },
  });
  return { out, maxQueued: () => max, bytes: () => bytes };
}

test('lines are gathered into Buffers of their own, each line ending in a newline', () => {
  const b = new NdjsonBatcher();
  const long = `"${'x'.repeat(40_000)}"`;
  for (let i = 0; i < 100; i++) b.add(JSON.stringify({ i, text: 'é'.repeat(50) }));
  b.add(long);
  const parts = b.take(true);
  assert.ok(parts.every((p) => p.byteOffset === 0 && p.buffer.byteLength >= p.length));
  const lines = Buffer.concat(parts).toString('utf8').split('\n');
  assert.equal(lines.length, 102);
  assert.deepEqual(JSON.parse(lines[99]!), { i: 99, text: 'é'.repeat(50) });
  assert.equal(lines[100], long);
});

test('a slow output holds back the translation: at most MAX_QUEUED_BYTES and one batch wait in it', async () => {
  const input = Buffer.from(generatedInterchanges(120, 20));
  const sink = slowSink();
  const r = await translateToNdjsonSerial([input], sink.out, options);
  assert.equal(r.documents, 2160); // every seventh set is rejected
  assert.ok(sink.bytes() > 3 * MAX_QUEUED_BYTES, `${sink.bytes()} bytes written`);
  // The translation ran ahead of the slow output up to the limit, and no further.
  assert.ok(sink.maxQueued() > MAX_QUEUED_BYTES / 2, `the output held at most ${sink.maxQueued()} bytes`);
  assert.ok(sink.maxQueued() <= MAX_QUEUED_BYTES + 64 * 1024, `the output held ${sink.maxQueued()} bytes`);
});

test('on worker threads a slow output holds at most one run of output', async () => {
  const input = Buffer.from(generatedInterchanges(20, 20));
  const sink = slowSink();
  const r = await translateToNdjson([input], sink.out, { ...options, workers: 2, runBytes: 64 * 1024 });
  assert.ok(r.workerRuns > 1);
  assert.equal(r.documents, 360); // every seventh set is rejected
  // A run is 64 KB or more of input: its NDJSON is written as one batch.
  assert.ok(sink.maxQueued() <= 512 * 1024, `the output held ${sink.maxQueued()} bytes`);
});

test('when the output goes away the input is no longer read', async () => {
  let read = 0;
  const chunk = Buffer.from(generatedInterchanges(1, 20));
  async function* endless(): AsyncGenerator<Buffer> {
    for (let k = 1; k < 10_000; k++) {
      read++;
      yield Buffer.from(chunk.toString().replaceAll('000000001', String(k).padStart(9, '0')));
    }
  }
  let written = 0;
  const out = new Writable({
    write(c: Buffer, _enc, done) {
      written += c.length;
      if (written > 256 * 1024) this.destroy();
      done();
    },
  });
  await translateToNdjsonSerial(endless(), out, options);
  assert.ok(out.destroyed);
  assert.ok(read < 100, `${read} chunks read`);
});
