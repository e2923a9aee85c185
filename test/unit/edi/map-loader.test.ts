import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSegmentRule, type SegmentRule } from '../../../src/edi/map-definition.js';
import { loadMaps, type MapLoadError } from '../../../src/edi/map-loader.js';
import { renderDocument } from '../../../src/edi/render-document.js';
import { translateBuffer } from '../../../src/edi/translate.js';
import { goldenOptions, MAPS_DIR, x12Fixture } from './x12-fixture-support.js';

const PARTNER_FILE = join('partners', 'acme', 'partner.yaml');

/** A fresh copy of the maps with `acme`'s partner.yaml as given (a fresh directory: loadMaps caches). */
function mapsWithPartner(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  mkdirSync(join(dir, 'partners', 'acme'));
  writeFileSync(join(dir, PARTNER_FILE), yaml);
  return dir;
}

const problems = (errors: readonly MapLoadError[]): string[][] =>
  errors.map((e) => [e.file, e.path, e.message]);

/** Loads `acme` with this partner.yaml; its problems are all partner problems, and no map is left. */
function partnerProblems(yaml: string): string[][] {
  const set = loadMaps({ mapsDir: mapsWithPartner(yaml), partnerId: 'acme' });
  assert.deepEqual(set.partnerErrors, set.errors);
  assert.deepEqual(set.maps, []);
  return problems(set.partnerErrors);
}

const at7 = (element: string): string =>
  `maps:\n  x12-214:\n    rules:\n      at7-status:\n        elements: [${element}]\n`;

test('a partner rule override is checked element by element: type, range, known transform and key', () => {
  assert.deepEqual(partnerProblems(at7('{ el: two, to: reasonCode }')), [
    [PARTNER_FILE, '/maps/x12-214/rules/at7-status/elements/0/el', 'must be integer'],
  ]);
  assert.deepEqual(partnerProblems(at7('{ el: 2, comp: -3, to: reasonCode, transform: bogus }')), [
    [PARTNER_FILE, '/maps/x12-214/rules/at7-status/elements/0/comp', 'must be >= 1'],
    [
      PARTNER_FILE,
      '/maps/x12-214/rules/at7-status/elements/0/transform',
      'must be one of trim, upper, n0, n1, n2, n3, decimal, number, integer, date, dateOnly, time, timeCode, dtm, dtmDate, dtmFormat, sscc',
    ],
  ]);
  assert.deepEqual(
    partnerProblems('maps:\n  x12-214:\n    rules:\n      at7-status:\n        elments: [{ el: 2 }]\n'),
    [[PARTNER_FILE, '/maps/x12-214/rules/at7-status/elments', 'unknown key "elments"']],
  );
});

test('a partner override of a map, rule or code table that does not exist is named', () => {
  assert.deepEqual(partnerProblems('maps:\n  x12-2140:\n    defaults:\n      a: b\n'), [
    [
      PARTNER_FILE,
      '/maps/x12-2140',
      'unknown map "x12-2140" (maps: edifact-desadv, edifact-desadv-d01b, edifact-iftsta, edifact-iftsta-d01b, edifact-invoic, edifact-invoic-d01b, x12-210, x12-214, x12-856)',
    ],
  ]);
  assert.deepEqual(partnerProblems('maps:\n  x12-214:\n    rules:\n      at7-stat: { always: true }\n'), [
    [
      PARTNER_FILE,
      '/maps/x12-214/rules/at7-stat',
      `no rule with id "at7-stat" in ${join('x12', '214.map.yaml')}`,
    ],
  ]);
  assert.deepEqual(partnerProblems('codeTables:\n  at7-milestones: { XB: DELIVERED }\n'), [
    [PARTNER_FILE, '/codeTables/at7-milestones', 'unknown code table "at7-milestones"'],
  ]);
});

