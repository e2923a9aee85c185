/**
 * Floor bench: how fast could any JavaScript translator turn the throughput bench's 16 MB 856 file
 * into the same NDJSON? `floor` is a hand-written translator for exactly the segment shapes
 * bench/edi-throughput.ts generates, working on bytes: it validates nothing, knows no map, schema,
 * other version or partner, and writes the same bytes as `translate` (createdAt aside; the bench
 * checks this before measuring). Next to it, measured the same way (each run its own child process
 * with Crossdock's V8 flags, median of N): node-x12's full parse and Crossdock's `translate`. The
 * floor's ratio to node-x12 is a ceiling for any redesign of the engine (ADR 0005).
 *
 *   node dist/bench/edi-floor.js [--runs N]   (from the repository root, after edi-throughput made the file)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_HEAP_FLAGS } from '../src/common/heap-flags.js';
import { isoFromEdiNumbers } from '../src/edi/edi-datetime.js';

const MB = 1024 * 1024;
const CHUNK = MB;
const TILDE = 126;
const STAR = 42;

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The NDJSON text between values, in output order. */
const T = {
  doc: bytes('{"documentType":"ShipmentNotice","schemaVersion":"1","id":"x12-'),
  tenant: bytes('","tenantId":"default","partnerId":"'),
  created: bytes('","createdAt":"'),
  source: bytes('","source":{"channel":"sftp","format":"x12-856/'),
  env: bytes('","environment":"production","interchangeControlNumber":"'),
  gcn: bytes('","groupControlNumber":"'),
  tcn: bytes('","transactionControlNumber":"'),
  msg: bytes('","messageId":"x12-'),
  corr: bytes('"},"correlationId":"x12-'),
  purpose: bytes('","references":[],"purpose":"original","shipmentId":"'),
  issued: bytes('","issuedAt":"'),
  totals: bytes('","totals":{"packagingCode":"'),
  count: bytes('","packageCount":'),
  weight: bytes(',"grossWeight":{"value":'),
  unit: bytes(',"unit":"'),
  unitN: bytes('","unitNormalized":"'),
  scac: bytes('"}},"carrier":{"scac":"'),
  mode: bytes('","mode":"'),
  cname: bytes('","name":"'),
  bol: bytes('"},"billOfLading":"'),
  pro: bytes('","proNumber":"'),
  shipped: bytes('","shippedAt":"'),
  parties: bytes('","parties":['),
  pIds: bytes('{"ids":[{"qualifier":"'),
  pValue: bytes('","value":"'),
  pRole: bytes('"}],"role":"'),
  pName: bytes('","name":"'),
  pLines: bytes('","address":{"lines":['),
  pCity: bytes('],"city":"'),
  pRegion: bytes('","region":"'),
  pPostal: bytes('","postalCode":"'),
  pCountry: bytes('","country":"'),
  pEnd: bytes('"}}'),
  orders: bytes('],"orders":['),
  oPackages: bytes('{"packages":['),
  kLines: bytes('{"lines":['),
  iIds: bytes('{"ids":[{"qualifier":"VP","value":"'),
  iUp: bytes('"},{"qualifier":"UP","value":"'),
  iLine: bytes('"}],"lineNumber":"'),
  iSku: bytes('","sku":"'),
  iQty: bytes('","quantityShipped":{"value":'),
  iUnit: bytes(',"unit":"'),
  iUnitN: bytes('","unitNormalized":"'),
  iDesc: bytes('"},"description":"'),
  iEnd: bytes('"}'),
  kSscc: bytes('],"sscc":"'),
  kEnd: bytes('"}'),
  oLines: bytes('],"lines":[],"purchaseOrderNumber":"'),
  oDate: bytes('","purchaseOrderDate":"'),
  oEnd: bytes('"}'),
  end: bytes('],"trackingNumbers":[]}\n'),
  ic: bytes('{"interchange":{"standard":"x12","controlNumber":"'),
  icSender: bytes('","sender":"'),
  icReceiver: bytes('","receiver":"'),
  icVersion: bytes('","version":"'),
  icGroups: bytes('","environment":"production","status":"accepted","groups":['),
  gId: bytes('{"functionalId":"'),
  gCtl: bytes('","controlNumber":"'),
  gVersion: bytes('","version":"'),
  gSets: bytes('","status":"A","transactionSets":'),
  gAccepted: bytes(',"accepted":'),
  gEnd: bytes('}'),
  icEnd: bytes(']}}\n'),
};
const TABLES: Readonly<Record<string, Buffer>> = {
  SF: bytes('shipFrom'),
  ST: bytes('shipTo'),
  M: bytes('motor'),
  LB: bytes('LB'),
  EA: bytes('EA'),
};

