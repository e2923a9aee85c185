/**
 * One run of whole interchanges translated to NDJSON, exactly as the serial path writes that part
 * of the output (parallel-translate.ts); and the worker thread that does it for the pool.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { NdjsonBatcher, ndjsonSink } from './ndjson-output.js';
import { translateInto, type InputPart, type TranslateOptions } from './translate.js';

export interface TranslateJob {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly index: number;
  readonly first: boolean;
  /** Interchange keys read before the run, when the main thread knows they matter (a repeat). */
  readonly earlierInterchanges?: readonly string[];
}

export interface TranslateJobResult {
  readonly id: number;
  /** The NDJSON, in Buffers that own their ArrayBuffers (transferred, not copied). */
  readonly ndjson: readonly Uint8Array[];
  readonly documents: number;
  readonly errors: number;
  /** Segments in the run. */
  readonly segments: number;
  /** The output depends on the segments before the run (`index`): it is only right if that was. */
  readonly usesIndex: boolean;
  /** The run's interchange keys (sender and ISA13), in order: one that repeats an earlier run's is TA1 025. */
  readonly interchanges: readonly string[];
}

/** What the pool hands a worker: marked, so that importing this module elsewhere starts nothing. */
export interface WorkerSetup {
  readonly role: 'crossdock-translate';
  readonly options: TranslateOptions;
}

export async function translateRun(
  job: TranslateJob,
  options: TranslateOptions,
): Promise<TranslateJobResult> {
  const part: InputPart = {
    offset: job.offset,
    index: job.index,
    first: job.first,
    ...(job.earlierInterchanges ? { earlierInterchanges: job.earlierInterchanges } : {}),
    interchanges: [],
  };
  const summary = { documents: 0, errors: 0 };
  const batch = new NdjsonBatcher();
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  await translateInto([bytes], ndjsonSink(batch, summary), options, part);
  return {
    id: job.id,
    ndjson: batch.take(true),
    ...summary,
    segments: (part.segments ?? job.index) - job.index,
    usesIndex: part.usesIndex === true,
    interchanges: part.interchanges ?? [],
  };
}

/** A one-set interchange: translating it once loads maps and compiles schemas before the first job. */
const WARM_UP =
  'ISA*00*          *00*          *ZZ*WARMUP         *ZZ*WARMUP         *261127*0930*U*00401*000000001*0*P*>~' +
  'GS*SH*WARMUP*WARMUP*20261127*0930*1*X*004010~ST*856*0001~BSN*00*W*20261127*0930*0001~HL*1**S*0~' +
  'CTT*1~SE*5*0001~GE*1*1~IEA*1*000000001~';

const setup = workerData as WorkerSetup | undefined;
if (parentPort && setup?.role === 'crossdock-translate') {
  const port = parentPort;
  await translateInto(WARM_UP, { event: () => undefined }, setup.options, {
    offset: 0,
    index: 0,
    first: false,
  });
  port.postMessage('ready');
  // One job at a time: the pool sends the next when this one is answered.
  port.on('message', (job: TranslateJob) => {
    void translateRun(job, setup.options).then((r) =>
      port.postMessage(
        r,
        r.ndjson.map((b) => b.buffer as ArrayBuffer),
      ),
    );
  });
}
