import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type {
  EdifactInterchange,
  EdifactMessage,
  EdifactReadEvent,
} from '../../../src/edi/edifact-reader.js';
import { readEdifact } from '../../../src/edi/edifact-reader.js';
import { chunked, fixture, golden, readAll, toJson } from './edifact-fixture-support.js';

const messagesOf = (events: EdifactReadEvent[]): EdifactMessage[] =>
  events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
const interchangesOf = (events: EdifactReadEvent[]): EdifactInterchange[] =>
  events.flatMap((e) => (e.type === 'interchange-end' ? [e.interchange] : []));
const segment = (message: EdifactMessage, tag: string, nth = 0) => {
  const found = message.segments.filter((s) => s.tag === tag)[nth];
  assert.ok(found, `${tag} #${nth} in message ${message.messageReference}`);
  return found;
};
const load = (name: string): Buffer => readFileSync(fixture('valid', name));

describe('readEdifact on valid partner files', () => {
  const files = readdirSync(fixture('valid')).filter((f) => f.endsWith('.edi'));

  for (const file of files) {
    it(`${file}: same result for any chunking, no errors, matches golden`, async () => {
      const data = load(file);
      const whole = await readAll(data);
      for (const chunkSize of [1, 3, 17]) {
        assert.deepEqual(
          toJson(await readAll(data, { chunkSize })),
          toJson(whole),
          `chunk size ${chunkSize}`,
        );
      }
      const errors = whole.flatMap((e) =>
        (e.type === 'message'
          ? e.message.diagnostics
          : e.type === 'diagnostic'
            ? [e.diagnostic]
            : e.interchange.diagnostics
        ).filter((d) => d.severity === 'error'),
      );
      assert.deepEqual(errors, []);
      assert.ok(messagesOf(whole).length > 0);
      assert.ok(messagesOf(whole).every((m) => m.status === 'accepted'));
      assert.deepEqual(
        toJson(whole),
        golden(fixture('valid', file.replace(/\.edi$/, '.golden.json')), whole),
      );
    });
  }

  it('release character: escaped separators and terminators are data; envelope context is complete', async () => {
    const events = await readAll(load('desadv-d96a-release-char.edi'));
    const [message] = messagesOf(events);
    assert.ok(message);
    assert.deepEqual(segment(message, 'RFF').elements, [['ON', 'PO+4711']]);
    assert.deepEqual(segment(message, 'NAD').elements[3], ["Acme 'Lights' Ltd:North"]);
    assert.equal(message.messageReference, 'ME000001');
    assert.deepEqual(message.identifier, {
      type: 'DESADV',
      version: 'D',
      release: '96A',
      controllingAgency: 'UN',
      associationCode: 'EAN005',
    });
    const header = message.interchange;
    assert.equal(header.interchangeControlNumber, 'ASN0001');
    assert.deepEqual(header.sender, { id: '5412345000013', qualifier: '14' });
    assert.deepEqual(header.recipient, { id: '4012345000009', qualifier: '14' });
    assert.equal(header.syntaxIdentifier, 'UNOC');
    assert.equal(header.syntaxVersion, '3');
    assert.equal(header.testIndicator, true);
    assert.equal(header.environment, 'test');
    assert.equal(header.serviceStringAdvice, true);
    assert.equal(message.segments.length, 15);
  });

  it('UNA "=*.? ~": component =, element *, terminator ~, release ? still escapes them', async () => {
    const [message] = messagesOf(await readAll(load('iftsta-una-equals-star-tilde.edi')));
    assert.ok(message);
    assert.equal(message.interchange.delimiters.component, '=');
    assert.equal(message.interchange.delimiters.element, '*');
    assert.equal(message.interchange.delimiters.segment, '~');
    assert.deepEqual(segment(message, 'CNI').elements, [['1'], ['BOL*1']]);
    assert.deepEqual(segment(message, 'RFF').elements, [['BM', 'BOL~42']]);
    assert.deepEqual(segment(message, 'LOC').elements, [
      ['175'],
      ['USCHI', '139', '6', 'CHICAGO'],
      ['IL'],
      ['US'],
    ]);
    assert.deepEqual(segment(message, 'NAD').elements, [
      ['CA'],
      ['CRRX', 'SCA', 'ZZZ'],
      ['Carrier X Express'],
    ]);
  });

  it('hard-wrapped at 80 columns: line breaks inside segments are layout, not data', async () => {
    const data = load('invoic-d96a-wrapped-80.edi');
    assert.ok(
      data
        .toString('latin1')
        .split('\n')
        .every((line) => line.length <= 80),
    );
    const [message] = messagesOf(await readAll(data));
    assert.ok(message);
    assert.equal(message.segments.length, 18);
    assert.deepEqual(segment(message, 'NAD').elements[3], ['Carrier Nine Logistics']);
    assert.deepEqual(segment(message, 'MOA', 2).elements, [['77', '1437.50']]);
  });

  it('CRLF after every segment, no UNA, UNOA', async () => {
    const [message] = messagesOf(await readAll(load('desadv-d01b-no-una-crlf.edi')));
    assert.ok(message);
    assert.equal(message.interchange.serviceStringAdvice, false);
    assert.equal(message.interchange.syntaxIdentifier, 'UNOA');
    assert.equal(message.identifier.release, '01B');
    assert.deepEqual(segment(message, 'TDT').elements[4], ['ACME', '172', '', 'ACME FREIGHT']);
  });

  it('syntax 4 UNOY: UTF-8 (with BOM) decoded, released * is data, CCYYMMDD date', async () => {
    const events = await readAll(load('desadv-syntax4-unoy-utf8.edi'));
    const [message] = messagesOf(events);
    assert.ok(message);
    assert.equal(message.interchange.delimiters.repetition, '*');
    assert.equal(message.interchange.sender.id, 'SENDÉR');
    assert.equal(message.interchange.preparationDate, '20240229');
    assert.deepEqual(segment(message, 'BGM').elements[1], ['ÅSN-ÜTF8']);
    const nad = segment(message, 'NAD');
    assert.deepEqual(nad.elements[3], ['Søren Kierkegaard AB']);
    assert.deepEqual(nad.elements[4], ['Storgatan 1', 'Zweite Zeile']);
    assert.equal(nad.repetitions, undefined);
    assert.deepEqual(nad.elements[5], ['Malmö']);
    assert.deepEqual(segment(message, 'FTX').elements[3], ['Price *special* 5+ tax']);
    assert.equal(message.diagnostics.length, 0);
  });

  it('syntax 4: the repetition separator splits repetitions; a repeated non-repeating element is error 16', async () => {
    const [message] = messagesOf(
      await readAll(
        "UNA:+.?*'UNB+UNOC:4+S+R+20240101:0000+1'UNH+1+DESADV:D:01B:UN'" +
          "NAD+SU+SUP::9++Supplier AB+Storgatan 1*Zweite Zeile+Malmo'UNT+3+1'UNZ+1+1'",
      ),
    );
    assert.ok(message);
    const nad = segment(message, 'NAD');
    assert.deepEqual(nad.elements[4], ['Storgatan 1']);
    assert.deepEqual(nad.repetitions?.get(5), [['Storgatan 1'], ['Zweite Zeile']]);
    assert.equal(message.status, 'rejected');
    assert.deepEqual(
      message.diagnostics.map((d) => [
        d.severity,
        d.code,
        d.rule,
        d.segmentId,
        d.segmentPosition,
        d.elementPosition,
        d.message,
      ]),
      [
        [
          'error',
          '16',
          'ELEMENT_REPEATED',
          'NAD',
          2,
          5,
          'NAD element 5 (C059) occurs 2 times; it does not repeat',
        ],
      ],
    );
  });

  it('D96A: a component in BGM 1004 or NAD 3229 (simple there, composites from D.97B) is error 16; D01B takes it', async () => {
    const text = (release: string): string =>
      `UNB+UNOC:3+S+R+240101:0000+1'UNH+1+IFTSTA:D:${release}:UN'BGM+23+STAT:1+9'` +
      "NAD+CA+X::SCA++Carrier+Main 1+Raleigh+NC:::North Carolina+27601+US'UNT+4+1'UNZ+1+1'";
    const [d96a] = messagesOf(await readAll(text('96A')));
    assert.deepEqual(
      d96a?.diagnostics.map((d) => [
        d.code,
        d.rule,
        d.segmentId,
        d.elementPosition,
        d.componentPosition,
        d.message,
      ]),
      [
        [
          '16',
          'TOO_MANY_COMPONENTS',
          'BGM',
          2,
          2,
          'BGM element 2 (1004) is a simple data element in D96A; it has 2 components',
        ],
        [
          '16',
          'TOO_MANY_COMPONENTS',
          'NAD',
          7,
          2,
          'NAD element 7 (3229) is a simple data element in D96A; it has 4 components',
        ],
      ],
    );
    const [d01b] = messagesOf(await readAll(text('01B')));
    assert.deepEqual(d01b?.diagnostics, []);
  });

  it('syntax 3: * is plain data, not a repetition separator', async () => {
    const text = "UNB+UNOC:3+S+R+200101:0000+1'UNH+1+IFTSTA:D:96A:UN'FTX+AAI+++a*b'UNT+3+1'UNZ+1+1'";
    const [message] = messagesOf(await readAll(text));
    assert.ok(message);
    const ftx = segment(message, 'FTX');
    assert.deepEqual(ftx.elements[3], ['a*b']);
    assert.equal(ftx.repetitions, undefined);
  });

  it('Windows-1252 bytes under UNOC are decoded (the euro sign is 0x80 only in cp1252)', async () => {
    const data = load('invoic-unoc-cp1252.edi');
    assert.ok(data.includes(0x80));
    const [message] = messagesOf(await readAll(data));
    assert.ok(message);
    assert.deepEqual(segment(message, 'NAD').elements[3], ['Spedition Müller & Söhne']);
    assert.deepEqual(segment(message, 'FTX').elements[3], ['Zuschlag 5 € pauschal']);
    assert.deepEqual(segment(message, 'BGM').elements[1], ['R-ÄÖÜ-1']);
  });

  it('UTF-8 declared UNOC is read as UTF-8 with an info note; bad UTF-8 under UNOY falls back with a warning', async () => {
    const utf8 = await readAll(
      "UNB+UNOC:3+S+R+200101:0000+1'UNH+1+INVOIC:D:96A:UN'FTX+AAI+++Grüße'UNT+3+1'UNZ+1+1'",
    );
    const [m1] = messagesOf(utf8);
    assert.ok(m1);
    assert.deepEqual(segment(m1, 'FTX').elements[3], ['Grüße']);
    assert.deepEqual(
      m1.diagnostics.map((d) => [d.severity, d.code, d.rule]),
      [['info', '21', 'UTF8_UNDER_SINGLE_BYTE_SYNTAX']],
    );
    const latin = Buffer.concat([
      Buffer.from("UNB+UNOY:3+S+R+200101:0000+1'UNH+1+INVOIC:D:96A:UN'FTX+AAI+++Gr"),
      Buffer.from([0xfc, 0xdf]),
      Buffer.from("e'UNT+3+1'UNZ+1+1'"),
    ]);
    const [m2] = messagesOf(await readAll(latin));
    assert.ok(m2);
    assert.deepEqual(segment(m2, 'FTX').elements[3], ['Grüße']);
    assert.deepEqual(
      m2.diagnostics.map((d) => [d.severity, d.code, d.rule]),
      [['warning', '21', 'INVALID_UTF8']],
    );
    assert.equal(m2.status, 'accepted');
  });

  it('UNB YYMMDD dates take the century from the two-digit-year window X12 uses (fullYear)', async () => {
    const dateRules = async (date: string): Promise<string[]> => {
      const unb = `UNB+UNOC:3+PARTNER:ZZ+CROSSDOCK:ZZ+${date}:0830+REF1'`;
      const events = await readAll(`${unb}UNH+1+DESADV:D:96A:UN'BGM+351+ASN1+9'UNT+3+1'UNZ+1+REF1'`);
      return interchangesOf(events).flatMap((i) => i.diagnostics.map((d) => d.rule));
    };
    // 99 is 1999 and 26 is 2026, as in an ISA09; 29 February exists in 2000 and 1996, not in 2026.
    for (const valid of ['991231', '260228', '000229', '960229', '491231', '500101'])
      assert.deepEqual(await dateRules(valid), [], valid);
    for (const invalid of ['260229', '990229', '261301', '260100'])
      assert.deepEqual(await dateRules(invalid), ['UNB_DATE_INVALID'], invalid);
  });

  it('several interchanges in one file, each with its own UNA and test indicator', async () => {
    const events = await readAll(load('two-interchanges.edi'));
    assert.deepEqual(
      events.map((e) =>
        e.type === 'message'
          ? `M${e.message.messageReference}`
          : e.type === 'diagnostic'
            ? e.diagnostic.rule
            : `I${e.interchange.header.interchangeControlNumber}`,
      ),
      ['M1', 'IIC1', 'M7', 'M8', 'IIC2'],
    );
    const [first, second] = interchangesOf(events);
    assert.equal(first?.header.environment, 'test');
    assert.equal(second?.header.environment, 'production');
    assert.equal(second?.header.delimiters.release, '!');
    assert.equal(second?.header.delimiters.decimal, ',');
    const m7 = messagesOf(events)[1];
    assert.ok(m7);
    assert.deepEqual(segment(m7, 'BGM').elements[1], ['E+2']);
  });

  it('message-only input (no UNB) is read with a warning, not rejected', async () => {
    const events = await readAll(load('message-only.edi'));
    const [message] = messagesOf(events);
    const [interchange] = interchangesOf(events);
    assert.ok(message && interchange);
    assert.equal(message.status, 'accepted');
    assert.equal(message.interchange.messageOnly, true);
    assert.equal(message.interchange.interchangeControlNumber, undefined);
    assert.deepEqual(
      interchange.diagnostics.map((d) => [d.severity, d.rule]),
      [['warning', 'MESSAGE_ONLY_INPUT']],
    );
    assert.equal(interchange.status, 'accepted');
  });

  it('functional groups: messages carry their group, UNZ counts groups', async () => {
    const events = await readAll(load('groups-ung-une.edi'));
    assert.deepEqual(
      messagesOf(events).map((m) => [m.messageReference, m.group?.groupControlNumber, m.group?.groupId]),
      [
        ['1', 'G1', 'INVOIC'],
        ['2', 'G1', 'INVOIC'],
        ['3', 'G2', 'DESADV'],
      ],
    );
    const [interchange] = interchangesOf(events);
    assert.deepEqual(
      interchange?.groups.map((g) => [g.header.groupControlNumber, g.messageCount, g.status]),
      [
        ['G1', 2, 'accepted'],
        ['G2', 1, 'accepted'],
      ],
    );
  });

  it('syntax level B without UNA: non-printable IS1/IS3/IS4 delimiters, so quote and plus are data', async () => {
    const [message] = messagesOf(await readAll(load('level-b-control-delimiters.edi')));
    assert.ok(message);
    assert.equal(message.interchange.delimiters.element, '\x1d');
    assert.deepEqual(segment(message, 'BGM').elements[1], ["LB-'quoted'+plus"]);
  });
});

