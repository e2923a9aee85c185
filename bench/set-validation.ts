/**
 * Set-validation micro-bench: validates the same X12 sets with the compiled validator
 * (src/edi/x12-set-schema.ts) and with the previous algorithm, kept below as the baseline, and
 * prints ns per segment for both and their ratio, measured in the same run. Both must report the
 * same diagnostics for every set (the baseline knows no syntax notes, so the sets are valid ones).
 * Timings are per chunk of 20 sets kept in cache, best of 7 rounds, summed over the file.
 *
 *   node dist/bench/set-validation.js [file.edi]   (default bench/out/856-16mb.edi, else generated)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepStrictEqual } from 'node:assert/strict';
import type { Diagnostic, Segment } from '../src/edi/edi-types.js';
import { parseEdiDate, parseEdiTime } from '../src/edi/edi-datetime.js';
import { readX12 } from '../src/edi/x12-envelope-reader.js';
import { validateSet, type LoopSpec, type SegmentSpec, type SetSchema } from '../src/edi/x12-set-schema.js';
import { X12_SET_SCHEMAS } from '../src/edi/x12-set-schemas.js';

/* ---- baseline: the validator as it was before schemas were compiled (commit 27664b2) ---- */

type Entry = SegmentSpec | LoopSpec;
const isLoop = (e: Entry): e is LoopSpec => 'loop' in e;
const openingTag = (e: Entry): string => (isLoop(e) ? openingTag(e.body[0]!) : e.seg);

interface Frame {
  readonly entries: readonly Entry[];
  idx: number;
  readonly counts: number[];
}

interface Ctl {
  readonly interchangeControlNumber?: string;
  readonly groupControlNumber?: string;
  readonly transactionControlNumber?: string;
}
function allTags(entries: readonly Entry[], into: Set<string>): Set<string> {
  for (const e of entries) {
    if (isLoop(e)) allTags(e.body, into);
    else into.add(e.seg);
  }
  return into;
}
const tagCache = new WeakMap<SetSchema, Set<string>>();

const positionCache = new WeakMap<readonly Entry[], ReadonlyMap<string, readonly number[]>>();
/** Opening tag → its entry indexes in a loop body, so each segment finds its place without a scan. */
function positionsOf(entries: readonly Entry[]): ReadonlyMap<string, readonly number[]> {
  let m = positionCache.get(entries);
  if (!m) {
    const built = new Map<string, number[]>();
    entries.forEach((e, i) => {
      const t = openingTag(e);
      const list = built.get(t) ?? [];
      list.push(i);
      built.set(t, list);
    });
    m = built;
    positionCache.set(entries, m);
  }
  return m;
}

/** Validates a set's segments (ST … SE inclusive, or the body alone) against `schema`. */
function baselineValidateSet(schema: SetSchema, segments: readonly Segment[], ctx: Ctl = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  let known = tagCache.get(schema);
  if (!known) {
    known = allTags(schema.body, new Set());
    tagCache.set(schema, known);
  }
  const first = segments[0]?.tag === 'ST' ? 1 : 0;
  const last =
    segments.length > 0 && segments[segments.length - 1]!.tag === 'SE'
      ? segments.length - 1
      : segments.length;
  const stack: Frame[] = [
    { entries: schema.body, idx: 0, counts: new Array<number>(schema.body.length).fill(0) },
  ];
  const add = (
    seg: Segment | undefined,
    position: number,
    fields: Pick<Diagnostic, 'code' | 'rule' | 'message'> & Partial<Diagnostic>,
  ): void => {
    out.push({
      severity: 'error',
      level: 'segment',
      ...ctx,
      ...(seg ? { segmentId: seg.tag, offset: seg.offset } : {}),
      segmentPosition: position,
      ...fields,
    });
  };
  const missing = (frame: Frame, from: number, to: number, position: number): void => {
    for (let k = from; k < to; k++) {
      const e = frame.entries[k]!;
      if (e.req === 'M' && frame.counts[k] === 0) {
        add(undefined, position, {
          segmentId: openingTag(e),
          code: '3',
          rule: 'MANDATORY_SEGMENT_MISSING',
          message: `mandatory segment ${openingTag(e)} missing`,
        });
      }
    }
  };
  for (let i = first; i < last; i++) {
    const seg = segments[i]!;
    const position = i + (first === 1 ? 1 : 2);
    for (;;) {
      const frame = stack[stack.length - 1]!;
      let k = -1;
      const at = positionsOf(frame.entries).get(seg.tag);
      if (at) {
        for (const j of at) {
          if (j >= frame.idx) {
            k = j;
            break;
          }
        }
      }
      // Inside a loop, its opening tag again means a new instance: let the parent handle it.
      const inLoop = stack.length > 1;
      if (k === 0 && inLoop && frame.counts[0]! > 0) k = -1;
      if (k >= 0) {
        missing(frame, frame.idx + (frame.counts[frame.idx]! > 0 ? 1 : 0), k, position);
        const e = frame.entries[k]!;
        frame.counts[k]! += 1;
        frame.idx = k;
        if (frame.counts[k]! > e.max) {
          add(
            seg,
            position,
            isLoop(e)
              ? {
                  code: '4',
                  rule: 'LOOP_OVER_MAX',
                  message: `loop ${e.loop} occurs more than ${e.max} times`,
                }
              : {
                  code: '5',
                  rule: 'SEGMENT_OVER_MAX',
                  message: `segment ${seg.tag} occurs more than ${e.max} times`,
                },
          );
        }
        if (isLoop(e)) {
          const f: Frame = { entries: e.body, idx: 0, counts: new Array<number>(e.body.length).fill(0) };
          stack.push(f);
          continue; // re-run: the opening segment is matched inside the new frame
        }
        checkElements(e, seg, position, out, ctx);
        break;
      }
      if (inLoop) {
        stack.pop();
        missing(frame, frame.idx + 1, frame.entries.length, position);
        continue;
      }
      // At the top and nowhere ahead: out of order, unexpected, or unknown.
      if (known.has(seg.tag))
        add(seg, position, {
          code: '7',
          rule: 'SEGMENT_OUT_OF_ORDER',
          message: `segment ${seg.tag} is out of sequence`,
        });
      else if (!/^[A-Z][A-Z0-9]{1,2}$/.test(seg.tag))
        add(seg, position, {
          code: '1',
          rule: 'UNRECOGNIZED_SEGMENT',
          message: `"${seg.tag}" is not a segment id`,
        });
      else
        add(seg, position, {
          severity: 'warning',
          code: '2',
          rule: 'UNEXPECTED_SEGMENT',
          message: `segment ${seg.tag} is not expected in a ${schema.setId}; ignored`,
        });
      break;
    }
  }
  const sePosition = last - first + 2;
  while (stack.length > 0) {
    const frame = stack.pop()!;
    missing(frame, frame.idx + (frame.counts[frame.idx]! > 0 ? 1 : 0), frame.entries.length, sePosition);
  }
  return out;
}

