/**
 * X12 to NDJSON on worker threads, for large inputs (ADR 5). The main thread cuts the byte stream
 * into runs of whole interchanges (x12-interchange-splitter.ts), workers translate and serialise
 * them, and the main thread writes their NDJSON in input order, so the output is byte for byte the
 * serial path's. At most two runs per worker are in flight, so memory stays bounded whatever the
 * input size. Where the splitter cannot cut safely, the rest of the input is translated serially.
 *
 * A caller's `now` or control-number generator cannot cross to a worker: with either (or `acks`,
 * whose control numbers run across interchanges) the serial path is used.
 */
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { WORKER_YOUNG_GENERATION_MB } from '../common/heap-flags.js';
import { translateToNdjsonSerial, writeWithBackpressure, type NdjsonSummary } from './ndjson-output.js';
import {
  translateRun,
  type TranslateJob,
  type TranslateJobResult,
  type WorkerSetup,
} from './parallel-translate-worker.js';
import { toChunks, type EdiInput, type InputPart, type TranslateOptions } from './translate.js';
import { rememberUnique } from './x12-envelope-reader.js';
import { X12InterchangeSplitter, type InterchangeRun } from './x12-interchange-splitter.js';

export interface NdjsonTranslateOptions extends TranslateOptions {
  /** Worker threads to translate on; below 2 the calling thread translates. Default: one per CPU. */
  readonly workers?: number;
  /** A started pool (made with the same translate options), e.g. warmed up before a measurement. */
  readonly pool?: TranslatorPool;
  /** The least input a worker gets at once (whole interchanges): 1 MB unless a test wants more runs. */
  readonly runBytes?: number;
}

export interface ParallelSummary extends NdjsonSummary {
  /** Runs of interchanges translated on worker threads (0: the calling thread did all). */
  readonly workerRuns: number;
}

/** Whether `options` can be handed to worker threads (no functions, nothing numbered across interchanges). */
export function parallelSafe(options: TranslateOptions): boolean {
  return options.now === undefined && options.controlNumbers === undefined && options.acks !== true;
}

interface PoolWorker {
  readonly worker: Worker;
  job:
    { readonly resolve: (r: TranslateJobResult) => void; readonly reject: (e: unknown) => void } | undefined;
}

/** Worker threads that translate runs of interchanges with fixed translate options. */
export class TranslatorPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: {
    readonly job: TranslateJob;
    readonly resolve: (r: TranslateJobResult) => void;
    readonly reject: (e: unknown) => void;
  }[] = [];
  private readonly started: Promise<void>;
  private nextId = 0;

  constructor(size: number, options: TranslateOptions) {
    if (!parallelSafe(options))
      throw new Error('translate options with functions cannot go to worker threads');
    const url = new URL('./parallel-translate-worker.js', import.meta.url);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const setup: WorkerSetup = { role: 'crossdock-translate', options };
      // The young generation the main process gets from NODE_HEAP_FLAGS (heap-flags.ts).
      const worker = new Worker(url, {
        workerData: setup,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      const w: PoolWorker = { worker, job: undefined };
      ready.push(
        new Promise((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        }),
      );
      worker.on('error', (err) => {
        w.job?.reject(err);
        w.job = undefined;
      });
      // A worker that dies without an error (killed, out of memory) must not leave its job waiting.
      worker.on('exit', (code) => {
        w.job?.reject(new Error(`translation worker exited with code ${code}`));
        w.job = undefined;
      });
      this.workers.push(w);
    }
    this.started = Promise.all(ready).then(() => {
      for (const w of this.workers) {
        w.worker.on('message', (r: TranslateJobResult) => {
          const job = w.job;
          w.job = undefined;
          job?.resolve(r);
          this.dispatch();
        });
      }
    });
    // Until `ready` is awaited a failed start must not be an unhandled rejection.
    this.started.catch(() => undefined);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Each worker's heap limits as its thread reports them (an exited worker's are empty). */
  get resourceLimits(): readonly Worker['resourceLimits'][] {
    return this.workers.map((w) => w.worker.resourceLimits);
  }

  /** Resolves when every worker has loaded its maps and schemas. */
  ready(): Promise<void> {
    return this.started;
  }

  run(job: Omit<TranslateJob, 'id'>): Promise<TranslateJobResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      void this.started.then(() => this.dispatch(), reject);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private dispatch(): void {
    for (const w of this.workers) {
      if (w.job !== undefined) continue;
      const next = this.queue.shift();
      if (!next) return;
      w.job = { resolve: next.resolve, reject: next.reject };
      w.worker.postMessage(next.job);
    }
  }
}

