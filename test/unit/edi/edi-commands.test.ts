import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CROSSDOCK_VERSION } from '../../../src/version.js';
import { mapsWithBrokenPartner, X12_FIXTURES } from './x12-fixture-support.js';

// The compiled CLI module, wherever the tests were compiled to (dist/ or elsewhere).
const commands = fileURLToPath(new URL('../../../src/cli/edi-commands.js', import.meta.url));
const script = `import { Command } from 'commander'; import { registerEdiCommands } from ${JSON.stringify(commands)};
const p = new Command('crossdock'); registerEdiCommands(p); await p.parseAsync(process.argv.slice(1), { from: 'user' });`;

function crossdock(
  args: string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    encoding: 'utf8',
    input,
    cwd: process.cwd(),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = (name: string): string => join(X12_FIXTURES, name);

test('translate prints {interchanges, documents, diagnostics} and exits 0', () => {
  const r = crossdock(['translate', fixture('856-4010-sopi-tilde-newline.edi')]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    interchanges: unknown[];
    documents: { shipmentId: string }[];
    diagnostics: unknown[];
  };
  assert.deepEqual(
    [out.interchanges.length, out.documents[0]!.shipmentId, out.diagnostics.length],
    [1, 'SHP12345', 0],
  );
});

test('translate --ndjson streams one line per document; rejected input exits 1; bad usage exits 2', () => {
  const r = crossdock([
    'translate',
    '--ndjson',
    '--partner',
    'example-carrier',
    fixture('214-4010-dot-terminator-space-before.edi'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => l['documentType'] ?? Object.keys(l)[0]),
    // The set's warning first (its MS2, equipment, is not kept), then its two events.
    ['diagnostic', 'TrackingEvent', 'TrackingEvent', 'interchange'],
  );
  assert.equal(lines[1]!['partnerId'], 'example-carrier');
  assert.equal(crossdock(['translate', fixture('negative/se-segment-count.edi')]).status, 1);
  assert.equal(crossdock(['translate', fixture('does-not-exist.edi')]).status, 2);
  assert.equal(crossdock(['translate', '--no-such-option', 'x']).status, 2);
  const badWorkers = crossdock([
    'translate',
    '--ndjson',
    '--workers',
    'two',
    fixture('856-4010-soi-crlf.edi'),
  ]);
  assert.deepEqual(
    [badWorkers.status, badWorkers.stderr, badWorkers.stdout],
    [2, 'crossdock: --workers must be a whole number\n', ''],
  );
});

test('ack prints the acknowledgement; validate prints diagnostics only', () => {
  const ack = crossdock(['ack', fixture('negative/st-se-control-mismatch.edi')]);
  assert.equal(ack.status, 1);
  assert.match(ack.stdout, /AK5\*R\*3~/);
  assert.match(ack.stderr, /^error 3 ST_SE_CONTROL_MISMATCH: /m);
  // No UNB, no one to send a CONTRL to: no output, and the warning says why.
  const messageOnly = crossdock(['ack', join(X12_FIXTURES, '..', 'edifact', 'valid', 'message-only.edi')]);
  assert.deepEqual([messageOnly.status, messageOnly.stdout], [0, '']);
  assert.match(messageOnly.stderr, /^warning 13 CONTRL_WITHOUT_UNB: no CONTRL: the input has no UNB/m);
  const v = crossdock(['validate', fixture('negative/bsn-invalid-code.edi')]);
  assert.equal(v.status, 1);
  const out = JSON.parse(v.stdout) as { valid: boolean; documents: number; diagnostics: { rule: string }[] };
  assert.deepEqual(
    [out.valid, out.documents, out.diagnostics.map((d) => d.rule)],
    [false, 0, ['INVALID_CODE']],
  );
});

test('text after the last IEA or UNZ: documents delivered, a warning quoting it, exit 0, ack accepts', () => {
  const x12 = readFileSync(fixture('856-4010-soi-crlf.edi'), 'latin1');
  const edifact = readFileSync(
    join(X12_FIXTURES, '..', 'edifact', 'valid', 'desadv-d96a-release-char.edi'),
    'latin1',
  );
  // The DESADV's consignment-level PAC (position 9) has no place in the canonical notice.
  for (const [file, ack, notKept] of [
    [x12, /AK5\*A~/, []],
    [edifact, /^UCI\+ASN0001\+.*\+7'$/m, [['warning', 'SEGMENT_NOT_KEPT']]],
  ] as const) {
    const withText = `${file}\n-- end of transmission --\n`;
    const t = crossdock(['translate', '-'], withText);
    assert.equal(t.status, 0, t.stderr);
    const out = JSON.parse(t.stdout) as {
      documents: unknown[];
      diagnostics: { severity: string; rule: string; message: string }[];
    };
    assert.equal(out.documents.length, 1);
    assert.deepEqual(
      out.diagnostics.map((d) => [d.severity, d.rule]),
      [...notKept, ['warning', 'TEXT_OUTSIDE_INTERCHANGE']],
    );
    assert.match(out.diagnostics.at(-1)!.message, /: "-- end of transmission --"$/);
    const a = crossdock(['ack', '-'], withText);
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, ack);
    assert.match(a.stderr, /^warning \d+ TEXT_OUTSIDE_INTERCHANGE: /m);
  }
  // Segments there are an error (exit 1): documents of a group whose ISA is lost, which nothing acks.
  const lost = crossdock(['translate', '-'], `${x12}GS*SH*A*B*20261127*0930*9*X*004010~ST*856*0009~`);
  assert.equal(lost.status, 1);
  assert.match(lost.stdout, /"rule": "DATA_OUTSIDE_INTERCHANGE"/);
});

test('ack writes a CONTRL in the character set its UNB declares (UNOC: ISO 8859-1)', () => {
  // The partner's id "MÜLLER" in ISO 8859-1, as a UNOC interchange carries it; stdin keeps the bytes.
  const inbound = Buffer.from(
    "UNB+UNOC:3+MÜLLER:ZZ+CROSSDOCK:ZZ+240101:0000+R1'UNH+1+IFTSTA:D:96A:UN'UNT+2+1'UNZ+1+R1'",
    'latin1',
  );
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', 'ack', '-'], {
    input: inbound,
    cwd: process.cwd(),
  });
  // The empty IFTSTA yields no document (exit 1, UCM action 4); the envelope is what matters here.
  assert.equal(r.status, 1, r.stderr.toString());
  assert.match(r.stdout.toString('latin1'), /^UNB\+UNOC:3\+CROSSDOCK:ZZ\+MÜLLER:ZZ\+/m);
  assert.ok(r.stdout.includes(Buffer.from('UCI+R1+M\xdcLLER:ZZ+CROSSDOCK:ZZ+7', 'latin1')));
  assert.ok(!r.stdout.includes(Buffer.from('Ü', 'utf8')), 'no UTF-8 under UNOC');
});