function checkElements(spec: SegmentSpec, seg: Segment, position: number, out: Diagnostic[], ctx: Ctl): void {
  const specs = spec.elements;
  if (!specs) return;
  const add = (el: number, code: string, rule: string, message: string): void => {
    out.push({
      severity: 'error',
      level: 'element',
      ...ctx,
      segmentId: seg.tag,
      segmentPosition: position,
      elementPosition: el,
      offset: seg.offset,
      code,
      rule,
      message,
    });
  };
  let el = 0;
  let v = '';
  // Built only when a message needs it: this loop runs for every element of every segment.
  const nameOf = (): string => `${seg.tag}${String(el).padStart(2, '0')}`;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    if (!s) continue;
    el = i + 1;
    v = seg.elements[i]?.[0] ?? '';
    if (v.length > 0 && (v.charCodeAt(0) === 32 || v.charCodeAt(v.length - 1) === 32)) v = v.trim();
    if (v === '') {
      if (s.req === 'M') add(el, '1', 'MANDATORY_ELEMENT_MISSING', `${nameOf()} is mandatory`);
      continue;
    }
    const len =
      s.type === 'N0' || s.type === 'N2'
        ? v.replace(/^-/, '').length
        : s.type === 'R'
          ? v.replace(/[-.]/g, '').length
          : v.length;
    if (len < s.min) add(el, '4', 'ELEMENT_TOO_SHORT', `${nameOf()} "${v}" is shorter than ${s.min}`);
    else if (len > s.max) add(el, '5', 'ELEMENT_TOO_LONG', `${nameOf()} "${v}" is longer than ${s.max}`);
    switch (s.type) {
      case 'N0':
      case 'N2':
        if (!/^-?\d+$/.test(v)) add(el, '6', 'INVALID_CHARACTER', `${nameOf()} "${v}" is not numeric`);
        break;
      case 'R':
        if (!/^-?(\d+\.?\d*|\.\d+)$/.test(v))
          add(el, '6', 'INVALID_CHARACTER', `${nameOf()} "${v}" is not a decimal number`);
        break;
      case 'DT':
        if (!parseEdiDate(v)) add(el, '8', 'INVALID_DATE', `${nameOf()} "${v}" is not a valid date`);
        break;
      case 'TM':
        if (!parseEdiTime(v)) add(el, '9', 'INVALID_TIME', `${nameOf()} "${v}" is not a valid time`);
        break;
      default:
        if (s.codes && !s.codes.includes(v))
          add(el, '7', 'INVALID_CODE', `${nameOf()} "${v}" is not one of ${s.codes.join(', ')}`);
    }
  }
}

/* ---- the run ---- */

async function loadSets(file: string): Promise<{ setId: string; segments: readonly Segment[] }[]> {
  const sets: { setId: string; segments: readonly Segment[] }[] = [];
  for await (const ev of readX12([readFileSync(file)]))
    if (ev.type === 'transaction') sets.push({ setId: ev.set.setId, segments: ev.set.segments });
  return sets;
}