/**
 * Translates `input` to NDJSON on `out` (ndjson-output.ts), on worker threads when the options
 * allow it; the output is the same either way. Stops reading when `out` goes away.
 */
export async function translateToNdjson(
  input: EdiInput,
  out: Writable,
  options: NdjsonTranslateOptions = {},
): Promise<ParallelSummary> {
  const { workers, pool, runBytes, ...translateOptions } = options;
  const size = pool?.size ?? workers ?? availableParallelism();
  if (size < 2 || !parallelSafe(translateOptions))
    return { ...(await translateToNdjsonSerial(input, out, translateOptions)), workerRuns: 0 };
  // Started with the first run: an input shorter than one run is translated here, without workers.
  let own: TranslatorPool | undefined;
  const poolFor = (): TranslatorPool => pool ?? (own ??= new TranslatorPool(size, translateOptions));
  try {
    return await translateParallel(input, out, translateOptions, poolFor, size, runBytes);
  } finally {
    await own?.close();
  }
}

const asBuffer = (chunk: Buffer | Uint8Array | string): Buffer =>
  typeof chunk === 'string'
    ? Buffer.from(chunk, 'utf8')
    : Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

async function translateParallel(
  input: EdiInput,
  out: Writable,
  options: TranslateOptions,
  poolFor: () => TranslatorPool,
  size: number,
  runBytes: number | undefined,
): Promise<ParallelSummary> {
  const summary = { documents: 0, errors: 0, workerRuns: 0 };
  const splitter = new X12InterchangeSplitter(runBytes);
  const inFlight: {
    readonly run: InterchangeRun;
    readonly first: boolean;
    result: Promise<TranslateJobResult>;
  }[] = [];
  const maxInFlight = size * 2;
  /** Segments before the next run to be written. */
  let index = 0;
  /** Interchange keys of the runs written, as the serial reader would remember them. */
  const earlier = new Set<string>();
  let dispatched = 0;

  const dispatch = (run: InterchangeRun): void => {
    const first = dispatched++ === 0;
    const result = poolFor().run({ bytes: run.bytes, offset: run.offset, index: 0, first });
    // Awaited in order by writeOldest; until then a failure must not count as unhandled.
    result.catch(() => undefined);
    inFlight.push({ run, first, result });
    summary.workerRuns++;
  };
  const writeOldest = async (): Promise<void> => {
    const job = inFlight.shift()!;
    let r = await job.result;
    // A received TA1's document id counts segments from the start of the input, and a repeated
    // ISA13 is found against the interchanges before the run: both are known now.
    const repeats = r.interchanges.some((k) => earlier.has(k));
    if ((r.usesIndex || repeats) && !job.first)
      r = await translateRun(
        {
          id: -1,
          bytes: job.run.bytes,
          offset: job.run.offset,
          index,
          first: false,
          ...(repeats ? { earlierInterchanges: [...earlier] } : {}),
        },
        options,
      );
    for (const k of r.interchanges) rememberUnique(earlier, k);
    index += r.segments;
    summary.documents += r.documents;
    summary.errors += r.errors;
    await writeWithBackpressure(
      out,
      r.ndjson.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    );
  };

  const it = toChunks(input)[Symbol.asyncIterator]();
  let ended = false;
  let failure: { readonly error: unknown } | undefined;
  try {
    while (!splitter.failed && !out.destroyed) {
      const next = await it.next();
      if (next.done) {
        ended = true;
        break;
      }
      for (const run of splitter.push(asBuffer(next.value))) {
        while (inFlight.length >= maxInFlight) await writeOldest();
        dispatch(run);
      }
    }
  } catch (error) {
    failure = { error };
  }
  if (ended && !splitter.failed && dispatched > 0) {
    const last = splitter.finish();
    if (last) dispatch(last);
  }
  while (inFlight.length > 0 && !out.destroyed) await writeOldest();
  if (out.destroyed) {
    await it.return?.();
    return summary;
  }
  if (ended && !splitter.failed && dispatched > 0) return summary;

  // The rest goes through the calling thread, from the last cut on, as the serial path reads it.
  const rest = splitter.rest();
  async function* remaining(): AsyncGenerator<Buffer> {
    yield* rest;
    if (failure) throw failure.error;
    if (ended) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield asBuffer(next.value);
    }
  }
  // The serial rest still finds an ISA13 that repeats one the workers read.
  const part: InputPart = {
    offset: splitter.offset,
    index,
    first: dispatched === 0,
    ...(earlier.size > 0 ? { earlierInterchanges: [...earlier] } : {}),
  };
  const tail = await translateToNdjsonSerial(remaining(), out, options, part);
  return {
    documents: summary.documents + tail.documents,
    errors: summary.errors + tail.errors,
    workerRuns: summary.workerRuns,
  };
}
