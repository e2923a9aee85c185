import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamDecoder, tokenizeX12, type X12Token } from '../../../src/edi/x12-tokenizer.js';
import { X12Segment } from '../../../src/edi/x12-segment.js';
import { listX12Fixtures, x12Fixture } from './x12-fixture-support.js';

async function tokens(chunks: Iterable<Buffer | string>): Promise<X12Token[]> {
  const out: X12Token[] = [];
  for await (const t of tokenizeX12(chunks)) out.push(t);
  return out;
}

const ISA_4010 =
  'ISA*00*          *00*          *ZZ*SENDERID       *ZZ*RECEIVERID     *261127*0930*U*00401*000000001*0*P*>';

test('delimiters come from the ISA; ISA11 U in 4010 is not a repetition separator', async () => {
  const t = await tokens([`${ISA_4010}~GS*SH*A*B*20261127*0930*1*X*004010~`]);
  assert.equal(t[0]!.type, 'isa');
  assert.deepEqual(t[0]!.type === 'isa' ? t[0]!.isa : undefined, {
    delimiters: { element: '*', component: '>', segment: '~' },
    fixedWidth: true,
  });
  assert.deepEqual(t[1]!.type === 'segment' ? t[1]!.segment.elements : undefined, [
    ['SH'],
    ['A'],
    ['B'],
    ['20261127'],
    ['0930'],
    ['1'],
    ['X'],
    ['004010'],
  ]);
});

test('5010 repetition separator, components and a multi-byte terminator', async () => {
  const isa = ISA_4010.replace('*U*00401*', '*^*00501*');
  const t = await tokens([`${isa}\u2026REF*ZZ*A>B^C>D\u2026`]);
  const isaTok = t[0]!;
  assert.ok(isaTok.type === 'isa');
  assert.deepEqual(isaTok.isa.delimiters, {
    element: '*',
    component: '>',
    repetition: '^',
    segment: '\u2026',
  });
  const ref = t[1]!;
  assert.ok(ref.type === 'segment');
  assert.deepEqual(ref.segment.elements, [['ZZ'], ['A', 'B']]);
  assert.deepEqual(
    [...(ref.segment.repetitions ?? new Map())],
    [
      [
        2,
        [
          ['A', 'B'],
          ['C', 'D'],
        ],
      ],
    ],
  );
});

test('a file wrapped at 80 columns, even inside the ISA, tokenizes like the unwrapped file', async () => {
  const flat = `${ISA_4010}~GS*SH*A*B*20261127*0930*1*X*004010~GE*0*1~IEA*1*000000001~`;
  const wrapped = flat.replace(/(.{80})/g, '$1\r\n');
  const strip = (ts: X12Token[]): unknown =>
    ts.map((t) => (t.type === 'diagnostic' ? t : [t.segment.tag, t.segment.elements]));
  assert.deepEqual(strip(await tokens([wrapped])), strip(await tokens([flat])));
});

test('a trimmed ISA is read by splitting and flagged as not fixed-width', async () => {
  const t = await tokens(['ISA*00**00**ZZ*S*ZZ*R*261127*0930*U*00401*000000001*0*P*>~GS*SH~']);
  assert.ok(t[0]!.type === 'isa');
  assert.equal(t[0]!.isa.fixedWidth, false);
  assert.equal(t[0]!.segment.elements.length, 16);
  assert.ok(t[1]!.type === 'segment' && t[1]!.segment.tag === 'GS');
});

test('segment offsets are byte offsets, also after a multi-byte terminator', async () => {
  const isa = ISA_4010.replace('*U*00401*', '*^*00501*');
  const t = await tokens([`${isa}\u2026GS*SH\u2026ST*856*0001\u2026`]);
  // ISA is 105 characters + a 3-byte terminator.
  assert.deepEqual(
    t.map((x) => (x.type === 'diagnostic' ? -1 : x.segment.offset)),
    [0, 108, 108 + 5 + 3],
  );
});

test('byte offsets stay right when an all-ASCII chunk is followed by a UTF-8 one', async () => {
  const head = Buffer.from(`${ISA_4010}~GS*SH~`);
  const t = await tokens([head, Buffer.from('N1*ST*CAF\u00c9 \u2026~N3*X~')]);
  // N1 is 13 characters but 16 bytes (É is 2, … is 3): counting characters would put N3 at 125.
  assert.deepEqual(
    t.map((x) => (x.type === 'diagnostic' ? -1 : x.segment.offset)),
    [0, 106, 112, 112 + 16],
  );
});

test('byte offsets count one byte per character in Windows-1252 input', async () => {
  const head = Buffer.from(`${ISA_4010}~GS*SH~`);
  // 0xC9 is É and 0x80 is € in Windows-1252; neither is UTF-8 here, so the input is read as 1252.
  const n1 = Buffer.from([...Buffer.from('N1*ST*CAF'), 0xc9, 0x20, 0x80, 0x7e]);
  const t = await tokens([head, n1, Buffer.from('N3*X~')]);
  assert.deepEqual(
    t.map((x) => (x.type === 'diagnostic' ? -1 : x.segment.offset)),
    [0, 106, 112, 112 + 13],
  );
  assert.equal(t[2]?.type === 'segment' && t[2].segment.elements[1]?.[0], 'CAF\u00c9 \u20ac');
});