test('render reads canonical JSON from stdin and writes X12', () => {
  const translated = JSON.parse(crossdock(['translate', fixture('210-4010-wrapped-80.edi')]).stdout) as {
    documents: unknown[];
  };
  const r = crossdock(
    ['render', '--to', 'x12-210', '--sender', 'ZZ:CROSSDOCK', '--receiver', 'ZZ:ACME', '-'],
    JSON.stringify(translated.documents),
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ISA\*00\*.*\*ZZ\*CROSSDOCK {6}\*ZZ\*ACME {11}\*/);
  assert.match(r.stdout, /B3\*\*INV-2026-001\*SHP12345\*PP\*\*20261130\*125075\*\*20261129\*035\*ABCD~/);
  assert.equal(crossdock(['render', '--to', 'x12-999', '-'], '{}').status, 2);
  assert.equal(crossdock(['render', '--to', 'x12-856', '-'], 'not json').status, 2);
  const none = crossdock(['render', '--to', 'x12-856', '-'], '[]');
  assert.equal(none.status, 2);
  assert.match(none.stderr, /holds no documents/);
  assert.equal(crossdock(['render', '--to', 'x12-856', '-'], '{"documentType":"ShipmentNotice"}').status, 1);
});

test('translate - reads stdin', () => {
  const asn = crossdock(['translate', '-'], readFileSync(fixture('856-4010-soi-crlf.edi'), 'utf8'));
  assert.equal(asn.status, 0, asn.stderr);
  assert.equal((JSON.parse(asn.stdout) as { documents: unknown[] }).documents.length, 1);
});