function generated(): string {
  const sets: string[] = [];
  for (let n = 1; n <= 2000; n++) {
    const body = [
      `BSN*00*SHP${n}*20261127*0930*0001`,
      'DTM*011*20261127*0800*ET',
      'HL*1**S*1',
      'TD1*CTN25*8****G*120.5*LB',
      'TD5**2*ABCD*M*ABCD FREIGHT',
      `REF*BM*BOL${n}`,
      'N1*ST*BIG STORE 42*92*ST042',
      'N3*42 MARKET RD',
      'N4*CHICAGO*IL*60601*US',
      'HL*2*1*O*1',
      `PRF*PO${n}***20261120`,
      'HL*3*2*I*0',
      'LIN*1*BP*SKU-1*VP*VEND-1',
      'SN1**6*EA',
      'PID*F****Widget',
      'CTT*3',
    ];
    sets.push(
      `ST*856*${String(n).padStart(4, '0')}~${body.join('~')}~SE*${body.length + 2}*${String(n).padStart(4, '0')}~`,
    );
  }
  return `ISA*00*          *00*          *ZZ*BENCHSENDER    *ZZ*BENCHRECEIVER  *261127*0930*U*00401*000000001*0*P*>~GS*SH*BENCHSENDER*BENCHRECEIVER*20261127*0930*1*X*004010~${sets.join('')}GE*${sets.length}*1~IEA*1*000000001~`;
}

const CHUNK = 20;
const ROUNDS = 7;

function time(run: () => void): number {
  const t0 = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t0);
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  const fallback = join(process.cwd(), 'bench', 'out', '856-16mb.edi');
  let sets: { setId: string; segments: readonly Segment[] }[];
  if (arg ?? existsSync(fallback)) sets = await loadSets(arg ?? fallback);
  else
    sets = await (async () => {
      const out: { setId: string; segments: readonly Segment[] }[] = [];
      for await (const ev of readX12([generated()]))
        if (ev.type === 'transaction') out.push({ setId: ev.set.setId, segments: ev.set.segments });
      return out;
    })();
  const work = sets.filter((s) => X12_SET_SCHEMAS[s.setId]);
  const segments = work.reduce((n, s) => n + s.segments.length, 0);
  const ctl = { interchangeControlNumber: '1', groupControlNumber: '1', transactionControlNumber: '1' };
  for (const s of work) {
    const schema = X12_SET_SCHEMAS[s.setId]!;
    deepStrictEqual(validateSet(schema, s.segments, ctl), baselineValidateSet(schema, s.segments, ctl));
  }
  // The translation validates a set right after tokenizing it, while its segments are in cache:
  // so both run on chunks of sets small enough to stay cached, alternating, best of several rounds.
  let sink = 0;
  const run = (validate: typeof validateSet, chunk: typeof work): void => {
    for (const s of chunk) sink += validate(X12_SET_SCHEMAS[s.setId]!, s.segments, ctl).length;
  };
  // The same schemas without their syntax notes: what checking the notes costs.
  const strip = (body: SetSchema['body']): SetSchema['body'] =>
    body.map((e) => ('loop' in e ? { ...e, body: strip(e.body) } : { ...e, notes: [] }));
  const noNotes = new Map(
    Object.values(X12_SET_SCHEMAS).map((sc) => [sc.setId, { ...sc, body: strip(sc.body) }]),
  );
  const runNoNotes = (chunk: typeof work): void => {
    for (const s of chunk) sink += validateSet(noNotes.get(s.setId)!, s.segments, ctl).length;
  };
  let bestCompiled = 0;
  let bestBaseline = 0;
  let bestNoNotes = 0;
  for (let from = 0; from < work.length; from += CHUNK) {
    const chunk = work.slice(from, from + CHUNK);
    run(validateSet, chunk);
    run(baselineValidateSet, chunk);
    runNoNotes(chunk);
    let c = Infinity;
    let b = Infinity;
    let nn = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      b = Math.min(
        b,
        time(() => run(baselineValidateSet, chunk)),
      );
      c = Math.min(
        c,
        time(() => run(validateSet, chunk)),
      );
      nn = Math.min(
        nn,
        time(() => runNoNotes(chunk)),
      );
    }
    bestCompiled += c;
    bestBaseline += b;
    bestNoNotes += nn;
  }
  const ns = (t: number): string => (t / segments).toFixed(1);
  console.log(`sets ${work.length}, segments ${segments} (diagnostics checked equal; sink ${sink})`);
  console.log(`baseline validateSet: ${(bestBaseline / 1e6).toFixed(1)} ms, ${ns(bestBaseline)} ns/segment`);
  console.log(`compiled validateSet: ${(bestCompiled / 1e6).toFixed(1)} ms, ${ns(bestCompiled)} ns/segment`);
  console.log(
    `compiled, no syntax notes: ${(bestNoNotes / 1e6).toFixed(1)} ms, ${ns(bestNoNotes)} ns/segment`,
  );
  const notesCost = ((bestCompiled - bestNoNotes) / bestNoNotes) * 100;
  console.log(
    `speed-up: ${(bestBaseline / bestCompiled).toFixed(2)}x; syntax notes cost ${notesCost.toFixed(1)}%`,
  );
}

await main();