/** Hand-written 856 → NDJSON on bytes; returns the documents written. */
function floorTranslate(file: string, outFile: string): number {
  const fd = openSync(file, 'r');
  const ofd = openSync(outFile, 'w');
  let inb = Buffer.allocUnsafe(CHUNK * 2);
  const out = Buffer.allocUnsafe(CHUNK * 8);
  let o = 0;
  const put = (f: Buffer): void => {
    for (let i = 0; i < f.length; i++) out[o++] = f[i]!;
  };
  /** A value as a JSON string's content: escapes quote, backslash and control bytes. */
  const val = (b: Buffer, from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const c = b[i]!;
      if (c === 34 || c === 92) out[o++] = 92;
      else if (c < 32) {
        put(bytes(`\\u${c.toString(16).padStart(4, '0')}`));
        continue;
      }
      out[o++] = c;
    }
  };
  /** A number value: its digits when they are JSON's own spelling of it, else Number's. */
  const num = (b: Buffer, from: number, to: number): void => {
    let plain = to > from && (b[from] !== 48 || to - from === 1 || b[from + 1] === 46);
    let dot = -1;
    for (let i = from; plain && i < to; i++) {
      const c = b[i]!;
      if (c === 46 && dot < 0 && i > from && i < to - 1) dot = i;
      else if (c < 48 || c > 57) plain = false;
    }
    if (plain && (dot < 0 || b[to - 1] !== 48)) for (let i = from; i < to; i++) out[o++] = b[i]!;
    else put(bytes(String(Number(b.toString('latin1', from, to)))));
  };
  /** The decimal number spelt by b[from, to) (digits only; -1 when empty). */
  const digits = (b: Buffer, from: number, to: number): number => {
    if (to <= from) return -1;
    let n = 0;
    for (let i = from; i < to; i++) n = n * 10 + b[i]! - 48;
    return n;
  };
  const code2 = (b: Buffer, from: number, to: number): number =>
    to - from === 1 ? b[from]! : to - from === 2 ? (b[from]! << 8) | b[from + 1]! : -1;
  const isoCache = new Map<number, Buffer>();
  const iso = (b: Buffer, d: number, t: number, code: number): void => {
    const date = digits(b, v[d]!, v[d + 1]!);
    const time = digits(b, v[t]!, v[t + 1]!);
    const tc = code < 0 ? 0 : code2(b, v[code]!, v[code + 1]!);
    const key = ((date - 19_000_000) * 10_000 + time + 1) * 65_536 + tc;
    let f = isoCache.get(key);
    if (!f) {
      const zone = code < 0 ? undefined : b.toString('latin1', v[code]!, v[code + 1]!);
      f = bytes(isoFromEdiNumbers(date, time < 0 ? -1 : time * 100, zone, 'UTC') ?? '');
      isoCache.set(key, f);
    }
    put(f);
  };
  const TABLE = new Map<number, Buffer>(
    Object.entries(TABLES).map(([k, t]) => [code2(bytes(k), 0, k.length), t]),
  );
  const lookup = (b: Buffer, from: number, to: number): void =>
    put(TABLE.get(code2(b, from, to)) ?? bytes(''));
  const table = (b: Buffer, at: number): void => lookup(b, v[at]!, v[at + 1]!);
  let createdMs = -1;
  let created = bytes('');

  // Value slots: [start, end) byte pairs in the input buffer, by field.
  const v = new Int32Array(64);
  const SENDER = 0,
    ICN = 2,
    GCN = 4,
    VERSION = 6,
    ST02 = 8,
    BSN2 = 10,
    BSN3 = 12,
    BSN4 = 14;
  const TD1_1 = 16,
    TD1_2 = 18,
    TD1_7 = 20,
    TD1_8 = 22,
    TD5_3 = 24,
    TD5_4 = 26,
    TD5_5 = 28;
  const BM = 30,
    CN = 32,
    DTM2 = 34,
    DTM3 = 36,
    DTM4 = 38,
    RECEIVER = 40,
    GS1 = 42;
  const SENDER_Q = 44,
    RECEIVER_Q = 46,
    ISA12 = 48;
  // Envelope values outlive the input buffer they came in (it moves on between chunks): copied here.
  const envelope = Buffer.alloc(1024);
  let envelopeUsed = 0;
  let afterIsa = 0;
  const hold = (b: Buffer, slot: number, from: number, to: number): void => {
    b.copy(envelope, envelopeUsed, from, to);
    v[slot] = envelopeUsed;
    envelopeUsed += to - from;
    v[slot + 1] = envelopeUsed;
  };
  const env = (slot: number): void => val(envelope, v[slot]!, v[slot + 1]!);
  const set = (slot: number, from: number, to: number): void => {
    v[slot] = from;
    v[slot + 1] = to;
  };
  // Parties: 11 pairs each; orders: PRF01, PRF04, first pack; packs: MAN02, first item; items: 7 pairs.
  const party = new Int32Array(8 * 22);
  const order = new Int32Array(64 * 5);
  const pack = new Int32Array(256 * 3);
  const item = new Int32Array(1024 * 14);
  let parties = 0,
    orders = 0,
    packs = 0,
    items = 0;
  let documents = 0,
    groupSets = 0,
    lastGroupSets = 0;
  const sep = new Int32Array(64);

  const emitDocument = (b: Buffer): void => {
    put(T.doc);
    env(SENDER);
    out[o++] = 45;
    env(ICN);
    out[o++] = 45;
    env(GCN);
    out[o++] = 45;
    val(b, v[ST02]!, v[ST02 + 1]!);
    put(T.tenant);
    env(SENDER);
    put(T.created);
    const now = Date.now();
    if (now !== createdMs) {
      createdMs = now;
      created = bytes(new Date(now).toISOString());
    }
    put(created);
    put(T.source);
    env(VERSION);
    put(T.env);
    env(ICN);
    put(T.gcn);
    env(GCN);
    put(T.tcn);
    val(b, v[ST02]!, v[ST02 + 1]!);
    put(T.msg);
    env(SENDER);
    out[o++] = 45;
    env(ICN);
    put(T.corr);
    env(SENDER);
    out[o++] = 45;
    env(ICN);
    put(T.purpose);
    val(b, v[BSN2]!, v[BSN2 + 1]!);
    put(T.issued);
    iso(b, BSN3, BSN4, -1);
    put(T.totals);
    val(b, v[TD1_1]!, v[TD1_1 + 1]!);
    put(T.count);
    num(b, v[TD1_2]!, v[TD1_2 + 1]!);
    put(T.weight);
    num(b, v[TD1_7]!, v[TD1_7 + 1]!);
    put(T.unit);
    val(b, v[TD1_8]!, v[TD1_8 + 1]!);
    put(T.unitN);
    table(b, TD1_8);
    put(T.scac);
    val(b, v[TD5_3]!, v[TD5_3 + 1]!);
    put(T.mode);
    table(b, TD5_4);
    put(T.cname);
    val(b, v[TD5_5]!, v[TD5_5 + 1]!);
    put(T.bol);
    val(b, v[BM]!, v[BM + 1]!);
    put(T.pro);
    val(b, v[CN]!, v[CN + 1]!);
    put(T.shipped);
    iso(b, DTM2, DTM3, DTM4);
    put(T.parties);
    for (let p = 0; p < parties; p++) {
      const at = p * 22;
      if (p > 0) out[o++] = 44;
      put(T.pIds);
      val(b, party[at + 4]!, party[at + 5]!);
      put(T.pValue);
      val(b, party[at + 6]!, party[at + 7]!);
      put(T.pRole);
      lookup(b, party[at]!, party[at + 1]!);
      put(T.pName);
      val(b, party[at + 2]!, party[at + 3]!);
      put(T.pLines);
      for (let l = 0; l < 2; l++) {
        const from = party[at + 8 + l * 2]!,
          to = party[at + 9 + l * 2]!;
        if (to <= from) continue;
        if (l > 0) out[o++] = 44;
        out[o++] = 34;
        val(b, from, to);
        out[o++] = 34;
      }
      put(T.pCity);
      val(b, party[at + 12]!, party[at + 13]!);
      put(T.pRegion);
      val(b, party[at + 14]!, party[at + 15]!);
      put(T.pPostal);
      val(b, party[at + 16]!, party[at + 17]!);
      put(T.pCountry);
      val(b, party[at + 18]!, party[at + 19]!);
      put(T.pEnd);
    }
    put(T.orders);
    for (let r = 0; r < orders; r++) {
      if (r > 0) out[o++] = 44;
      put(T.oPackages);
      const packEnd = r + 1 < orders ? order[(r + 1) * 5 + 4]! : packs;
      for (let k = order[r * 5 + 4]!; k < packEnd; k++) {
        if (k > order[r * 5 + 4]!) out[o++] = 44;
        put(T.kLines);
        const itemEnd = k + 1 < packs ? pack[(k + 1) * 3 + 2]! : items;
        for (let i = pack[k * 3 + 2]!; i < itemEnd; i++) {
          const at = i * 14;
          if (i > pack[k * 3 + 2]!) out[o++] = 44;
          put(T.iIds);
          val(b, item[at + 4]!, item[at + 5]!);
          put(T.iUp);
          val(b, item[at + 6]!, item[at + 7]!);
          put(T.iLine);
          val(b, item[at]!, item[at + 1]!);
          put(T.iSku);
          val(b, item[at + 2]!, item[at + 3]!);
          put(T.iQty);
          num(b, item[at + 8]!, item[at + 9]!);
          put(T.iUnit);
          val(b, item[at + 10]!, item[at + 11]!);
          put(T.iUnitN);
          lookup(b, item[at + 10]!, item[at + 11]!);
          put(T.iDesc);
          val(b, item[at + 12]!, item[at + 13]!);
          put(T.iEnd);
        }
        put(T.kSscc);
        val(b, pack[k * 3]!, pack[k * 3 + 1]!);
        put(T.kEnd);
      }
      put(T.oLines);
      val(b, order[r * 5]!, order[r * 5 + 1]!);
      put(T.oDate);
      const d = order[r * 5 + 2]!;
      val(b, d, d + 4);
      out[o++] = 45;
      val(b, d + 4, d + 6);
      out[o++] = 45;
      val(b, d + 6, d + 8);
      put(T.oEnd);
    }
    put(T.end);
    documents++;
  };

  /** One segment at b[p, e): element separators first, then what its tag means. */
  const segment = (b: Buffer, p: number, e: number): void => {
    let n = 0;
    for (let i = p; i < e; i++) if (b[i] === STAR) sep[n++] = i;
    sep[n] = e;
    const el = (k: number, slot: number): void => set(slot, sep[k - 1]! + 1, sep[k]!);
    const tagLength = sep[0]! - p;
    const c0 = b[p]!,
      c1 = b[p + 1]!;
    if (tagLength === 2) {
      if (c0 === 72 && c1 === 76) {
        // HL: a new order, pack or item under the latest of its parent level.
        const level = b[sep[2]! + 1]!;
        if (level === 79) order[orders++ * 5 + 4] = packs;
        else if (level === 80) pack[packs++ * 3 + 2] = items;
        else if (level === 73) items++;
      } else if (c0 === 78 && c1 === 49) {
        const at = parties++ * 22;
        for (let k = 1; k <= 4; k++) {
          party[at + (k - 1) * 2] = sep[k - 1]! + 1;
          party[at + (k - 1) * 2 + 1] = sep[k]!;
        }
        party.fill(0, at + 8, at + 22);
      } else if (c0 === 78 && c1 === 51) {
        const at = (parties - 1) * 22;
        party[at + 8] = sep[0]! + 1;
        party[at + 9] = sep[1]!;
        if (n >= 2) {
          party[at + 10] = sep[1]! + 1;
          party[at + 11] = sep[2]!;
        }
      } else if (c0 === 78 && c1 === 52) {
        const at = (parties - 1) * 22;
        for (let k = 1; k <= 4; k++) {
          party[at + 10 + k * 2] = sep[k - 1]! + 1;
          party[at + 11 + k * 2] = sep[k]!;
        }
      } else if (c0 === 83 && c1 === 84) {
        el(2, ST02);
        parties = orders = packs = items = 0;
      } else if (c0 === 83 && c1 === 69) {
        emitDocument(b);
        groupSets++;
      } else if (c0 === 71 && c1 === 83) {
        envelopeUsed = afterIsa;
        hold(b, GS1, sep[0]! + 1, sep[1]!);
        hold(b, GCN, sep[5]! + 1, sep[6]!);
        hold(b, VERSION, sep[7]! + 1, sep[8]!);
        groupSets = 0;
      } else if (c0 === 71 && c1 === 69) {
        lastGroupSets = groupSets;
      }
    } else if (tagLength === 3) {
      const c2 = b[p + 2]!;
      if (c0 === 76 && c1 === 73) {
        const at = (items - 1) * 14;
        item[at] = sep[0]! + 1;
        item[at + 1] = sep[1]!;
        item[at + 2] = sep[2]! + 1;
        item[at + 3] = sep[3]!;
        item[at + 4] = sep[4]! + 1;
        item[at + 5] = sep[5]!;
        item[at + 6] = sep[6]! + 1;
        item[at + 7] = sep[7]!;
      } else if (c0 === 83 && c1 === 78) {
        const at = (items - 1) * 14;
        item[at + 8] = sep[1]! + 1;
        item[at + 9] = sep[2]!;
        item[at + 10] = sep[2]! + 1;
        item[at + 11] = sep[3]!;
      } else if (c0 === 80 && c1 === 73) {
        const at = (items - 1) * 14;
        item[at + 12] = sep[4]! + 1;
        item[at + 13] = sep[5]!;
      } else if (c0 === 77 && c1 === 65) {
        // MAN*GM carries the SSCC-18 behind its application identifier 00: the SSCC is the last 18.
        const from = sep[1]! + 1;
        const withAi = sep[2]! - from === 20 && b[from] === 48 && b[from + 1] === 48;
        pack[(packs - 1) * 3] = withAi ? from + 2 : from;
        pack[(packs - 1) * 3 + 1] = sep[2]!;
      } else if (c0 === 80 && c1 === 82) {
        order[(orders - 1) * 5] = sep[0]! + 1;
        order[(orders - 1) * 5 + 1] = sep[1]!;
        order[(orders - 1) * 5 + 2] = sep[3]! + 1;
      } else if (c0 === 66 && c1 === 83) {
        el(2, BSN2);
        el(3, BSN3);
        el(4, BSN4);
      } else if (c0 === 84 && c2 === 49) {
        el(1, TD1_1);
        el(2, TD1_2);
        el(7, TD1_7);
        el(8, TD1_8);
      } else if (c0 === 84 && c2 === 53) {
        el(3, TD5_3);
        el(4, TD5_4);
        el(5, TD5_5);
      } else if (c0 === 82 && c1 === 69) {
        el(2, b[sep[0]! + 1] === 66 ? BM : CN);
      } else if (c0 === 68 && c1 === 84) {
        el(2, DTM2);
        el(3, DTM3);
        el(4, DTM4);
      } else if (c0 === 73 && c1 === 83) {
        // ISA: qualifiers, sender and receiver (fixed width, trimmed), version, control number.
        envelopeUsed = 0;
        hold(b, SENDER_Q, sep[4]! + 1, sep[5]!);
        hold(b, RECEIVER_Q, sep[6]! + 1, sep[7]!);
        hold(b, ISA12, sep[11]! + 1, sep[12]!);
        hold(b, ICN, sep[12]! + 1, sep[13]!);
        let to = sep[6]!;
        while (b[to - 1] === 32) to--;
        hold(b, SENDER, sep[5]! + 1, to);
        to = sep[8]!;
        while (b[to - 1] === 32) to--;
        hold(b, RECEIVER, sep[7]! + 1, to);
        afterIsa = envelopeUsed;
      } else if (c0 === 73 && c1 === 69) {
        // The interchange's summary line follows its documents.
        put(T.ic);
        env(ICN);
        put(T.icSender);
        env(SENDER_Q);
        out[o++] = 58;
        env(SENDER);
        put(T.icReceiver);
        env(RECEIVER_Q);
        out[o++] = 58;
        env(RECEIVER);
        put(T.icVersion);
        env(ISA12);
        put(T.icGroups);
        put(T.gId);
        env(GS1);
        put(T.gCtl);
        env(GCN);
        put(T.gVersion);
        env(VERSION);
        put(T.gSets);
        put(bytes(String(lastGroupSets)));
        put(T.gAccepted);
        put(bytes(String(lastGroupSets)));
        put(T.gEnd);
        put(T.icEnd);
      }
    }
  };

  let have = 0;
  let ended = false;
  while (!ended) {
    const r = readSync(fd, inb, have, CHUNK, null);
    ended = r === 0;
    have += r;
    let p = 0;
    let setStart = -1;
    for (;;) {
      while (p < have && inb[p]! <= 32) p++;
      const e = inb.indexOf(TILDE, p);
      if (e < 0 || e >= have) break;
      if (inb[p] === 83 && inb[p + 1] === 84 && inb[p + 2] === STAR) setStart = p;
      segment(inb, p, e);
      if (inb[p] === 83 && inb[p + 1] === 69 && inb[p + 2] === STAR) setStart = -1;
      p = e + 1;
    }
    if (o > CHUNK * 4) {
      writeSync(ofd, out, 0, o);
      o = 0;
    }
    // An open set is read again from its ST with the next chunk: its slots point into this buffer.
    const keep = setStart >= 0 ? setStart : p;
    if (keep + CHUNK > inb.length) {
      const bigger = Buffer.allocUnsafe(inb.length * 2);
      inb.copy(bigger, 0, keep, have);
      inb = bigger;
    } else inb.copy(inb, 0, keep, have);
    have -= keep;
  }
  writeSync(ofd, out, 0, o);
  closeSync(ofd);
  closeSync(fd);
  return documents;
}