test('a broken or unknown partner, or a broken map, is a configuration error: exit 2, file, path and problem', () => {
  const maps = mapsWithBrokenPartner();
  const input = readFileSync(fixture('856-4010-soi-crlf.edi'), 'utf8');
  const partnerFile = join(maps, 'partners', 'broken', 'partner.yaml');
  const broken = `crossdock: ${partnerFile} at /maps/x12-214/rules/no-such-rule: no rule with id "no-such-rule" in ${join('x12', '214.map.yaml')}\n`;
  for (const command of ['translate', 'validate', 'ack'])
    assert.deepEqual(
      crossdock([command, '--maps', maps, '--partner', 'broken', '-'], input),
      { status: 2, stdout: '', stderr: broken },
      command,
    );
  assert.deepEqual(crossdock(['translate', '--ndjson', '--maps', maps, '--partner', 'broken', '-'], input), {
    status: 2,
    stdout: '',
    stderr: broken,
  });
  assert.deepEqual(
    crossdock(['render', '--to', 'x12-856', '--maps', maps, '--partner', 'broken', '-'], '{}'),
    {
      status: 2,
      stdout: '',
      stderr: broken,
    },
  );
  writeFileSync(partnerFile, 'timezone: America/Chicago\n');
  assert.deepEqual(crossdock(['translate', '--maps', maps, '--partner', 'broken', '-'], input), {
    status: 2,
    stdout: '',
    stderr: `crossdock: ${partnerFile} at /timezone: unknown key "timezone"\n`,
  });
  assert.deepEqual(crossdock(['translate', '--maps', maps, '--partner', 'acme', '-'], input), {
    status: 2,
    stdout: '',
    stderr: `crossdock: unknown partner "acme": no ${join(maps, 'partners', 'acme', 'partner.yaml')} (partners: broken, example-carrier)\n`,
  });
  writeFileSync(join(maps, 'x12', '214.map.yaml'), 'name: x12-214\n');
  assert.deepEqual(crossdock(['translate', '--maps', maps, '-'], input), {
    status: 2,
    stdout: '',
    stderr: ['standard', 'message', 'documentType', 'rules']
      .map((p) => `crossdock: ${join(maps, 'x12', '214.map.yaml')}: must have required property '${p}'\n`)
      .join(''),
  });
});