for (const file of listX12Fixtures()) {
  test(`chunk boundaries do not matter: ${file} byte by byte equals whole`, async () => {
    const whole = x12Fixture(file);
    const bytes = Array.from({ length: whole.length }, (_, i) => whole.subarray(i, i + 1));
    // What a reader sees of a segment; where in the tokenizer's buffer it sits depends on the chunks.
    const view = (ts: X12Token[]): unknown =>
      ts.map((t) => {
        if (t.type === 'diagnostic') return t;
        const { tag, offset, index, elements } = t.segment;
        const text = t.segment instanceof X12Segment ? t.segment.text : undefined;
        return {
          type: t.type,
          tag,
          text,
          offset,
          index,
          elements,
          ...(t.type === 'isa' ? { isa: t.isa } : {}),
        };
      });
    assert.deepEqual(view(await tokens(bytes)), view(await tokens([whole])));
  });
}

test('input that is not UTF-8 is decoded as Windows-1252: 0x80 is the euro sign, 0x92 a right quote', () => {
  const d = new StreamDecoder();
  // UTF-8 first; the split 2-byte é at the chunk end waits; then a byte that is not UTF-8.
  const text =
    d.write(Buffer.from('N1*ST*ACME~')) +
    d.write(Buffer.from([0x4e, 0x32, 0x2a, 0xc3])) +
    d.write(Buffer.from([0x80, 0x20, 0x53, 0x92, 0x73, 0x7e])) +
    d.write(Buffer.from('N3*MAIN ST~')) +
    d.write(Buffer.from([0x4e, 0x34, 0x2a, 0x80, 0x7e])) +
    d.end();
  // 0xC3 0x80 would be UTF-8 À, but 0x92 is not UTF-8: from that chunk on, the stream is 1252.
  assert.equal(text, 'N1*ST*ACME~N2*\u00c3\u20ac S\u2019s~N3*MAIN ST~N4*\u20ac~');
});

test('a stream ending inside a UTF-8 character decodes those bytes as Windows-1252', () => {
  const d = new StreamDecoder();
  assert.equal(d.write(Buffer.from([0x41, 0xe2, 0x82])) + d.end(), 'A\u00e2\u201a');
});

test('a Ctrl-Z (DOS end of file) after the last IEA ends the input with an info, not an error', async () => {
  const flat = `${ISA_4010}~GS*SH*A*B*20261127*0930*1*X*004010~GE*0*1~IEA*1*000000001~\r\n`;
  const segments = (ts: X12Token[]): unknown =>
    ts
      .map((t) => (t.type === 'diagnostic' ? undefined : [t.segment.tag, t.segment.elements]))
      .filter(Boolean);
  const whole = await tokens([flat]);
  for (const input of [[`${flat}\x1a`], [`${flat}\x1a\r\n`], [flat, '\x1a', '\x1a', '\n']]) {
    const t = await tokens(input);
    assert.deepEqual(segments(t), segments(whole));
    assert.deepEqual(
      t.filter((x) => x.type === 'diagnostic').map((x) => x.type === 'diagnostic' && x.diagnostic),
      [
        {
          severity: 'info',
          level: 'interchange',
          code: '000',
          rule: 'DOS_END_OF_FILE',
          message: 'Ctrl-Z (DOS end-of-file mark) after the last interchange; taken as the end of input',
          offset: Buffer.byteLength(flat),
        },
      ],
    );
  }
  // Right after the last segment of a newline-terminated file with no final newline: not IEA02's data.
  const lines = flat.replaceAll('~', '\n').replace(/\n\r\n$/, '');
  const unended = await tokens([`${lines}\x1a`]);
  assert.deepEqual(segments(unended), segments(await tokens([`${lines}\n`])));
  assert.deepEqual(
    unended.filter((x) => x.type === 'diagnostic').map((x) => x.type === 'diagnostic' && x.diagnostic.rule),
    ['MISSING_SEGMENT_TERMINATOR'],
  );
  // Followed by more data it is not the end: data outside an interchange, as any other (here text).
  const t = await tokens([`${flat}\x1aXYZ~`]);
  assert.deepEqual(
    t.filter((x) => x.type === 'diagnostic').map((x) => x.type === 'diagnostic' && x.diagnostic.rule),
    ['TEXT_OUTSIDE_INTERCHANGE'],
  );
});

