import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    ['TrackingEvent', 'TrackingEvent', 'interchange'],
  );
  assert.equal(lines[0]!['partnerId'], 'example-carrier');
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
  const v = crossdock(['validate', fixture('negative/bsn-invalid-code.edi')]);
  assert.equal(v.status, 1);
  const out = JSON.parse(v.stdout) as { valid: boolean; documents: number; diagnostics: { rule: string }[] };
  assert.deepEqual(
    [out.valid, out.documents, out.diagnostics.map((d) => d.rule)],
    [false, 0, ['INVALID_CODE']],
  );
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
  assert.equal(crossdock(['render', '--to', 'x12-856', '-'], '{"documentType":"ShipmentNotice"}').status, 1);
});

test('translate - reads stdin; a broken partner override is a warning until a map it breaks is needed', () => {
  const maps = mapsWithBrokenPartner();
  const asn = crossdock(
    ['translate', '--maps', maps, '--partner', 'broken', '-'],
    readFileSync(fixture('856-4010-soi-crlf.edi'), 'utf8'),
  );
  assert.equal(asn.status, 0, asn.stderr);
  const out = JSON.parse(asn.stdout) as {
    documents: unknown[];
    diagnostics: { severity: string; rule: string; message: string }[];
  };
  assert.equal(out.documents.length, 1);
  assert.deepEqual(
    out.diagnostics.map((d) => [d.severity, d.rule]),
    [['warning', 'MAP_INVALID']],
  );
  assert.match(
    out.diagnostics[0]!.message,
    /partners\/broken\/partner\.yaml at \/maps\/x12-214\/rules\/no-such-rule/,
  );
  const status = crossdock([
    'translate',
    '--maps',
    maps,
    '--partner',
    'broken',
    fixture('214-5010-appointment-crlf.edi'),
  ]);
  assert.equal(status.status, 1);
  assert.ok(
    (JSON.parse(status.stdout) as { diagnostics: { rule: string }[] }).diagnostics.some(
      (d) => d.rule === 'NO_MAP',
    ),
  );
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