test('the crossdock entry point loads only the EDI engine for an EDI command, the gateway for the others', () => {
  const main = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
  // Records every module the process resolves, and prints the gateway's among them on exit.
  const watch = `import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.add(r.url); return r; } });
process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify([...seen].filter((u) => /@nestjs|typeorm|pg-boss/.test(u)).length) + '\\n'));`;
  const run = (args: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(watch)}`, main, ...args],
      {
        encoding: 'utf8',
      },
    );
  const translate = run(['translate', '--ndjson', fixture('856-4010-soi-crlf.edi')]);
  assert.equal(translate.status, 0, translate.stderr);
  assert.equal(JSON.parse(translate.stdout.split('\n')[0]!).documentType, 'ShipmentNotice');
  assert.match(translate.stderr, /LOADED 0\n/);
  const help = run(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /start .*\n[\s\S]*translate /);
  assert.doesNotMatch(help.stderr, /LOADED 0\n/);
});

test('render --version is the X12 or EDIFACT version, not the program version; bad ids are usage errors', () => {
  const main = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', input });
  const translated = JSON.parse(crossdock(['translate', fixture('210-4010-wrapped-80.edi')]).stdout) as {
    documents: unknown[];
  };
  const doc = JSON.stringify(translated.documents[0]);
  const r = run(['render', '--to', 'x12-210', '--version', '005010', '-'], doc);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^ISA\*00\*(?:[^*]*\*){10}00501\*000000001\*0\*P\*>~GS\*IM\*CROSSDOCK\*PARTNER\*\d{8}\*\d{4}\*1\*X\*005010~ST\*210\*0001~/,
  );
  assert.deepEqual([run(['--version']).stdout, run(['-v']).status], [`${CROSSDOCK_VERSION}\n`, 0]);
  const long = run(['render', '--to', 'x12-210', '--sender', 'ZZ:THISISWAYTOOLONGID', '-'], doc);
  assert.deepEqual(
    [long.status, long.stdout, long.stderr],
    [2, '', 'crossdock: sender id "THISISWAYTOOLONGID": ISA06 and GS02 take 2 to 15 characters, not 18\n'],
  );
  const star = crossdock(['render', '--to', 'x12-210', '--receiver', 'ZZ:A*B', '-'], doc);
  assert.deepEqual(star, {
    status: 2,
    stdout: '',
    stderr: 'crossdock: receiver id "A*B" contains "*", an X12 delimiter (* > ^ ~)\n',
  });
  const desadv = readFileSync(
    join(process.cwd(), 'test/fixtures/edi/edifact/valid/desadv-d96a-release-char.canonical.json'),
    'utf8',
  );
  const edifact = crossdock(
    ['render', '--to', 'edifact-desadv', '--sender', '5412345000013:14', '-'],
    desadv,
  );
  assert.equal(edifact.status, 0, edifact.stderr);
  assert.match(
    edifact.stdout,
    /^UNB\+UNOC:3\+5412345000013:14\+PARTNER\+\d{6}:\d{4}\+1\+\+\+\+\+\+1'UNH\+1\+DESADV:D:96A:UN'/,
  );
});

test('translate keeps the documents of a rejected group apart (rejectedDocuments); --ndjson says so after them', () => {
  const r = crossdock(['translate', fixture('negative/gs-ge-control-mismatch.edi')]);
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout) as { documents: unknown[]; rejectedDocuments: { shipmentId: string }[] };
  assert.deepEqual(
    [out.documents.length, out.rejectedDocuments.map((d) => d.shipmentId)],
    [0, ['SHP-REPL-1']],
  );
  const accepted = JSON.parse(
    crossdock(['translate', fixture('856-4010-sopi-tilde-newline.edi')]).stdout,
  ) as object;
  assert.equal('rejectedDocuments' in accepted, false);

  const nd = crossdock(['translate', '--ndjson', fixture('negative/gs-ge-control-mismatch.edi')]);
  assert.equal(nd.status, 1);
  assert.deepEqual(
    nd.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { documentType?: string; diagnostic?: { rule: string }; interchange?: object },
      )
      .map((l) => l.documentType ?? l.diagnostic?.rule ?? (l.interchange ? 'interchange' : '?')),
    ['ShipmentNotice', 'GS_GE_CONTROL_MISMATCH', 'DOCUMENTS_REJECTED', 'interchange'],
  );
});

test('render writes the bytes the UNB declares: UNOC as ISO 8859-1, --syntax UNOW as UTF-8', () => {
  const doc = readFileSync(
    join(process.cwd(), 'test', 'fixtures', 'edi', 'edifact', 'valid', 'invoic-unoc-cp1252.canonical.json'),
    'utf8',
  );
  const bytes = (args: string[]): Buffer => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
      input: doc,
      cwd: process.cwd(),
    });
    assert.equal(r.status, 0, r.stderr.toString());
    return r.stdout;
  };
  const unoc = bytes(['render', '--to', 'edifact-invoic', '-']);
  assert.match(unoc.toString('latin1'), /^UNB\+UNOC:3\+.*BGM\+380\+R-ÄÖÜ-1\+9'/);
  assert.ok(unoc.includes(Buffer.from([0xc4, 0xd6, 0xdc])), 'Ä Ö Ü as one byte each');
  const unow = bytes(['render', '--to', 'edifact-invoic', '--syntax', 'UNOW', '-']);
  assert.match(unow.toString('utf8'), /^UNA:\+\.\?\*'UNB\+UNOW:4\+.*BGM\+380\+R-ÄÖÜ-1\+9'/);
  const refused = crossdock(['render', '--to', 'edifact-invoic', '--syntax', 'UNOA', '-'], doc);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /error CHARACTER_NOT_IN_SYNTAX: .*is not in syntax identifier UNOA/);
  assert.equal(refused.stdout, '');
});
