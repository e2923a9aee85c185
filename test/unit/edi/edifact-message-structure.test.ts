import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
