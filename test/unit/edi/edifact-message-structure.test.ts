import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import desadvTable from 'edifact/messages/DESADV.json' with { type: 'json' };
import invoicTable from 'edifact/messages/INVOIC.json' with { type: 'json' };
import type { Segment } from '../../../src/edi/edi-types.js';
import { checkEdifactMessageStructure, edifactGroupEnd } from '../../../src/edi/edifact-message-structure.js';

/** Segments from tags alone: the structure check looks at nothing else. */
const segments = (tags: string): Segment[] =>
  tags.split(' ').map((tag, index) => ({ tag, elements: [], offset: index, index }) as unknown as Segment);

const problems = (type: string, tags: string): string[][] =>
  checkEdifactMessageStructure(type, segments(`UNH ${tags} UNT`)).map((d) => [
    String(d.segmentPosition),
    d.segmentId ?? '',
    d.code,
    d.rule,
  ]);

describe('EDIFACT message structure', () => {
  it('DESADV: lines in the consignment CPS and in package CPS groups, several of each, are in place', () => {
    assert.deepEqual(
      problems(
        'DESADV',
        'BGM DTM RFF DTM NAD NAD TDT CPS LIN QTY LIN QTY CPS PAC GIN RFF LIN PIA QTY CPS PAC GIN CNT',
      ),
      [],
    );
  });

  it('DESADV: a LIN (and its QTY) without a CPS group is 15, not expected there', () => {
    assert.deepEqual(problems('DESADV', 'BGM DTM RFF NAD LIN QTY'), [
      ['6', 'LIN', '15', 'SEGMENT_OUT_OF_PLACE'],
      ['7', 'QTY', '15', 'SEGMENT_OUT_OF_PLACE'],
    ]);
  });

  it('a tag that is no segment of the message is 15 too, with its own rule', () => {
    assert.deepEqual(problems('DESADV', 'BGM DTM XYZ RFF'), [['4', 'XYZ', '15', 'SEGMENT_NOT_IN_MESSAGE']]);
  });

  it('IFTSTA: STS groups under each CNI, and STS without CNI as partners send it', () => {
    assert.deepEqual(problems('IFTSTA', 'BGM DTM NAD CNI STS RFF DTM LOC STS DTM CNI STS DTM'), []);
    assert.deepEqual(problems('IFTSTA', 'BGM STS DTM QTY STS DTM'), []);
  });

  it('INVOIC: header charges, lines with their ALC, then the summary after UNS', () => {
    assert.deepEqual(
      problems(
        'INVOIC',
        'BGM DTM MEA RFF NAD NAD CUX ALC MOA LIN IMD QTY MOA PRI ALC LIN MOA ALC UNS MOA MOA',
      ),
      [],
    );
  });

  it('D.96A groups the first table missed: TOD FTX, FTX after an EQD HAN; IFTSTA header TSR, STS DOC, GID EQN and GIN', () => {
    assert.deepEqual(problems('DESADV', 'BGM DTM TOD LOC FTX EQD MEA HAN FTX CPS LIN QTY CNT'), []);
    assert.deepEqual(
      problems('IFTSTA', 'BGM DTM TSR NAD CNI STS DOC FTX GID HAN MEA EQN DIM EQN PCI GIN STS'),
      [],
    );
  });

  // The UN D.96A segment tables (UNTDID D.96A desadv_s, iftsta_s), a group as [trigger, ...members]:
  // every segment of them, reached through its group's triggers, is accepted there.
  type UnGroup = readonly (string | UnGroup)[];
  const D96A: Readonly<Record<string, UnGroup>> = {
    DESADV: [
      'BGM',
      'DTM',
      'ALI',
      'MEA',
      'MOA',
      ['RFF', 'DTM'],
      ['NAD', 'LOC', ['RFF', 'DTM'], ['CTA', 'COM']],
      ['TOD', 'LOC', 'FTX'],
      ['TDT', 'PCD', ['LOC', 'DTM']],
      ['EQD', 'MEA', 'SEL', 'EQA', ['HAN', 'FTX']],
      [
        'CPS',
        'FTX',
        ['PAC', 'MEA', 'QTY', ['HAN', 'FTX'], ['PCI', 'RFF', 'DTM', 'GIR', ['GIN', 'DLM']]],
        [
          'LIN',
          'PIA',
          'IMD',
          'MEA',
          'QTY',
          'ALI',
          'GIN',
          'GIR',
          'DLM',
          'DTM',
          'FTX',
          'MOA',
          ['RFF', 'DTM'],
          ['DGS', 'QTY', 'FTX'],
          ['LOC', 'NAD', 'DTM', 'QTY'],
          ['SGP', 'QTY'],
          ['PCI', 'DTM', 'MEA', 'QTY', ['GIN', 'DLM'], ['HAN', 'FTX', 'GIN']],
          ['QVR', 'DTM'],
        ],
      ],
      'CNT',
    ],
    IFTSTA: [
      'BGM',
      'DTM',
      'TSR',
      ['NAD', ['CTA', 'COM']],
      ['RFF', 'DTM'],
      'LOC',
      'FTX',
      'CNT',
      [
        'CNI',
        'LOC',
        'CNT',
        [
          'STS',
          'RFF',
          'DTM',
          'DOC',
          'FTX',
          'NAD',
          'LOC',
          'PCI',
          ['TDT', 'RFF', 'LOC', 'DTM'],
          ['EQD', 'MEA', 'DIM', 'SEL', ['EQA', 'SEL']],
          ['GID', 'HAN', ['MEA', 'EQN'], ['DIM', 'EQN'], ['PCI', 'GIN']],
        ],
      ],
    ],
  };
  for (const [type, table] of Object.entries(D96A)) {
    it(`${type}: every segment of the UN D.96A segment table is accepted in its group`, () => {
      const refused: string[] = [];
      const check = (tags: readonly string[]): void => {
        if (problems(type, ['BGM', ...tags].join(' ')).length > 0) refused.push(tags.join(' > '));
      };
      const visit = (members: UnGroup, triggers: readonly string[]): void => {
        for (const member of members) {
          if (typeof member === 'string') check([...triggers, member]);
          else {
            const [trigger, ...rest] = member;
            check([...triggers, trigger as string]);
            visit(rest, [...triggers, trigger as string]);
          }
        }
      };
      visit(table, []);
      assert.deepEqual(refused, []);
    });
  }

  it('INVOIC keeps the D.96A payment terms group PAT, which the package (a later directory, PYT) dropped', () => {
    assert.deepEqual(problems('INVOIC', 'BGM DTM PAT DTM PCD LIN QTY PAT DTM UNS MOA'), []);
  });

  // The `edifact` package's tables (a later directory than D.96A) are the other source: every
  // segment they allow in a group, reached through its triggers, is accepted by ours there.
  for (const [type, table] of [
    ['DESADV', desadvTable],
    ['INVOIC', invoicTable],
  ] as const) {
    it(`${type}: every segment the edifact package allows in a group is accepted there`, () => {
      interface Entry {
        readonly content: string | readonly Entry[];
      }
      const refused: string[] = [];
      const visit = (entries: readonly Entry[], triggers: readonly string[]): void => {
        entries.forEach((entry, index) => {
          if (typeof entry.content !== 'string') {
            const trigger = entry.content[0]?.content;
            assert.equal(typeof trigger, 'string');
            visit(entry.content, [...triggers, trigger as string]);
          } else if (!['UNH', 'UNT'].includes(entry.content)) {
            // A group's first entry is its trigger, already in `triggers`.
            const tags = index === 0 && triggers.length > 0 ? triggers : [...triggers, entry.content];
            const found = problems(type, ['BGM', ...tags].join(' '));
            if (found.length > 0)
              refused.push(`${tags.join(' > ')}: ${found.map((f) => f.join(' ')).join('; ')}`);
          }
        });
      };
      visit(table, []);
      assert.deepEqual(refused, []);
    });
  }

  it('what neither source has is still 15: a DESADV PAC outside its CPS, an INVOIC LIN segment in the header', () => {
    assert.deepEqual(problems('DESADV', 'BGM PAC'), [['3', 'PAC', '15', 'SEGMENT_OUT_OF_PLACE']]);
    assert.deepEqual(problems('INVOIC', 'BGM PIA'), [['3', 'PIA', '15', 'SEGMENT_OUT_OF_PLACE']]);
    assert.deepEqual(problems('IFTSTA', 'BGM GID'), [['3', 'GID', '15', 'SEGMENT_OUT_OF_PLACE']]);
  });

  it('message types without a structure are not checked', () => {
    assert.deepEqual(problems('ORDERS', 'BGM XYZ LIN'), []);
  });

  it('group ends: a line keeps its own DTM, RFF and MEA; the next LIN, CPS or the summary ends it', () => {
    const endOf = (type: string, path: string[], tags: string): string => {
      const segs = segments(tags);
      const end = edifactGroupEnd(type, path);
      assert.ok(end);
      return segs[end(segs, 0, segs.length)]?.tag ?? 'end';
    };
    assert.equal(endOf('DESADV', ['CPS', 'LIN'], 'LIN QTY DTM MEA RFF DTM LIN QTY'), 'LIN');
    assert.equal(endOf('DESADV', ['CPS', 'LIN'], 'LIN QTY RFF DTM CPS PAC'), 'CPS');
    assert.equal(endOf('DESADV', ['CPS'], 'CPS PAC MEA GIN LIN DTM RFF LIN CPS'), 'CPS');
    assert.equal(endOf('DESADV', ['CPS'], 'CPS LIN QTY MEA CNT'), 'CNT');
    assert.equal(endOf('INVOIC', ['LIN'], 'LIN IMD MOA RFF DTM MEA ALC MOA UNS MOA'), 'UNS');
    // A header RFF group keeps its DTM; the next RFF starts a repetition.
    assert.equal(endOf('DESADV', ['RFF'], 'RFF DTM RFF'), 'RFF');
    assert.equal(edifactGroupEnd('DESADV', ['LIN']), undefined);
    assert.equal(edifactGroupEnd('ORDERS', ['LIN']), undefined);
  });
});
