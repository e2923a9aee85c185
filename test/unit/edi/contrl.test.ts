import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateContrl, parseContrl } from '../../../src/edi/contrl.js';
import { ackFor } from '../../../src/edi/translate.js';
import type {
  EdifactInterchange,
  EdifactMessage,
  EdifactReadEvent,
} from '../../../src/edi/edifact-reader.js';
import { fixture, golden, readAll } from './edifact-fixture-support.js';

const NOW = new Date('2024-01-15T09:30:00Z');
const interchangesOf = (events: EdifactReadEvent[]): EdifactInterchange[] =>
  events.flatMap((e) => (e.type === 'interchange-end' ? [e.interchange] : []));
const messagesOf = (events: EdifactReadEvent[]): EdifactMessage[] =>
  events.flatMap((e) => (e.type === 'message' ? [e.message] : []));

async function contrlFor(data: Buffer | string, detail: 'message' | 'interchange' = 'message') {
  const [interchange] = interchangesOf(await readAll(data));
  assert.ok(interchange);
  let sequence = 0;
  const contrl = await generateContrl(interchange, {
    nextControlReference: () => `CTL${String(++sequence).padStart(4, '0')}`,
    now: NOW,
    detail,
  });
  return 'diagnostic' in contrl ? { text: '', action: undefined, diagnostic: contrl.diagnostic } : contrl;
}

/** The segment lines of a generated CONTRL between UNH and UNT, for readable expectations. */
const bodyLines = (text: string): string[] =>
  text
    .trim()
    .split('\n')
    .filter((line) => /^UC[IFMSD]\+/.test(line));

/**
 * Every envelope error of the negative fixtures, with the CONTRL detail it must produce.
 * The complete CONTRL text is in the `.contrl` golden next to each fixture.
 */
