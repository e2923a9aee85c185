/**
 * EDI throughput bench: generates ~16 MB and ~200 MB X12 856 files (bench/out/, gitignored),
 * translates each to canonical NDJSON and reports MB/s and peak RSS, next to node-x12's full parse
 * of the same 16 MB file measured in the same run. `translate` is the calling thread alone,
 * `translate-par` the worker-thread path (parallel-translate.ts, one worker per CPU; CPU time and
 * RSS are the whole process's, workers included). Every measurement runs in its own child process
 * so peak RSS belongs to that case alone. The 16 MB cases run 3 times (the machine is shared) and
 * report the median wall and CPU time and the highest peak RSS; the 200 MB cases run once. Child
 * processes run with the V8 heap flags every Crossdock process has (src/common/heap-flags.ts).
 * `--long` adds a ~800 MB file (serial path only): its peak RSS next to the 200 MB file's shows
 * whether memory grows with the input's length.
 *
 *   node dist/bench/edi-throughput.js [--quick] [--long] [--runs N]   (from the repository root)
 */
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { translateToNdjsonSerial } from '../src/edi/ndjson-output.js';
import { TranslatorPool, translateToNdjson } from '../src/edi/parallel-translate.js';
import { translateStream } from '../src/edi/translate.js';
import { NODE_HEAP_FLAGS } from '../src/common/heap-flags.js';

const OUT = join(process.cwd(), 'bench', 'out');
const MB = 1024 * 1024;

function isa(control: string): string {
  return `ISA*00*          *00*          *ZZ*BENCHSENDER    *ZZ*BENCHRECEIVER  *261127*0930*U*00401*${control}*0*P*>~\n`;
}

/** One 856 with 2 orders × 2 packs × 2 items, plus parties: about 2.5 KB, like a real store ASN. */
function shipment(n: number): string {
  const ctl = String(n).padStart(9, '0');
  const body: string[] = [
    `BSN*00*SHP${ctl}*20261127*0930*0001`,
    'HL*1**S*1',
    'TD1*CTN25*8****G*120.5*LB',
    'TD5**2*ABCD*M*ABCD FREIGHT',
    `REF*BM*BOL${ctl}`,
    `REF*CN*PRO${ctl}`,
    'DTM*011*20261127*0800*ET',
    'N1*SF*ACME WAREHOUSE*92*WH01',
    'N3*100 MAIN ST*SUITE 5',
    'N4*COLUMBUS*OH*43215*US',
    'N1*ST*BIG STORE 42*92*ST042',
    'N3*42 MARKET RD',
    'N4*CHICAGO*IL*60601*US',
  ];
  let hl = 1;
  for (let o = 0; o < 2; o++) {
    const oid = ++hl;
    body.push(`HL*${oid}*1*O*1`, `PRF*PO${ctl}${o}***20261120`);
    for (let p = 0; p < 2; p++) {
      const pid = ++hl;
      body.push(`HL*${pid}*${oid}*P*1`, `MAN*GM*00${String(n * 4 + o * 2 + p).padStart(18, '0')}`);
      for (let i = 0; i < 2; i++) {
        const iid = ++hl;
        body.push(
          `HL*${iid}*${pid}*I*0`,
          `LIN*${i + 1}*BP*SKU-${o}${p}${i}*VP*VEND-${o}${p}${i}*UP*01234567890${i}`,
          `SN1**${(i + 1) * 6}*EA`,
          `PID*F****Widget model ${o}${p}${i} in blue, boxed`,
        );
      }
    }
  }
  body.push(`CTT*${hl}`);
  const st = String(n % 1_000_000).padStart(4, '0');
  return `ST*856*${st}~\n${body.map((s) => `${s}~\n`).join('')}SE*${body.length + 2}*${st}~\n`;
}

function shipmentInterchange(): string {
  return `${isa('000000001')}GS*SH*BENCHSENDER*BENCHRECEIVER*20261127*0930*1*X*004010~\n${shipment(1)}GE*1*1~\nIEA*1*000000001~\n`;
}