test('the merged rule is checked as a map rule is: tables and paths', () => {
  assert.deepEqual(partnerProblems(at7('{ el: 2, to: reasonCode, table: at7-reason }')), [
    [
      PARTNER_FILE,
      '/maps/x12-214/rules/at7-status(merged)/elements/5/table',
      'unknown code table "at7-reason" (edi-maps/code-tables/at7-reason.yaml)',
    ],
  ]);
  assert.deepEqual(partnerProblems(at7('{ el: 2, to: "a..b" }')), [
    [PARTNER_FILE, '/maps/x12-214/rules/at7-status(merged)/elements/5/to', 'bad path step "" in "a..b"'],
  ]);
  // A property of another kind of rule passes the override's schema but not the merged rule's.
  assert.deepEqual(partnerProblems('maps:\n  x12-214:\n    rules:\n      at7-status: { rules: [] }\n'), [
    [PARTNER_FILE, '/maps/x12-214/rules/at7-status(merged)/rules', 'unknown key "rules"'],
  ]);
});

test('a partner time zone misspelt as a key or as a zone is an error, not UTC', () => {
  assert.deepEqual(partnerProblems('timezone: America/Chicago\n'), [
    [PARTNER_FILE, '/timezone', 'unknown key "timezone"'],
  ]);
  assert.deepEqual(partnerProblems('timeZone: America/Chicag\n'), [
    [PARTNER_FILE, '/timeZone', 'unknown time zone "America/Chicag"'],
  ]);
});

test('a partner without a file has no overrides and no errors; the example partner loads clean', () => {
  const none = loadMaps({ mapsDir: MAPS_DIR, partnerId: 'no-file-here' });
  assert.deepEqual([none.errors, none.partnerErrors, none.partnerFile], [[], [], undefined]);
  assert.ok(none.maps.length > 0);
  const example = loadMaps({ mapsDir: MAPS_DIR, partnerId: 'example-carrier' });
  assert.deepEqual(
    [example.errors, example.partnerFile],
    [[], join('partners', 'example-carrier', 'partner.yaml')],
  );
  assert.equal(example.maps.find((m) => m.definition.name === 'x12-214')?.timeZone, 'America/Chicago');
});

test("a broken partner file stops that partner's translation and rendering: errors, no document, no ack", async () => {
  const maps = mapsWithPartner(at7('{ el: two, to: reasonCode }'));
  const r = await translateBuffer(
    x12Fixture('214-4010-dot-terminator-space-before.edi'),
    goldenOptions({ mapsDir: maps, partnerId: 'acme' }),
  );
  assert.deepEqual(
    [r.documents, r.acks, r.interchanges, r.diagnostics.map((d) => [d.severity, d.rule, d.message])],
    [
      [],
      [],
      [],
      [
        [
          'error',
          'PARTNER_INVALID',
          `partner ${PARTNER_FILE} at /maps/x12-214/rules/at7-status/elements/0/el: must be integer`,
        ],
      ],
    ],
  );
  const rendered = renderDocument({}, 'x12-214', { mapsDir: maps, partnerId: 'acme' });
  assert.deepEqual(
    [rendered.text, rendered.diagnostics.map((d) => [d.rule, d.message])],
    [
      '',
      [
        [
          'PARTNER_INVALID',
          `partner ${PARTNER_FILE} at /maps/x12-214/rules/at7-status/elements/0/el: must be integer`,
        ],
      ],
    ],
  );
});

test('a partner file mended while the process runs is read again; the maps of the others stay cached', () => {
  const dir = mapsWithPartner('timezone: America/Chicago\n');
  const broken = loadMaps({ mapsDir: dir, partnerId: 'acme' });
  assert.deepEqual(problems(broken.partnerErrors), [[PARTNER_FILE, '/timezone', 'unknown key "timezone"']]);
  assert.equal(loadMaps({ mapsDir: dir, partnerId: 'acme' }), broken, 'unchanged: the cached set');
  const other = loadMaps({ mapsDir: dir });
  writeFileSync(join(dir, PARTNER_FILE), 'timeZone: America/Chicago\n');
  // A later modification time, whatever the file system's clock resolution.
  utimesSync(join(dir, PARTNER_FILE), new Date(Date.now() + 5000), new Date(Date.now() + 5000));
  const mended = loadMaps({ mapsDir: dir, partnerId: 'acme' });
  assert.deepEqual(mended.partnerErrors, []);
  assert.ok(mended.maps.length > 0);
  assert.equal(loadMaps({ mapsDir: dir }), other);
});

