/**
 * Long-segment bench: an X12 856 whose N1 name is 1, 4 or 16 MB long (a broken or hostile file),
 * translated from 64 KB chunks as a file stream delivers them. Prints seconds per MB for each size
 * and the ratio of the largest to the smallest: about 1 when the time grows with the segment's
 * length, about 16 if the tokenizer searched or copied the open segment again per chunk.
 *
 *   node dist/bench/edi-long-segment.js   (from the repository root)
 */
import { translateStream } from '../src/edi/translate.js';

const MB = 1024 * 1024;
const CHUNK = 64 * 1024;

function file(nameBytes: number): Buffer {
  const isa =
    'ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*U*00401*000000001*0*P*>~';
  const body = [
    'GS*SH*SENDERID*RECEIVERID*20261127*0930*1*X*004010',
    'ST*856*0001',
    'BSN*00*SHP1*20261127*0930',
    'HL*1**S',
    `N1*SF*${'A'.repeat(nameBytes)}*92*WH01`,
    'CTT*1',
    'SE*6*0001',
    'GE*1*1',
    'IEA*1*000000001',
  ];
  return Buffer.from(`${isa}${body.map((s) => `${s}~`).join('')}`);
}

function* chunks(b: Buffer): Generator<Buffer> {
  for (let i = 0; i < b.length; i += CHUNK) yield b.subarray(i, i + CHUNK);
}

async function secondsFor(b: Buffer): Promise<number> {
  const start = process.hrtime.bigint();
  let events = 0;
  for await (const _ of translateStream(chunks(b))) events++;
  if (events === 0) throw new Error('no events');
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  await secondsFor(file(1024)); // maps, schemas and the JIT, once
  const rows: { mb: number; perMb: number }[] = [];
  for (const mb of [1, 4, 16]) {
    const b = file(mb * MB);
    const runs = [await secondsFor(b), await secondsFor(b), await secondsFor(b)].sort((x, y) => x - y);
    const perMb = runs[1]! / (b.length / MB);
    rows.push({ mb, perMb });
    console.log(
      `${String(mb).padStart(3)} MB element  ${runs[1]!.toFixed(3)} s  ${(perMb * 1000).toFixed(1)} ms/MB`,
    );
  }
  const ratio = rows.at(-1)!.perMb / rows[0]!.perMb;
  console.log(`time per MB, 16 MB element vs 1 MB element: ${ratio.toFixed(2)}x  (linear: about 1)`);
}

await main();