/** Writes ~`targetMb` of 856s: interchanges of 500 sets, streamed to disk. */
async function generate(file: string, targetMb: number): Promise<void> {
  if (existsSync(file) && Math.abs(statSync(file).size - targetMb * MB) < 2 * MB) return;
  const out = createWriteStream(file);
  let written = 0;
  let n = 0;
  let icn = 0;
  while (written < targetMb * MB) {
    icn++;
    const control = String(icn).padStart(9, '0');
    let chunk = `${isa(control)}GS*SH*BENCHSENDER*BENCHRECEIVER*20261127*0930*${icn}*X*004010~\n`;
    for (let k = 0; k < 500; k++) chunk += shipment(++n);
    chunk += `GE*500*${icn}~\nIEA*1*${control}~\n`;
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

interface Measurement {
  readonly case: string;
  readonly file: string;
  readonly bytes: number;
  readonly seconds: number;
  readonly mbPerSecond: number;
  /** User+system CPU seconds: the machine is shared, so CPU-time throughput is the steadier figure. */
  readonly cpuSeconds: number;
  readonly mbPerCpuSecond: number;
  /** One-time start-up work before the clock starts (maps, schemas, time zones). */
  readonly warmupSeconds: number;
  readonly peakRssMb: number;
  readonly documents: number;
  readonly errors: number;
}

async function runCase(kind: string, file: string): Promise<Measurement> {
  const bytes = statSync(file).size;
  const warm = process.hrtime.bigint();
  const options = { channel: 'sftp' } as const;
  let pool: TranslatorPool | undefined;
  if (kind === 'translate') {
    // Map loading, schema compilation and ICU time-zone data are paid once per process, not per MB.
    for await (const _ of translateStream(shipmentInterchange(), options)) void _;
  } else if (kind === 'translate-par') {
    // The same once-per-process work in each worker (each translates one small interchange).
    pool = new TranslatorPool(availableParallelism(), options);
    await pool.ready();
  }
  // Loaded by its case alone (before the clock): the translate cases' peak RSS is theirs only.
  const X12Parser = kind === 'node-x12' ? (await import('node-x12')).X12Parser : undefined;
  const warmupSeconds = Number(process.hrtime.bigint() - warm) / 1e9;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let documents = 0;
  let errors = 0;
  if (kind === 'translate' || kind === 'translate-par') {
    const out = createWriteStream(`${file}.ndjson`);
    const summary = pool
      ? await translateToNdjson(createReadStream(file), out, { ...options, pool })
      : await translateToNdjsonSerial(createReadStream(file), out, options);
    documents = summary.documents;
    errors = summary.errors;
    out.end();
    await once(out, 'finish');
    // The NDJSON is written to measure the whole path; it is half a gigabyte for the big file.
    rmSync(`${file}.ndjson`, { force: true });
    await pool?.close();
  } else {
    const text = readFileSync(file, 'utf8');
    const interchange = new X12Parser!(true).parse(text);
    documents = Array.isArray(interchange) ? interchange.length : 1;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    case: kind,
    file,
    bytes,
    seconds,
    mbPerSecond: bytes / MB / seconds,
    cpuSeconds,
    mbPerCpuSecond: bytes / MB / cpuSeconds,
    warmupSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    documents,
    errors,
  };
}

/** Median wall and CPU time of several runs of one case, with the highest peak RSS among them. */
function medianOf(runs: readonly Measurement[]): Measurement {
  const mid = <T>(xs: T[], key: (x: T) => number): T => xs.sort((a, b) => key(a) - key(b))[xs.length >> 1]!;
  const wall = mid([...runs], (m) => m.seconds);
  const cpu = mid([...runs], (m) => m.cpuSeconds);
  return {
    ...wall,
    cpuSeconds: cpu.cpuSeconds,
    mbPerCpuSecond: cpu.mbPerCpuSecond,
    peakRssMb: Math.max(...runs.map((m) => m.peakRssMb)),
  };
}

function repeat(kind: string, file: string, times: number): Measurement {
  return medianOf(Array.from({ length: times }, () => child(kind, file)));
}

function child(kind: string, file: string): Measurement {
  const r = spawnSync(
    process.execPath,
    [...NODE_HEAP_FLAGS, fileURLToPath(import.meta.url), '--case', kind, file],
    {
      encoding: 'utf8',
      maxBuffer: 16 * MB,
    },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Measurement;
  } catch {
    throw new Error(`${kind} ${file} failed (exit ${String(r.status)}): ${r.stderr.slice(0, 2000)}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--case') {
    process.stdout.write(`${JSON.stringify(await runCase(args[1]!, args[2]!))}\n`);
    return;
  }
  mkdirSync(OUT, { recursive: true });
  const small = join(OUT, '856-16mb.edi');
  const large = join(OUT, '856-200mb.edi');
  const sizes = args.includes('--quick') ? [16] : [16, 200];
  const long = join(OUT, '856-800mb.edi');
  await generate(small, 16);
  if (sizes.includes(200)) await generate(large, 200);
  if (args.includes('--long')) await generate(long, 800);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1]) || 1) : 3;
  const results: Measurement[] = [
    repeat('node-x12', small, runs),
    repeat('translate', small, runs),
    repeat('translate-par', small, runs),
  ];
  if (sizes.includes(200)) results.push(child('translate', large), child('translate-par', large));
  if (args.includes('--long')) results.push(child('translate', long));
  const fmt = (m: Measurement): string =>
    `${m.case.padEnd(13)} ${(m.bytes / MB).toFixed(1).padStart(7)} MB  wall ${m.seconds.toFixed(2).padStart(6)} s ${m.mbPerSecond.toFixed(1).padStart(6)} MB/s  cpu ${m.cpuSeconds.toFixed(2).padStart(6)} s ${m.mbPerCpuSecond.toFixed(1).padStart(6)} MB/cpu-s  peak RSS ${m.peakRssMb.toFixed(0).padStart(5)} MB  warm-up ${m.warmupSeconds.toFixed(2)} s  docs ${m.documents}  errors ${m.errors}`;
  console.log(`16 MB cases: median of ${runs} runs (peak RSS: the highest); 200 and 800 MB: one run`);
  for (const m of results) console.log(fmt(m));
  const baseline = results[0]!;
  for (const ours of results.slice(1, 3))
    console.log(
      `ratio on 16 MB, ${ours.case} to canonical NDJSON vs node-x12 parse: wall ${(ours.mbPerSecond / baseline.mbPerSecond).toFixed(1)}x, cpu ${(ours.mbPerCpuSecond / baseline.mbPerCpuSecond).toFixed(1)}x  (target >= 10x)`,
    );
  for (const big of results.slice(3))
    console.log(
      `peak RSS on the ${(big.bytes / MB).toFixed(0)} MB file, ${big.case}: ${big.peakRssMb.toFixed(0)} MB  (target < 150 MB)`,
    );
}

await main();