test('x12-210: b3-delivered reads what b3 reads, plus B309 as deliveredAt (B310 035)', () => {
  const map = loadMaps({ mapsDir: MAPS_DIR }).maps.find((m) => m.definition.name === 'x12-210');
  const rule = (id: string): SegmentRule => {
    const found = map?.definition.rules.find((r) => r.id === id);
    assert.ok(found && isSegmentRule(found), id);
    return found;
  };
  const inbound = (r: SegmentRule): unknown[] =>
    r.elements.filter((e) => e.direction !== 'outbound' && e.fixed === undefined);
  const delivered = rule('b3-delivered');
  assert.deepEqual(delivered.when, { '10': '035' });
  assert.equal(delivered.direction, 'inbound');
  assert.deepEqual(
    inbound(delivered).filter((e) => (e as { el: number }).el !== 9),
    inbound(rule('b3')),
  );
  const b309 = delivered.elements.find((e) => e.el === 9);
  assert.deepEqual([b309?.to, b309?.transform, b309?.direction], ['deliveredAt', 'dateOnly', undefined]);
});

test('splitsItem outside a repeating loop is a map error; a partner override of a splitting rule loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  const file = join(dir, 'x12', '210.map.yaml');
  const yaml = readFileSync(file, 'utf8');
  writeFileSync(file, yaml.replace('  - { id: c3, seg: C3,', '  - { id: c3, seg: C3, splitsItem: true,'));
  const set = loadMaps({ mapsDir: dir });
  assert.deepEqual(
    set.errors.map((e) => [e.path, e.message]),
    [['/rules/2/splitsItem', 'splitsItem is for a segment of a loop with `repeat`']],
  );
  // at7-status splits the 214 LX loop; overridden alone, it is still a rule of that loop.
  const partner = loadMaps({
    mapsDir: mapsWithPartner(at7('{ el: 2, to: reasonCode, maxLength: 2 }')),
    partnerId: 'acme',
  });
  assert.deepEqual(partner.errors, []);
});

test('initFrom fills an item of a repeating loop from a root path: without repeat, or aimed at the root, it is a map error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  const file = join(dir, 'edifact', 'D96A', 'iftsta.map.yaml');
  const yaml = readFileSync(file, 'utf8');
  // The consignment loop, without its repeat and with an initFrom aimed at the root.
  const line = "    id: consignment\n    repeat: 'events[]'\n";
  assert.ok(yaml.includes(line));
  writeFileSync(
    file,
    yaml.replace(
      line,
      '    id: consignment\n    initFrom: { $.shipmentRef.shipmentId: $.shipmentRef.shipmentId }\n',
    ),
  );
  const set = loadMaps({ mapsDir: dir });
  const errors = set.errors.map((e) => e.message);
  assert.ok(errors.includes('initFrom needs repeat: it fills new items'), errors.join('\n'));
  assert.ok(errors.includes("the field filled is the item's own, not a root path"), errors.join('\n'));
  assert.ok(set.errors.every((e) => e.file.endsWith('iftsta.map.yaml')));
});