test('after the last IEA: text is one warning quoting it, segments are an error; any chunking alike', async () => {
  const flat = `${ISA_4010}~GS*SH*A*B*20261127*0930*1*X*004010~GE*0*1~IEA*1*000000001~\n`;
  const diagnostics = async (chunks: string[]) =>
    (await tokens(chunks)).flatMap((x) => (x.type === 'diagnostic' ? [x.diagnostic] : []));
  const footer = 'Sent from the ACME EDI gateway.\nThis message is confidential.\n';
  for (const chunks of [[flat + footer], slices(flat + footer, 7), [flat, footer, '\n \n']]) {
    assert.deepEqual(await diagnostics(chunks), [
      {
        severity: 'warning',
        level: 'interchange',
        code: '024',
        rule: 'TEXT_OUTSIDE_INTERCHANGE',
        message:
          'text after IEA holds no EDI segment and was not read; it stays in the input at byte ' +
          `${flat.length}: "Sent from the ACME EDI gateway.\\nThis message is confidential."`,
        offset: flat.length,
      },
    ]);
  }
  // Long text is quoted by its first 80 characters and its length.
  const [long] = await diagnostics([flat, 'x'.repeat(500)]);
  assert.match(long!.message, /: "x{80}"… \(500 characters\)$/);
  // A group without its ISA: documents no envelope carries, which no ack answers.
  const lostGroup = 'GS*SH*A*B*20261127*0930*2*X*004010~ST*856*0001~SE*2*0001~GE*1*2~';
  for (const chunks of [[flat + lostGroup], slices(flat + lostGroup, 5)]) {
    const found = await diagnostics(chunks);
    assert.deepEqual(
      found.map((d) => [d.severity, d.rule, d.offset]),
      [['error', 'DATA_OUTSIDE_INTERCHANGE', flat.length]],
    );
  }
  // An interchange of its own separator whose ISA was damaged: segments too, not text.
  const damaged = `IXA|00|          |00|          |ZZ|A|ZZ|B|261127|0930|U|00401|000000002|0|P|>~GS|SH|A|B|20261127|0930|2|X|004010~ST|856|0001~`;
  assert.deepEqual(
    (await diagnostics([flat + damaged])).map((d) => [d.severity, d.rule]),
    [['error', 'DATA_OUTSIDE_INTERCHANGE']],
  );
  // A colon once on a line is no separator: "Re: order 5" is text.
  assert.deepEqual(
    (await diagnostics([`${flat}Re: order 5, see attached\n`])).map((d) => [d.severity, d.rule]),
    [['warning', 'TEXT_OUTSIDE_INTERCHANGE']],
  );
  // Between two interchanges it is the same, reported before the second ISA.
  const two = await tokens([`${flat}END OF PART 1\n${flat.replaceAll('000000001', '000000002')}`]);
  assert.deepEqual(
    two
      .map((x) => (x.type === 'diagnostic' ? x.diagnostic.rule : x.type === 'isa' ? 'ISA' : null))
      .filter(Boolean),
    ['ISA', 'TEXT_OUTSIDE_INTERCHANGE', 'ISA'],
  );
});

/** Segment tags, offsets and element values, and diagnostics' rules, of a token list. */
function shape(ts: readonly X12Token[]): unknown[] {
  return ts.map((t) =>
    t.type === 'segment'
      ? [t.segment.tag, t.segment.offset, t.segment.elements.map((e) => e.join('>'))]
      : t.type === 'diagnostic'
        ? [t.diagnostic.rule, t.diagnostic.offset]
        : [t.type],
  );
}

/** `text` cut into slices of 1 to `most` characters, by a fixed pseudo-random sequence. */
function slices(text: string, most: number): string[] {
  const out: string[] = [];
  let seed = 7;
  for (let i = 0; i < text.length;) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (seed % most);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

test('a long segment that arrives in many slices is read whole, with the same offsets', async () => {
  const long = `${'ÄB'.repeat(60_000)}${'x'.repeat(90_000)}`;
  for (const [name, terminator] of [
    ['tilde', '~'],
    ['tilde and line break', '~\n'],
    ['line break', '\n'],
    ['CRLF', '\r\n'],
  ] as const) {
    const isa = terminator.startsWith('~') ? `${ISA_4010}~` : `${ISA_4010}\n`;
    const body = [
      'GS*SH*A*B*20261127*0930*1*X*004010',
      'ST*856*0001',
      `N1*SF*${long}*92*WH01`,
      `N3*${long.slice(0, 70_000)}`,
      'SE*4*0001',
      'GE*1*1',
      'IEA*1*000000001',
    ]
      .map((s) => s + terminator)
      .join('');
    const whole = shape(await tokens([isa + body]));
    assert.equal(whole.length, 8, name);
    assert.deepEqual(shape(await tokens(slices(isa + body, 4096))), whole, `${name}: slices up to 4 KB`);
    assert.deepEqual(shape(await tokens(slices(isa + body, 7))), whole, `${name}: slices up to 7 characters`);
    // Input that ends inside the long segment: it is still read, with the missing terminator said.
    const cut = isa + body.slice(0, body.indexOf('N3*') + 50_000);
    assert.deepEqual(
      shape(await tokens(slices(cut, 4096))).slice(-2),
      [
        ['MISSING_SEGMENT_TERMINATOR', Buffer.byteLength(cut.slice(0, cut.indexOf('N3*')))],
        ['N3', Buffer.byteLength(cut.slice(0, cut.indexOf('N3*'))), [long.slice(0, 49_997)]],
      ],
      name,
    );
  }
});
