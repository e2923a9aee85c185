import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { translateToNdjsonSerial } from '../../../src/edi/ndjson-output.js';
import { TranslatorPool, translateToNdjson } from '../../../src/edi/parallel-translate.js';
import type { TranslateOptions } from '../../../src/edi/translate.js';
import { generatedInterchanges, listX12Fixtures, MAPS_DIR, x12Fixture } from './x12-fixture-support.js';

/**
 * The parallel NDJSON path must write exactly the serial path's bytes: documents, diagnostics
 * (offsets included), interchange lines, in the same order.
 */
const options: TranslateOptions = { mapsDir: MAPS_DIR, fixedNow: '2026-11-27T10:00:00Z', channel: 'sftp' };
const pool = new TranslatorPool(2, options);
after(() => pool.close());

/** A Writable that keeps what it is given. */
function sink(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The input in chunks of `size` bytes, as a stream of a file would hand it on. */
const chunked = (bytes: Buffer, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

async function both(input: Buffer, runBytes: number, chunkSize: number): Promise<[string, string, number]> {
  const serial = sink();
  await translateToNdjsonSerial(chunked(input, chunkSize), serial.out, options);
  const parallel = sink();
  const r = await translateToNdjson(chunked(input, chunkSize), parallel.out, { ...options, pool, runBytes });
  return [parallel.text(), serial.text(), r.workerRuns];
}

test('a generated multi-interchange file: parallel NDJSON equals serial NDJSON byte for byte', async () => {
  const input = Buffer.from(generatedInterchanges(40, 12));
  const [parallel, serial, workerRuns] = await both(input, 8 * 1024, 3001);
  assert.ok(workerRuns >= 10, `only ${workerRuns} runs went to workers`);
  assert.ok(serial.includes('"diagnostic"'), 'the input yields diagnostics');
  assert.equal(parallel, serial);
});

test('an ISA13 repeated runs later (TA1 025) is found on workers as serially', async () => {
  const input = Buffer.from(
    generatedInterchanges(4, 2, 1) + generatedInterchanges(2, 2, 50) + generatedInterchanges(2, 2, 3),
  );
  const [parallel, serial, workerRuns] = await both(input, 1, 997);
  assert.ok(workerRuns >= 8, `only ${workerRuns} runs went to workers`);
  assert.equal((serial.match(/ISA_CONTROL_DUPLICATE/g) ?? []).length, 2);
  assert.equal(parallel, serial);
});

test('an ISA13 repeated where the splitter gives up (newline terminators) is found on the serial rest', async () => {
  // The third interchange ends in newlines only: workers take the first two, this thread the rest.
  const input = Buffer.from(
    generatedInterchanges(2, 2, 1) +
      generatedInterchanges(1, 2, 3).replaceAll('~\n', '\n') +
      generatedInterchanges(1, 2, 2).replaceAll('~\n', '\n'),
  );
  const [parallel, serial, workerRuns] = await both(input, 1, 997);
  assert.ok(workerRuns >= 1, `only ${workerRuns} runs went to workers`);
  assert.equal((serial.match(/ISA_CONTROL_DUPLICATE/g) ?? []).length, 1);
  assert.equal(parallel, serial);
});

for (const file of [...listX12Fixtures(), ...listX12Fixtures('negative').map((f) => `negative/${f}`)]) {
  test(`fixture ${file} between generated interchanges: parallel NDJSON equals serial`, async () => {
    const input = Buffer.concat([
      Buffer.from(generatedInterchanges(3, 2, 1)),
      x12Fixture(file),
      Buffer.from('\n'),
      Buffer.from(generatedInterchanges(3, 2, 100)),
    ]);
    const [parallel, serial, workerRuns] = await both(input, 1, 997);
    assert.ok(workerRuns > 0);
    assert.equal(parallel, serial);
  });
}

test('input shorter than one run, empty input and EDIFACT are translated without workers, as serially', async () => {
  for (const input of [
    Buffer.from(generatedInterchanges(2, 2)),
    Buffer.alloc(0),
    Buffer.from("UNA:+.? 'UNB+UNOC:3+S+R+261127:0930+1'UNZ+0+1'"),
  ]) {
    const [parallel, serial, workerRuns] = await both(input, 1024 * 1024, 4096);
    assert.equal(workerRuns, 0);
    assert.equal(parallel, serial);
  }
});

test('options the workers cannot take (a clock function) translate serially', async () => {
  const out = sink();
  const r = await translateToNdjson([Buffer.from(generatedInterchanges(5, 2))], out.out, {
    ...options,
    now: () => new Date('2026-11-27T10:00:00Z'),
    workers: 2,
    runBytes: 1,
  });
  assert.equal(r.workerRuns, 0);
  assert.equal(r.documents, 10);
});
