import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Segment } from '../../../src/edi/edi-types.js';
import type { MapDefinition } from '../../../src/edi/map-definition.js';
import { locateCanonicalError } from '../../../src/edi/x12-canonical-locate.js';

/** ST, the body's `TAG*a*b` segments, SE. */
function segments(body: string): Segment[] {
  const lines = ['ST*TST*0001', ...body.split('~').filter((l) => l !== ''), 'SE*0*0001'];
  return lines.map((line, i) => {
    const [tag, ...els] = line.split('*');
    return { tag: tag!, elements: els.map((e) => [e]), offset: i * 10, index: i + 1 };
  });
}

const MAP: MapDefinition = {
  name: 'test',
  standard: 'x12',
  message: 'TST',
  documentType: 'Test',
  rules: [
    { seg: 'L3', elements: [{ el: 12, to: 'totals.weight.unit' }] },
    { seg: 'DTM', when: { '1': '011' }, elements: [{ el: 2, to: 'shippedAt' }] },
    {
      loop: 'N1',
      repeat: 'parties[]',
      rules: [
        {
          seg: 'N1',
          elements: [
            { el: 2, to: 'name' },
            { el: 4, to: 'ids[0].value' },
          ],
        },
      ],
    },
  ],
};

test('a required field is located at the element that fills it, in the occurrence the pointer names', () => {
  const set = segments('N1*SF*ACME*92*1~N1*ST**92*2~L3*1200*G');
  assert.deepEqual(locateCanonicalError(MAP, set, '/parties/1/name', 'is required', 0), {
    message: ' (from N102, which is empty)',
    level: 'element',
    code: '1',
    implementationCode: 'I9',
    segmentId: 'N1',
    segmentPosition: 3,
    elementPosition: 2,
    offset: 20,
  });
  assert.equal(locateCanonicalError(MAP, set, '/totals/weight/unit', 'is required', 0)?.segmentPosition, 4);
  assert.equal(
    locateCanonicalError(MAP, set, '/parties/0/ids/0/value', 'is required', 0)?.elementPosition,
    4,
  );
});

test('a value the model refuses is AK4 6 (999 I12) with the value copied', () => {
  const set = segments('N1*SF*ACME*92*1');
  const d = locateCanonicalError(MAP, set, '/parties/0/name', 'must NOT have fewer than 5 characters', 0);
  assert.deepEqual([d?.code, d?.implementationCode, d?.badData], ['6', 'I12', 'ACME']);
});

test('a segment the model needs and the set lacks is AK3 3 (999 I6) at the SE; `when` picks the segment', () => {
  const set = segments('DTM*017*20261127~N1*SF*ACME');
  assert.deepEqual(locateCanonicalError(MAP, set, '/shippedAt', 'is required', 0), {
    message: ' (from DTM02; the set has no DTM)',
    level: 'segment',
    code: '3',
    implementationCode: 'I6',
    segmentId: 'DTM',
    segmentPosition: 4,
  });
  // An object the model requires: the first field filled inside it.
  assert.equal(locateCanonicalError(MAP, set, '/totals/weight', 'is required', 0)?.segmentId, 'L3');
  assert.equal(locateCanonicalError(MAP, set, '/nothing', 'is required', 0), undefined);
});
