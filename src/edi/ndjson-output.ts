/**
 * A translation as NDJSON: one line per document, `{"diagnostic":…}` and `{"interchange":…}` lines
 * between them, acknowledgements left out. Lines are gathered into 64 KB Buffers that go to the
 * output stream with back-pressure: a gathered string would be copied by every young-generation GC
 * it outlives, a Buffer's bytes are outside the JS heap, and one write per 3 KB line spent more in
 * the stream's per-chunk bookkeeping than in JSON.stringify (bench/edi-throughput.ts).
 */
import type { Writable } from 'node:stream';
import {
  translateInto,
  type EdiInput,
  type InputPart,
  type TranslateOptions,
  type TranslationEvent,
  type TranslationSink,
} from './translate.js';

/**
 * The NDJSON line of an event without its newline, or undefined for events NDJSON leaves out.
 * The batcher writes the newline itself: appending it here made a string that had to be
 * flattened, a copy of every line.
 */
export function ndjsonLine(ev: TranslationEvent): string | undefined {
  switch (ev.type) {
    case 'document':
      return JSON.stringify(ev.document);
    case 'diagnostic':
      return JSON.stringify({ diagnostic: ev.diagnostic });
    case 'interchange':
      return JSON.stringify({ interchange: ev.interchange });
    default:
      return undefined;
  }
}

const BATCH_BYTES = 64 * 1024;

/**
 * Gathers lines into Buffers of about 64 KB; `take` hands over the full ones. Each Buffer starts
 * its own ArrayBuffer (never the shared pool), so a worker thread can transfer it.
 */
export class NdjsonBatcher {
  private buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private used = 0;
  private readonly full: Buffer[] = [];

  /** Adds `line` and a newline. */
  add(line: string): void {
    // UTF-8 is at most 3 bytes per UTF-16 unit, so this bound needs no byte count.
    if (this.used + line.length * 3 + 1 > this.buf.length) {
      this.cut();
      if (line.length * 3 + 1 > this.buf.length) {
        const long = Buffer.allocUnsafeSlow(Buffer.byteLength(line, 'utf8') + 1);
        long[long.write(line, 0, 'utf8')] = 10;
        this.full.push(long);
        return;
      }
    }
    this.used += this.buf.write(line, this.used, 'utf8');
    this.buf[this.used++] = 10;
  }

  /** Buffers filled so far (the partly filled one too with `all`); the caller owns them. */
  take(all = false): Buffer[] {
    if (all) this.cut();
    return this.full.splice(0);
  }

  /** Bytes waiting, filled Buffers and the open one. */
  get pending(): number {
    let n = this.used;
    for (const b of this.full) n += b.length;
    return n;
  }

  private cut(): void {
    if (this.used === 0) return;
    // The stream keeps the Buffer until it is written, so the next batch gets a fresh one.
    this.full.push(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.used = 0;
  }
}

/**
 * How much output may wait in the stream before translation stops for it. A file stream's
 * high-water mark is 16 KB, below one batch: waiting for 'drain' after every batch left the thread
 * idle for each write (~8% of the 16 MB bench's time); a few batches in flight let translation go
 * on while the last ones are written, and memory stays bounded.
 */
export const MAX_QUEUED_BYTES = 512 * 1024;

/**
 * Writes Buffers to `out` as one batch (corked: a single writev), then waits for 'drain' if more
 * than MAX_QUEUED_BYTES wait in the stream; the next batch is made only after that.
 */
export async function writeWithBackpressure(out: Writable, buffers: readonly Buffer[]): Promise<void> {
  if (buffers.length === 0 || out.destroyed || out.writableEnded) return;
  let more = true;
  out.cork();
  for (const b of buffers) more = out.write(b);
  out.uncork();
  // `more` is false whenever anything waits beyond the high-water mark, so 'drain' will come.
  if (!more && out.writableLength > MAX_QUEUED_BYTES && !out.destroyed) await drained(out);
}

/** Resolves on 'drain', or when the stream errors or closes (the caller then sees `destroyed`). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

export interface NdjsonSummary {
  readonly documents: number;
  /** Diagnostics with severity error. */
  readonly errors: number;
}

/** Counts what a translation produced, for callers that report it (the CLI's exit code, the bench). */
export function countEvent(ev: TranslationEvent, into: { documents: number; errors: number }): void {
  if (ev.type === 'document') into.documents++;
  else if (ev.type === 'diagnostic' && ev.diagnostic.severity === 'error') into.errors++;
}

/** A sink that counts events and gathers their NDJSON lines (translateInto). */
export function ndjsonSink(
  batch: NdjsonBatcher,
  summary: { documents: number; errors: number },
): TranslationSink {
  return {
    event(ev) {
      countEvent(ev, summary);
      const line = ndjsonLine(ev);
      if (line !== undefined) batch.add(line);
    },
  };
}

/**
 * Translates `input` to NDJSON on `out` in this thread; stops reading when `out` goes away.
 * `part`: the input is a share of a longer one (see translateStream).
 */
export async function translateToNdjsonSerial(
  input: EdiInput,
  out: Writable,
  options: TranslateOptions = {},
  part?: InputPart,
): Promise<NdjsonSummary> {
  const summary = { documents: 0, errors: 0 };
  const batch = new NdjsonBatcher();
  const sink: TranslationSink = {
    ...ndjsonSink(batch, summary),
    // Full batches go out after each step of the input (a set's lines at most wait for it).
    settle() {
      const full = batch.take();
      return full.length > 0 ? writeWithBackpressure(out, full).then(() => !out.destroyed) : undefined;
    },
  };
  await translateInto(input, sink, options, part);
  await writeWithBackpressure(out, batch.take(true));
  return summary;
}