const NEGATIVE: Record<string, { rule: string; lines: string[] }> = {
  'unz-reference-mismatch': {
    rule: 'UNB_UNZ_REFERENCE_MISMATCH',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+28+UNZ+2'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unz-count-mismatch': {
    rule: 'UNZ_COUNT_MISMATCH',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+29+UNZ+1'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unz-missing': {
    rule: 'UNZ_MISSING',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+13+UNZ'",
      "UCM+1+DESADV:D:96A:UN+4'",
      "UCM+2+DESADV:D:96A:UN+4'",
    ],
  },
  'unt-count-mismatch': {
    rule: 'UNT_SEGMENT_COUNT_MISMATCH',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'",
      "UCM+1+DESADV:D:96A:UN+4+29+UNT+1'",
      "UCM+2+DESADV:D:96A:UN+7'",
    ],
  },
  'unt-reference-mismatch': {
    rule: 'UNH_UNT_REFERENCE_MISMATCH',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'", "UCM+1+DESADV:D:96A:UN+4+28+UNT+2'"],
  },
  'unt-missing': {
    rule: 'UNT_MISSING',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'",
      "UCM+1+DESADV:D:96A:UN+4+13+UNT'",
      "UCM+2+DESADV:D:96A:UN+7'",
    ],
  },
  'une-count-mismatch': {
    rule: 'UNE_COUNT_MISMATCH',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'",
      "UCF+G1+PARTNER:ZZ+CROSSDOCK:ZZ+4+29+UNE+1'",
      "UCM+1+DESADV:D:96A:UN+4'",
    ],
  },
  'une-reference-mismatch': {
    rule: 'UNG_UNE_REFERENCE_MISMATCH',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'",
      "UCF+G1+PARTNER:ZZ+CROSSDOCK:ZZ+4+28+UNE+2'",
      "UCM+1+DESADV:D:96A:UN+4'",
    ],
  },
  'unb-date-invalid': {
    rule: 'UNB_DATE_INVALID',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+12+UNB+4:1'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unb-time-invalid': {
    rule: 'UNB_TIME_INVALID',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+12+UNB+4:2'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unb-test-indicator-invalid': {
    rule: 'UNB_TEST_INDICATOR_INVALID',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+12+UNB+11'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unb-syntax-unsupported': {
    rule: 'SYNTAX_IDENTIFIER_UNSUPPORTED',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+2+UNB+1:1'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unb-sender-missing': {
    rule: 'UNB_ELEMENT_MISSING',
    lines: ["UCI+REF77+:ZZ+CROSSDOCK:ZZ+4+13+UNB+2:1'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'groups-and-messages-mixed': {
    rule: 'GROUPS_AND_MESSAGES_MIXED',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+30+UNG'",
      "UCF+G1+PARTNER:ZZ+CROSSDOCK:ZZ+4'",
      "UCM+2+DESADV:D:96A:UN+4'",
    ],
  },
  'segment-outside-message': {
    rule: 'SEGMENT_OUTSIDE_MESSAGE',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+33+BGM'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'una-duplicate-separators': {
    rule: 'UNA_SERVICE_CHARACTER_INVALID',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+20+UNA'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unh-type-missing': {
    rule: 'UNH_ELEMENT_MISSING',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'", "UCM+1+:D:96A:UN+4+13+UNH+2:1'"],
  },
  'une-missing': {
    rule: 'UNE_MISSING',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'",
      "UCF+G1+PARTNER:ZZ+CROSSDOCK:ZZ+4+13+UNE'",
      "UCM+1+DESADV:D:96A:UN+4'",
    ],
  },
  'unt-without-unh': {
    rule: 'UNT_WITHOUT_UNH',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+13+UNH'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unz-without-unb': {
    rule: 'UNZ_WITHOUT_UNB',
    // No UNB: nobody to answer, so no CONTRL (CONTRL_WITHOUT_UNB).
    lines: [],
  },
  'unb-syntax-version-unsupported': {
    rule: 'SYNTAX_VERSION_UNSUPPORTED',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+2+UNB+1:2'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'unb-ack-request-invalid': {
    rule: 'UNB_ACK_REQUEST_INVALID',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+12+UNB+9'", "UCM+1+DESADV:D:96A:UN+4'"],
  },
  'element-repeated-syntax4': {
    rule: 'ELEMENT_REPEATED',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'", "UCM+1+DESADV:D:01B:UN+4'", "UCS+3'", "UCD+16+5'"],
  },
  'composite-in-simple-element-d96a': {
    rule: 'TOO_MANY_COMPONENTS',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'",
      "UCM+1+IFTSTA:D:96A:UN+4'",
      "UCS+2'",
      "UCD+16+2:2'",
      "UCS+3'",
      "UCD+16+7:2'",
    ],
  },
  'unh-reference-duplicate': {
    rule: 'UNH_REFERENCE_DUPLICATE',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'",
      "UCM+1+IFTSTA:D:96A:UN+7'",
      "UCM+1+IFTSTA:D:96A:UN+4+26+UNH+1'",
    ],
  },
  'desadv-lin-without-cps': {
    rule: 'SEGMENT_OUT_OF_PLACE',
    // A DESADV line stands only in a CPS group: a LIN without one is an error, never dropped.
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'", "UCM+1+DESADV:D:96A:UN+4'", "UCS+6+15'", "UCS+7+15'"],
  },
  'segment-not-in-message': {
    rule: 'SEGMENT_NOT_IN_MESSAGE',
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'", "UCM+1+DESADV:D:96A:UN+4'", "UCS+4+15'"],
  },
  'data-segment-errors': {
    rule: 'MANDATORY_COMPONENT_MISSING',
    lines: [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'",
      "UCM+1+DESADV:D:96A:UN+4'",
      "UCS+3'",
      "UCD+13+1:1'",
      // QTY in the DESADV header: its line group (LIN) stands only in a CPS group.
      "UCS+4+15'",
      "UCD+16+1:4'",
      "UCS+5'",
      "UCD+37+3:3'",
      "UCS+6'",
      "UCD+39+1:2'",
      "UCS+7'",
      "UCD+16+10'",
      "UCM+2+DESADV:D:96A:UN+7'",
    ],
  },
};

describe('generateContrl for negative fixtures', () => {
  const files = readdirSync(fixture('negative')).filter((f) => f.endsWith('.edi'));

  it('every negative fixture has an expectation', () => {
    assert.deepEqual(files.map((f) => f.replace(/\.edi$/, '')).sort(), Object.keys(NEGATIVE).sort());
  });

  for (const file of files) {
    const name = file.replace(/\.edi$/, '');
    it(`${name}: ${NEGATIVE[name]?.rule ?? '?'} → exact CONTRL`, async () => {
      const expected = NEGATIVE[name];
      assert.ok(expected);
      const data = readFileSync(fixture('negative', file));
      const events = await readAll(data);
      const rules = events.flatMap((e) =>
        e.type === 'message'
          ? e.message.diagnostics.map((d) => d.rule)
          : e.type === 'diagnostic'
            ? [e.diagnostic.rule]
            : [...e.interchange.diagnostics, ...e.interchange.groups.flatMap((g) => g.diagnostics)].map(
                (d) => d.rule,
              ),
      );
      assert.ok(rules.includes(expected.rule), `${expected.rule} in ${rules.join(', ')}`);
      const contrl = await contrlFor(data);
      assert.deepEqual(bodyLines(contrl.text), expected.lines);
      if (expected.lines.length === 0) assert.equal(contrl.text, '');
      else assert.equal(contrl.text, golden(fixture('negative', `${name}.contrl`), contrl.text, true));
    });
  }
});

describe('generateContrl envelope', () => {
  it('reverses the envelope, echoes syntax and test indicator, takes the control reference from the caller', async () => {
    const contrl = await contrlFor(readFileSync(fixture('valid', 'desadv-d96a-release-char.edi')));
    assert.equal(
      contrl.text,
      [
        "UNA:+.? '",
        "UNB+UNOC:3+4012345000009:14+5412345000013:14+240115:0930+CTL0001++++++1'",
        "UNH+1+CONTRL:D:3:UN'",
        "UCI+ASN0001+5412345000013:14+4012345000009:14+7'",
        "UCM+ME000001+DESADV:D:96A:UN:EAN005+7'",
        "UNT+4+1'",
        "UNZ+1+CTL0001'",
        '',
      ].join('\n'),
    );
    assert.equal(contrl.action, '7');
    assert.equal(contrl.interchangeControlNumber, 'CTL0001');
  });

  it('syntax 4 answers with CONTRL:4:1:UN and a CCYYMMDD date', async () => {
    const contrl = await contrlFor(readFileSync(fixture('valid', 'desadv-syntax4-unoy-utf8.edi')));
    assert.match(contrl.text, /^UNB\+UNOY:4\+RECIPIENT:ZZ\+SENDÉR:ZZ\+20240115:0930\+CTL0001'$/m);
    assert.match(contrl.text, /^UNH\+1\+CONTRL:4:1:UN'$/m);
  });

  it('detail "interchange" reports receipt only (action 8)', async () => {
    const contrl = await contrlFor(readFileSync(fixture('valid', 'groups-ung-une.edi')), 'interchange');
    assert.deepEqual(bodyLines(contrl.text), ["UCI+GRP1+SND:ZZ+RCV:ZZ+8'"]);
    assert.equal(contrl.action, '8');
  });

  it('groups get a UCF each with their messages below', async () => {
    const contrl = await contrlFor(readFileSync(fixture('valid', 'groups-ung-une.edi')));
    assert.deepEqual(bodyLines(contrl.text), [
      "UCI+GRP1+SND:ZZ+RCV:ZZ+7'",
      "UCF+G1+SNDAPP:ZZ+RCVAPP:ZZ+7'",
      "UCM+1+INVOIC:D:96A:UN+7'",
      "UCM+2+INVOIC:D:96A:UN+7'",
      "UCF+G2+SNDAPP:ZZ+RCVAPP:ZZ+7'",
      "UCM+3+DESADV:D:96A:UN+7'",
    ]);
  });

  it('a release character in a reference is escaped in the CONTRL', async () => {
    const contrl = await contrlFor(
      "UNB+UNOC:3+S?+1:ZZ+R+240101:0000+A?'B'UNH+1+IFTSTA:D:96A:UN'UNT+2+1'UNZ+1+A?'B'",
    );
    assert.deepEqual(bodyLines(contrl.text).slice(0, 1), ["UCI+A?'B+S?+1:ZZ+R+7'"]);
  });

  it('the control reference generator may be async (a database sequence)', async () => {
    const [interchange] = interchangesOf(await readAll(readFileSync(fixture('valid', 'groups-ung-une.edi'))));
    assert.ok(interchange);
    const contrl = await generateContrl(interchange, { nextControlReference: async () => 'SEQ42', now: NOW });
    assert.ok(!('diagnostic' in contrl));
    assert.match(contrl.text, /^UNB\+UNOB:3\+RCV:ZZ\+SND:ZZ\+240115:0930\+SEQ42'$/m);
  });

  it('message-only input (no UNB) gets no CONTRL but a warning saying why', async () => {
    const data = readFileSync(fixture('valid', 'message-only.edi'));
    const contrl = await contrlFor(data);
    assert.equal(contrl.text, '');
    assert.deepEqual('diagnostic' in contrl ? contrl.diagnostic : undefined, {
      severity: 'warning',
      level: 'interchange',
      code: '13',
      rule: 'CONTRL_WITHOUT_UNB',
      message:
        'no CONTRL: the input has no UNB, so there is no interchange reference, sender or recipient to answer',
      segmentId: 'UNB',
    });
    const ack = await ackFor(data, { now: () => NOW });
    assert.equal(ack.text, '');
    assert.deepEqual(
      ack.diagnostics.filter((d) => d.rule === 'CONTRL_WITHOUT_UNB').map((d) => [d.severity, d.code]),
      [['warning', '13']],
    );
  });

  it('the bytes are in the character set UNB declares: UNOC as ISO 8859-1, UNOY as UTF-8', async () => {
    const generate = async (data: Buffer) => {
      const [interchange] = interchangesOf(await readAll(data));
      assert.ok(interchange);
      const contrl = await generateContrl(interchange, { nextControlReference: () => 'C1', now: NOW });
      assert.ok(!('diagnostic' in contrl));
      return contrl;
    };
    const envelope = (syntax: string, sender: string): string =>
      `UNB+${syntax}+${sender}:ZZ+CROSSDOCK:ZZ+240101:0000+R1'UNH+1+IFTSTA:D:96A:UN'UNT+2+1'UNZ+1+R1'`;
    // A UNOC partner sends "MÜLLER" as ISO 8859-1 (Ü is 0xDC) and must get those bytes back in UCI.
    const unoc = await generate(Buffer.from(envelope('UNOC:3', 'MÜLLER'), 'latin1'));
    assert.match(unoc.text, /^UCI\+R1\+MÜLLER:ZZ\+CROSSDOCK:ZZ\+7'$/m);
    assert.ok(unoc.bytes.includes(Buffer.from('UCI+R1+M\xdcLLER:ZZ+', 'latin1')));
    assert.ok(!unoc.bytes.includes(Buffer.from('Ü', 'utf8')), 'no UTF-8 under UNOC');
    assert.equal(unoc.bytes.length, unoc.text.length);
    assert.deepEqual(unoc.diagnostics, []);
    const unoy = await generate(Buffer.from(envelope('UNOY:4', 'MÜLLER'), 'utf8'));
    assert.ok(unoy.bytes.includes(Buffer.from('UCI+R1+MÜLLER:ZZ+', 'utf8')));
    assert.equal(unoy.bytes.toString('utf8'), unoy.text);
    // UTF-8 data under UNOC (the reader takes it with an info note) has no ISO 8859-1 form beyond
    // U+00FF: it is echoed as the partner sent it, in UTF-8, with a warning.
    const utf8 = await generate(Buffer.from(envelope('UNOC:3', 'ŁÓDŹ'), 'utf8'));
    assert.ok(utf8.bytes.includes(Buffer.from('UCI+R1+ŁÓDŹ:ZZ+', 'utf8')));
    assert.deepEqual(
      utf8.diagnostics.map((d) => [d.severity, d.rule]),
      [['warning', 'CONTRL_CHARACTER_NOT_IN_SYNTAX']],
    );
    // `ackFor` (crossdock ack) hands on the same bytes.
    const ack = await ackFor(Buffer.from(envelope('UNOC:3', 'MÜLLER'), 'latin1'), { now: () => NOW });
    assert.ok(ack.bytes.includes(Buffer.from('UCI+R1+M\xdcLLER:ZZ+', 'latin1')));
    assert.ok(!ack.bytes.includes(Buffer.from('Ü', 'utf8')));
  });

  it('under a rejected interchange (UCI 4) no group or message is reported acknowledged', async () => {
    const text =
      "UNB+UNOC:3+S:ZZ+R:ZZ+240101:0000+R1'UNG+INVOIC+S:ZZ+R:ZZ+240101:0000+G1+UN+D:96A'" +
      "UNH+1+INVOIC:D:96A:UN'BGM+380+I1+9'UNT+3+1'UNE+1+G1'UNZ+2+R1'";
    assert.deepEqual(bodyLines((await contrlFor(text)).text), [
      "UCI+R1+S:ZZ+R:ZZ+4+29+UNZ+1'",
      "UCF+G1+S:ZZ+R:ZZ+4'",
      "UCM+1+INVOIC:D:96A:UN+4'",
    ]);
  });
});

describe('recipient check', () => {
  it('an interchange addressed to someone else is rejected with syntax error 7', async () => {
    const [interchange] = interchangesOf(
      await readAll(readFileSync(fixture('valid', 'groups-ung-une.edi')), { recipientIds: ['CROSSDOCK'] }),
    );
    assert.ok(interchange);
    assert.equal(interchange.status, 'rejected');
    const contrl = await generateContrl(interchange, { nextControlReference: () => 'C1', now: NOW });
    assert.ok(!('diagnostic' in contrl));
    assert.deepEqual(bodyLines(contrl.text), [
      "UCI+GRP1+SND:ZZ+RCV:ZZ+4+7+UNB+3:1'",
      "UCF+G1+SNDAPP:ZZ+RCVAPP:ZZ+4'",
      "UCM+1+INVOIC:D:96A:UN+4'",
      "UCM+2+INVOIC:D:96A:UN+4'",
      "UCF+G2+SNDAPP:ZZ+RCVAPP:ZZ+4'",
      "UCM+3+DESADV:D:96A:UN+4'",
    ]);
  });
});

/** Files whose values the maps cannot read: the errors (rule, 0085 code, segment) and CONTRL detail. */
const MAPS_NEGATIVE: Record<string, { what: string; errors: (string | undefined)[][]; lines: string[] }> = {
  'desadv-value-errors': {
    what: 'a bad DTM date is 12 (invalid value), at element:component',
    errors: [['INVALID_DATE', '12', 'DTM']],
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'", "UCM+1+DESADV:D:96A:UN+4'", "UCS+3'", "UCD+12+1:2'"],
  },
  'desadv-number-letters': {
    what: 'letters in a QTY number are 37 (invalid type of characters) at element:component, found by the segment rules before the map',
    errors: [['NON_NUMERIC_VALUE', '37', 'QTY']],
    lines: ["UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+7'", "UCM+1+DESADV:D:96A:UN+4'", "UCS+8'", "UCD+37+1:2'"],
  },
  'desadv-gin-two-identities': {
    what: 'a GIN+BJ with a second SSCC is rejected at that C208 (12): a package holds one SSCC, the rest is never dropped',
    errors: [['CODE_NOT_MAPPED', '12', 'GIN']],
    lines: ["UCI+REF1+SND:ZZ+RCV:ZZ+7'", "UCM+1+DESADV:D:96A:UN+4'", "UCS+9'", "UCD+12+3'"],
  },
  'desadv-order-number-empty': {
    what: 'a header RFF+ON without its number: the canonical model requires it, so 13 (missing) at RFF 1:2, never the X12 code 5',
    errors: [['CANONICAL_SCHEMA', '13', 'RFF']],
    lines: ["UCI+REF1+SND:ZZ+RCV:ZZ+7'", "UCM+1+DESADV:D:96A:UN+4'", "UCS+4'", "UCD+13+1:2'"],
  },
  'desadv-order-number-missing': {
    what: 'no RFF+ON at all: no segment to point at, so the rejected UCM itself gives the reason, 13 (missing)',
    errors: [['CANONICAL_SCHEMA', '13', undefined]],
    lines: ["UCI+REF1+SND:ZZ+RCV:ZZ+7'", "UCM+1+DESADV:D:96A:UN+4+13'"],
  },
  'invoic-line-second-amount': {
    what: 'an allowance group with its own amount (ALC+A, MOA+204) on a line with its MOA+203 is 12 at MOA 5025: one charge has one amount, never the line turned into a discount',
    errors: [['CODE_NOT_MAPPED', '12', 'MOA']],
    lines: ["UCI+REF1+SND:ZZ+RCV:ZZ+7'", "UCM+1+INVOIC:D:96A:UN+4'", "UCS+10'", "UCD+12+1:1'"],
  },
  'invoic-line-percentage-allowance': {
    what: 'a second ALC on a charge line (ALC+A with a PCD percentage) is 12 at its ALC 5463, never read as the sign of the whole line',
    errors: [['CODE_NOT_MAPPED', '12', 'ALC']],
    lines: ["UCI+REF1+SND:ZZ+RCV:ZZ+7'", "UCM+1+INVOIC:D:96A:UN+4'", "UCS+10'", "UCD+12+1'"],
  },
};

describe('CONTRL for values the map cannot read (maps-negative/)', () => {
  it('every maps-negative fixture has an expectation', () => {
    const files = readdirSync(fixture('maps-negative')).filter((f) => f.endsWith('.edi'));
    assert.deepEqual(files.map((f) => f.replace(/\.edi$/, '')).sort(), Object.keys(MAPS_NEGATIVE).sort());
  });

  for (const [name, expected] of Object.entries(MAPS_NEGATIVE)) {
    it(`${name}: ${expected.what}`, async () => {
      const file = fixture('maps-negative', `${name}.edi`);
      const ack = await ackFor(readFileSync(file), {
        now: () => NOW,
        mapsDir: join(process.cwd(), 'edi-maps'),
      });
      assert.deepEqual(
        ack.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.rule, d.code, d.segmentId]),
        expected.errors,
      );
      assert.deepEqual(bodyLines(ack.text), expected.lines);
      assert.equal(ack.text, golden(file.replace(/\.edi$/, '.contrl'), ack.text, true));
    });
  }
});

describe('EDIFACT diagnostics carry 0085 codes', () => {
  it('a message type without a map is 14 (value not supported) on UNH S009, not the X12 AK502 2', async () => {
    const ack = await ackFor(
      "UNB+UNOC:3+SND:ZZ+RCV:ZZ+240115:0830+REF1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO-1+9'UNT+3+1'UNZ+1+REF1'",
      { now: () => NOW, mapsDir: join(process.cwd(), 'edi-maps') },
    );
    assert.deepEqual(
      ack.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.rule, d.code, d.segmentId]),
      [['NO_MAP', '14', 'UNH']],
    );
    assert.deepEqual(bodyLines(ack.text), ["UCI+REF1+SND:ZZ+RCV:ZZ+7'", "UCM+1+ORDERS:D:96A:UN+4+14+UNH+2'"]);
  });
});

describe('duplicate interchange reference', () => {
  it('an interchange repeating an earlier UNB 0020 from the same sender is rejected with syntax error 26', async () => {
    const one =
      "UNB+UNOC:3+PARTNER:ZZ+CROSSDOCK:ZZ+240115:0830+REF77'UNH+1+DESADV:D:96A:UN'BGM+351+ASN1+9'UNT+3+1'UNZ+1+REF77'";
    const other = one.replace('PARTNER:ZZ', 'OTHER:ZZ');
    const interchanges = interchangesOf(await readAll(one + other + one));
    assert.deepEqual(
      interchanges.map((i) => i.status),
      ['accepted', 'accepted', 'rejected'],
    );
    const contrl = await generateContrl(interchanges[2] as EdifactInterchange, {
      nextControlReference: () => 'C1',
      now: NOW,
    });
    assert.ok(!('diagnostic' in contrl));
    assert.deepEqual(bodyLines(contrl.text), [
      "UCI+REF77+PARTNER:ZZ+CROSSDOCK:ZZ+4+26+UNB+5'",
      "UCM+1+DESADV:D:96A:UN+4'",
    ]);
  });
});

describe('parseContrl', () => {
  const parse = async (text: string) => {
    const [message] = messagesOf(await readAll(text));
    assert.ok(message);
    return parseContrl(message);
  };

  it('round trip: the CONTRL we generate parses back into the Acknowledgement it describes, each error naming its message', async () => {
    const generated = await contrlFor(readFileSync(fixture('negative', 'data-segment-errors.edi')));
    const { acknowledgement, diagnostics } = await parse(generated.text);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(acknowledgement, {
      ackType: 'CONTRL',
      refersTo: { interchangeControlNumber: 'REF77', transactionControlNumbers: ['1', '2'] },
      status: 'partial',
      action: '7',
      messages: [
        { messageReference: '1', messageType: 'DESADV', status: 'rejected' },
        { messageReference: '2', messageType: 'DESADV', status: 'accepted' },
      ],
      errors: [
        {
          level: 'element',
          code: '13',
          transactionControlNumber: '1',
          segmentPosition: 3,
          elementPosition: 1,
          componentPosition: 1,
          message: 'message 1 segment 3 element 1:1: syntax error 13',
        },
        {
          level: 'segment',
          code: '15',
          transactionControlNumber: '1',
          segmentPosition: 4,
          message: 'message 1 segment 4: syntax error 15',
        },
        {
          level: 'element',
          code: '16',
          transactionControlNumber: '1',
          segmentPosition: 4,
          elementPosition: 1,
          componentPosition: 4,
          message: 'message 1 segment 4 element 1:4: syntax error 16',
        },
        {
          level: 'element',
          code: '37',
          transactionControlNumber: '1',
          segmentPosition: 5,
          elementPosition: 3,
          componentPosition: 3,
          message: 'message 1 segment 5 element 3:3: syntax error 37',
        },
        {
          level: 'element',
          code: '39',
          transactionControlNumber: '1',
          segmentPosition: 6,
          elementPosition: 1,
          componentPosition: 2,
          message: 'message 1 segment 6 element 1:2: syntax error 39',
        },
        {
          level: 'element',
          code: '16',
          transactionControlNumber: '1',
          segmentPosition: 7,
          elementPosition: 10,
          message: 'message 1 segment 7 element 10: syntax error 16',
        },
      ],
    });
  });

  it('UCI action 4 is rejected with the interchange error', async () => {
    const { acknowledgement } = await parse(
      "UNB+UNOC:3+B+A+240101:0000+C1'UNH+1+CONTRL:D:3:UN'UCI+REF77+A:ZZ+B:ZZ+4+28+UNZ+2'UNT+3+1'UNZ+1+C1'",
    );
    assert.equal(acknowledgement?.status, 'rejected');
    assert.deepEqual(acknowledgement?.errors, [
      {
        level: 'interchange',
        code: '28',
        segmentId: 'UNZ',
        elementPosition: 2,
        message: 'interchange REF77 rejected: syntax error 28 in UNZ',
      },
    ]);
  });

  it('UCI action 8 (received) and 7 without UCM are accepted; every UCM rejected is rejected', async () => {
    const received = await parse("UNH+1+CONTRL:D:3:UN'UCI+REF1+A+B+8'UNT+3+1'");
    assert.equal(received.acknowledgement?.status, 'accepted');
    const acknowledged = await parse("UNH+1+CONTRL:D:3:UN'UCI+REF1+A+B+7'UNT+3+1'");
    assert.equal(acknowledged.acknowledgement?.status, 'accepted');
    const allRejected = await parse(
      "UNH+1+CONTRL:D:3:UN'UCI+REF1+A+B+7'UCM+5+INVOIC:D:96A:UN+4+29+UNT'UNT+4+1'",
    );
    assert.equal(allRejected.acknowledgement?.status, 'rejected');
    assert.deepEqual(allRejected.acknowledgement?.refersTo.transactionControlNumbers, ['5']);
    // A UCM's own error names its message, as an X12 AK5 error names its set.
    assert.deepEqual(
      allRejected.acknowledgement?.errors.map((e) => [
        e.level,
        e.code,
        e.transactionControlNumber,
        e.segmentId,
      ]),
      [['transaction', '29', '5', 'UNT']],
    );
  });

  it('group responses give the group reference; a rejected group makes it partial', async () => {
    const { acknowledgement } = await parse(
      "UNH+1+CONTRL:D:3:UN'UCI+REF1+A+B+7'UCF+G1+A+B+4+29+UNE+1'UCF+G2+A+B+7'UCM+3+DESADV:D:96A:UN+7'UNT+6+1'",
    );
    assert.equal(acknowledgement?.refersTo.groupControlNumber, 'G1');
    assert.equal(acknowledgement?.status, 'partial');
    assert.deepEqual(
      acknowledgement?.errors.map((e) => [e.level, e.code, e.segmentId]),
      [['group', '29', 'UNE']],
    );
  });

  it('a message that is not a CONTRL, or a CONTRL without UCI, is a diagnostic', async () => {
    const notContrl = await parse("UNH+1+DESADV:D:96A:UN'BGM+351+X+9'UNT+3+1'");
    assert.equal(notContrl.acknowledgement, undefined);
    assert.deepEqual(
      notContrl.diagnostics.map((d) => d.rule),
      ['NOT_A_CONTRL'],
    );
    const noUci = await parse("UNH+1+CONTRL:D:3:UN'UNT+2+1'");
    assert.deepEqual(
      noUci.diagnostics.map((d) => d.rule),
      ['CONTRL_UCI_MISSING'],
    );
  });
});