interface Timing {
  readonly case: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly documents: number;
}

/** The floor case in this process: read, translate, write, timed like edi-throughput's cases. */
function floorCase(file: string): Timing {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const documents = floorTranslate(file, `${file}.floor.ndjson`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  rmSync(`${file}.floor.ndjson`, { force: true });
  return { case: 'floor', seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, documents };
}

/** One run of a case in a child process: the floor here, the others edi-throughput's. */
function child(kind: string, file: string): Timing {
  const script =
    kind === 'floor'
      ? fileURLToPath(import.meta.url)
      : fileURLToPath(new URL('./edi-throughput.js', import.meta.url));
  const r = spawnSync(process.execPath, [...NODE_HEAP_FLAGS, script, '--case', kind, file], {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Timing;
  } catch {
    throw new Error(`${kind} failed (exit ${String(r.status)}): ${r.stderr.slice(0, 2000)}`);
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The floor's output is the translation's, createdAt aside: else its figure would mean nothing. */
function checkSameOutput(file: string): void {
  const ours = `${file}.check-translate.ndjson`;
  const floor = `${file}.check-floor.ndjson`;
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('../src/cli/main.js', import.meta.url)), 'translate', '--ndjson', file],
    { maxBuffer: 256 * MB, encoding: 'latin1' },
  );
  const translated = r.stdout.replaceAll('"channel":"cli"', '"channel":"sftp"');
  floorTranslate(file, floor);
  const created = /"createdAt":"[^"]*"/g;
  const a = translated.replace(created, '');
  const b = readFileSync(floor, 'latin1').replace(created, '');
  rmSync(floor, { force: true });
  rmSync(ours, { force: true });
  if (a !== b) {
    let at = 0;
    while (at < a.length && a[at] === b[at]) at++;
    throw new Error(
      `the floor's output differs from translate's at character ${at}: ${a.slice(at - 80, at + 80)} / ${b.slice(at - 80, at + 80)}`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--case') {
    process.stdout.write(`${JSON.stringify(floorCase(args[2]!))}\n`);
    return;
  }
  const file = join(process.cwd(), 'bench', 'out', '856-16mb.edi');
  if (!existsSync(file))
    throw new Error(`${file} is missing: run node dist/bench/edi-throughput.js --quick first`);
  checkSameOutput(file);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1]) || 1) : 5;
  const kinds = ['node-x12', 'translate', 'floor'];
  const all = new Map<string, Timing[]>(kinds.map((k) => [k, []]));
  // Interleaved, so a noisy moment of the machine falls on every case alike.
  for (let i = 0; i < runs; i++) for (const k of kinds) all.get(k)!.push(child(k, file));
  const mb = readFileSync(file).length / MB;
  console.log(`16 MB 856 file (${mb.toFixed(1)} MB): median of ${runs} runs per case, interleaved`);
  const wall = (k: string): number => median(all.get(k)!.map((t) => t.seconds));
  const cpu = (k: string): number => median(all.get(k)!.map((t) => t.cpuSeconds));
  for (const k of kinds)
    console.log(
      `${k.padEnd(10)} wall ${wall(k).toFixed(3).padStart(6)} s ${(mb / wall(k)).toFixed(1).padStart(6)} MB/s  cpu ${cpu(k).toFixed(3).padStart(6)} s  ratio to node-x12: wall ${(wall('node-x12') / wall(k)).toFixed(1)}x cpu ${(cpu('node-x12') / cpu(k)).toFixed(1)}x`,
    );
  console.log('floor: hand-written for this file alone, on bytes, no validation; same NDJSON as translate');
}

await main();