describe('readEdifact streaming', () => {
  it('hands on the first message before the rest of the input has arrived', async () => {
    let releaseRest: () => void = () => undefined;
    const restArrived = new Promise<void>((resolve) => (releaseRest = resolve));
    async function* input(): AsyncGenerator<Buffer> {
      yield Buffer.from("UNB+UNOC:3+S+R+200101:0000+1'UNH+1+IFTSTA:D:96A:UN'BGM+23+A+9'UNT+3+1'");
      await restArrived;
      yield Buffer.from("UNH+2+IFTSTA:D:96A:UN'BGM+23+B+9'UNT+3+2'UNZ+2+1'");
    }
    const seen: string[] = [];
    for await (const event of readEdifact(input())) {
      if (event.type === 'message') {
        seen.push(event.message.messageReference);
        releaseRest();
      } else seen.push('end');
    }
    assert.deepEqual(seen, ['1', '2', 'end']);
  });

  it('memory stays flat on a large interchange (100k messages, ~28 MB)', async () => {
    const message = (n: number): string =>
      `UNH+${n}+DESADV:D:96A:UN'BGM+351+ASN${n}+9'DTM+137:20240101:102'NAD+SU+SUPPLIER::9'CPS+1'LIN+1++4000862141404:EN'` +
      `QTY+12:40:PCE'FTX+AAI+++${'x'.repeat(160)}'UNT+9+${n}'\n`;
    const total = 100_000;
    let inputBytes = 0;
    async function* input(): AsyncGenerator<Buffer> {
      const parts: string[] = ["UNB+UNOC:3+S+R+240101:0000+BIG'"];
      for (let n = 1; n <= total; n++) {
        parts.push(message(n));
        if (parts.length === 200) {
          const chunk = Buffer.from(parts.join(''));
          inputBytes += chunk.length;
          yield chunk;
          parts.length = 0;
        }
      }
      parts.push(`UNZ+${total}+BIG'`);
      yield Buffer.from(parts.join(''));
    }
    // A forced GC makes heapUsed the live set rather than whatever garbage is pending.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const start = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    for await (const event of readEdifact(input())) {
      if (event.type === 'message') {
        count++;
        if (count % 20_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - start);
        }
      } else if (event.type === 'interchange-end') {
        assert.equal(event.interchange.status, 'accepted');
        assert.equal(event.interchange.messageCount, total);
        assert.equal(event.interchange.messages.length, 10_000);
      }
    }
    assert.equal(count, total);
    const peakMb = peak / 1024 / 1024;
    const inputMb = inputBytes / 1024 / 1024;
    // What stays is a bounded list of message summaries for CONTRL, not the messages.
    assert.ok(peakMb < 8, `live heap grew ${peakMb.toFixed(1)} MB for ${inputMb.toFixed(1)} MB of input`);
  });

  it('an inspect hook adds diagnostics that reject the message', async () => {
    const events = await readAll(
      "UNB+UNOC:3+S+R+200101:0000+1'UNH+1+IFTSTA:D:96A:UN'BGM+23+A+9'UNT+3+1'UNZ+1+1'",
      {
        inspect: (m) => [
          {
            severity: 'error',
            level: 'segment',
            code: '12',
            rule: 'MAP_REJECTED',
            message: `map rejected ${m.messageReference}`,
            segmentId: 'BGM',
            segmentPosition: 2,
          },
        ],
      },
    );
    const [message] = messagesOf(events);
    assert.equal(message?.status, 'rejected');
    assert.equal(interchangesOf(events)[0]?.messages[0]?.status, 'rejected');
  });

  it('empty input and pure garbage end in diagnostics, not exceptions', async () => {
    const empty = await readAll('');
    assert.deepEqual(
      interchangesOf(empty)[0]?.diagnostics.map((d) => d.rule),
      ['NO_EDIFACT_DATA'],
    );
    const garbage = await readAll(Buffer.from([0xff, 0x00, 0x27, 0x2b, 0x3f]));
    assert.equal(interchangesOf(garbage)[0]?.status, 'rejected');
  });

  it('text after the last UNZ is one warning quoting it; segments there stay an error', async () => {
    const file = load('desadv-d96a-release-char.edi').toString('latin1');
    const shape = (events: EdifactReadEvent[]) =>
      events.map((e) =>
        e.type === 'message'
          ? `M${e.message.status}`
          : e.type === 'diagnostic'
            ? [e.diagnostic.severity, e.diagnostic.rule, e.diagnostic.offset, e.diagnostic.message]
            : `I${e.interchange.status}:${e.interchange.diagnostics.map((d) => d.rule).join(',')}`,
      );
    const footer = "\nGreetings from Acme's EDI team\nGrüße\n";
    for (const chunkSize of [1, 7, 64 * 1024]) {
      assert.deepEqual(shape(await readAll(Buffer.from(file + footer, 'latin1'), { chunkSize })), [
        'Maccepted',
        'Iaccepted:',
        [
          'warning',
          'TEXT_OUTSIDE_INTERCHANGE',
          file.length + 1,
          `text after UNZ holds no EDI segment and was not read; it stays in the input at byte ${file.length + 1}: "Greetings from Acme's EDI teamGrüße"`,
        ],
      ]);
    }
    // A segment after UNZ (here a message without its UNB) is no text: an error, as before.
    const lost = shape(await readAll(`${file}BGM+351+X+9'`));
    assert.deepEqual(lost.slice(0, 2), ['Maccepted', 'Iaccepted:']);
    assert.equal(lost[2], 'Irejected:MESSAGE_ONLY_INPUT,SEGMENT_OUTSIDE_MESSAGE,INTERCHANGE_EMPTY');
    // Text between two interchanges is reported before the second one's messages.
    const two = shape(await readAll(`${file}-- part 2 --\n${file.replaceAll('ASN0001', 'ASN0002')}`));
    assert.deepEqual(
      two.map((x) => (Array.isArray(x) ? x[1] : x)),
      ['Maccepted', 'Iaccepted:', 'TEXT_OUTSIDE_INTERCHANGE', 'Maccepted', 'Iaccepted:'],
    );
  });

  it('a failing input stream becomes a diagnostic', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from("UNB+UNOC:3+S+R+200101:0000+1'UNH+1+IFTSTA:D:96A:UN'");
      throw new Error('disk on fire');
    }
    const events: EdifactReadEvent[] = [];
    for await (const e of readEdifact(failing())) events.push(e);
    const [interchange] = interchangesOf(events);
    assert.ok(interchange?.diagnostics.some((d) => d.rule === 'INPUT_READ_FAILED'));
    assert.equal(interchange?.status, 'rejected');
    assert.equal(messagesOf(events)[0]?.status, 'rejected');
  });

  it('chunked() helper cuts at the requested size', async () => {
    const parts: number[] = [];
    for await (const part of chunked('abcdefg', 3)) parts.push(part.length);
    assert.deepEqual(parts, [3, 3, 1]);
  });
});