test('an append path `list[]` is for inbound elements only; lastOf needs an element writing that list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  const file = join(dir, 'x12', '214.map.yaml');
  const yaml = readFileSync(file, 'utf8');
  const inbound = '          id: n3-in,\n          seg: N3,\n          direction: inbound,\n';
  const outbound =
    '          id: n3-second,\n          seg: N3,\n          direction: outbound,\n          lastOf: address.lines,\n';
  assert.ok(yaml.includes(inbound) && yaml.includes(outbound));
  writeFileSync(
    file,
    yaml
      .replace(inbound, '          id: n3-in,\n          seg: N3,\n')
      .replace(outbound, outbound.replace('lastOf: address.lines', 'lastOf: address.city')),
  );
  const set = loadMaps({ mapsDir: dir });
  assert.deepEqual(
    set.errors.map((e) => [e.path, e.message]),
    [
      [
        '/rules/5/rules/2/elements/0/to',
        '`[]` (append) is for inbound elements: output writes fixed indexes',
      ],
      [
        '/rules/5/rules/2/elements/1/to',
        '`[]` (append) is for inbound elements: output writes fixed indexes',
      ],
      ['/rules/5/rules/4/lastOf', 'no element of this rule writes an item of address.city ([n])'],
    ],
  );
});

test('a leftOut rule that would read or write something (elements, or not inbound only) is a map error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  const file = join(dir, 'edifact', 'D96A', 'desadv.map.yaml');
  const yaml = readFileSync(file, 'utf8');
  assert.ok(yaml.includes('  - id: rff-cn\n    seg: RFF\n'));
  writeFileSync(
    file,
    yaml.replace('  - id: rff-cn\n    seg: RFF\n', '  - id: rff-cn\n    seg: RFF\n    leftOut: no place\n'),
  );
  const set = loadMaps({ mapsDir: dir });
  assert.deepEqual(
    set.errors.map((e) => [e.path.replace(/\d+/g, 'n'), e.message]),
    [['/rules/n/leftOut', 'a leftOut rule reads nothing: direction inbound, no elements']],
  );
});

test('a leftOut element that writes, elementRepeats without repeat, skipWritten without repeat: map errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  const file = join(dir, 'edifact', 'D96A', 'desadv.map.yaml');
  const yaml = readFileSync(file, 'utf8');
  const imd = '            whileUnset: description\n';
  const part = '{ el: 3, comp: 5, leftOut: the canonical line has one description (the first part) }';
  assert.ok(yaml.includes(imd) && yaml.includes(part));
  writeFileSync(
    file,
    yaml
      .replace(imd, `${imd}            elementRepeats: 2\n            skipWritten: true\n`)
      .replace(part, '{ el: 3, comp: 5, to: note, leftOut: no place }'),
  );
  const set = loadMaps({ mapsDir: dir });
  assert.deepEqual(
    // The line rules serve two loops (a YAML anchor), so each problem is named for both: once here.
    [...new Set(set.errors.map((e) => `${e.path.replace(/\d+/g, 'n')}|${e.message}`))].map((t) =>
      t.split('|'),
    ),
    [
      ['/rules/n/rules/n/rules/n/skipWritten', 'skipWritten is for a rule with `repeat`'],
      [
        '/rules/n/rules/n/rules/n/elementRepeats',
        'elementRepeats needs repeat, and elements that read one composite (one el) into fields: no pairs, group fields, signs or date parts',
      ],
      [
        '/rules/n/rules/n/rules/n/elements/n/leftOut',
        'a leftOut element reads nothing: no to, pairs, fixed, compute or group field',
      ],
    ],
  );
});

test('mustFit without maxLength is a map error: it refuses values longer than maxLength', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maps-'));
  cpSync(MAPS_DIR, dir, { recursive: true });
  const file = join(dir, 'x12', '214.map.yaml');
  const yaml = readFileSync(file, 'utf8');
  const limit = "        to: 'references[0].qualifier'\n        maxLength: 3\n";
  assert.ok(yaml.includes(limit));
  writeFileSync(file, yaml.replace(limit, "        to: 'references[0].qualifier'\n"));
  const set = loadMaps({ mapsDir: dir });
  assert.deepEqual(
    set.errors.map((e) => [e.path.replace(/\d+/g, 'n'), e.message]),
    [['/rules/n/elements/n/mustFit', 'mustFit refuses a value longer than maxLength: it needs maxLength']],
  );
});
