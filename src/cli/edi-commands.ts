/**
 * `crossdock translate | ack | render | validate`: the EDI engine from the command line. Exit codes:
 * 0 translated (warnings allowed), 1 rejected (errors), 2 usage, unreadable input or configuration
 * (a broken map or partner file, a --partner without a file, an id the envelope cannot hold). Output is
 * streamed with back-pressure, and the exit code is set, never forced, so stdout is always flushed.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { errorText } from '../edi/edi-diagnostic.js';
import type { Diagnostic } from '../edi/edi-types.js';
import { translateToNdjson } from '../edi/parallel-translate.js';
import { loadMaps } from '../edi/map-loader.js';
import type { JsonObject } from '../edi/map-paths.js';
import { renderParties, type RenderTarget } from '../edi/render-document.js';
import {
  ackFor,
  DocumentRejections,
  renderDocument,
  RENDER_TARGETS,
  translateStream,
  type InterchangeInfo,
  type TranslateOptions,
} from '../edi/translate.js';

const EXIT_OK = 0;
const EXIT_REJECTED = 1;
const EXIT_USAGE = 2;

interface CommonOptions {
  partner?: string;
  tenant?: string;
  timeZone?: string;
  lenientIsa?: boolean;
  maps?: string;
}

let stdoutClosed = false;
let stdoutWatched = false;

/** A reader that went away (`| head`) ends output quietly, not with EPIPE. */
function watchStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') stdoutClosed = true;
    else throw err;
  });
}

/** Writes with back-pressure. */
function write(text: string | Uint8Array): Promise<void> {
  watchStdout();
  if (stdoutClosed) return Promise.resolve();
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else {
      const done = (): void => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        resolve();
      };
      process.stdout.once('drain', done);
      process.stdout.once('error', done);
    }
  });
}

/** Opens FILE or stdin (`-`); an unreadable file is exit code 2 with a message on stderr. */
async function openInput(file: string): Promise<Readable | undefined> {
  if (file === '-') return process.stdin;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a regular file');
    // 64 KB chunks (the default): bigger ones only raise peak memory, not throughput.
    const stream = createReadStream(file);
    // Fail fast on permissions before any output is written.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  } catch (err) {
    process.stderr.write(`crossdock: cannot read ${file}: ${errorText(err)}\n`);
    process.exitCode = EXIT_USAGE;
    return undefined;
  }
}

function translateOptions(o: CommonOptions): TranslateOptions {
  return {
    ...(o.partner ? { partnerId: o.partner } : {}),
    ...(o.tenant ? { tenantId: o.tenant } : {}),
    ...(o.timeZone ? { timeZone: o.timeZone } : {}),
    ...(o.lenientIsa ? { lenientIsa: true } : {}),
    ...(o.maps ? { mapsDir: o.maps } : {}),
    channel: 'cli',
  };
}

/**
 * Whether the maps (and the --partner file) load: a broken map or partner file, or a partner with
 * no file, is a configuration mistake, so exit code 2 with each problem on stderr, before any input.
 */
function mapsLoad(o: CommonOptions): boolean {
  const set = loadMaps({
    ...(o.maps ? { mapsDir: o.maps } : {}),
    ...(o.partner ? { partnerId: o.partner } : {}),
  });
  const problems = set.errors.map(
    (e) => `${join(set.mapsDir, e.file)}${e.path ? ` at ${e.path}` : ''}: ${e.message}`,
  );
  if (o.partner && !set.partnerFile && set.partnerErrors.length === 0) {
    const dir = join(set.mapsDir, 'partners');
    const known = existsSync(dir)
      ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'partner.yaml')))
      : [];
    problems.push(
      `unknown partner "${o.partner}": no ${join(dir, o.partner, 'partner.yaml')} (partners: ${known.sort().join(', ') || 'none'})`,
    );
  }
  for (const p of problems) process.stderr.write(`crossdock: ${p}\n`);
  if (problems.length > 0) process.exitCode = EXIT_USAGE;
  return problems.length === 0;
}

const hasErrors = (diags: readonly Diagnostic[]): boolean => diags.some((d) => d.severity === 'error');

function withCommonOptions(cmd: Command): Command {
  return cmd
    .option(
      '--partner <id>',
      "apply edi-maps/partners/<id>/partner.yaml (which must exist and be valid); the documents' partnerId",
    )
    .option('--tenant <id>', 'tenantId of the documents', 'default')
    .option('--time-zone <iana>', 'time zone for EDI dates without a time code (e.g. America/Chicago)')
    .option('--lenient-isa', 'accept a trimmed (not fixed-width) ISA with a warning instead of TA1 024')
    .option('--maps <dir>', 'maps directory (default: edi-maps/ of this checkout, or CROSSDOCK_MAPS_DIR)')
    .exitOverride((err) => {
      // Usage errors happen before any output, so exiting here cannot cut a stream short.
      process.exit(err.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
    });
}

/**
 * `--workers` as given, else none: the serial path keeps memory flat whatever the file size (each
 * worker has its own heap: two cost about 2.5x the RSS for about 1.4x the speed on 200 MB).
 */
function workersFor(given: string | undefined): number | undefined {
  if (given === undefined) return 0;
  const n = Number(given);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

async function runTranslate(
  file: string,
  o: CommonOptions & { ndjson?: boolean; workers?: string },
): Promise<void> {
  const workers = workersFor(o.workers);
  if (workers === undefined) {
    process.stderr.write(`crossdock: --workers must be a whole number\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (!mapsLoad(o)) return;
  const input = await openInput(file);
  if (!input) return;
  let errors = false;
  if (o.ndjson) {
    // One JSON object per line: documents as they come, diagnostics and interchange summaries tagged.
    // The same bytes whether worker threads translate or not.
    watchStdout();
    const summary = await translateToNdjson(input, process.stdout, { ...translateOptions(o), workers });
    errors = summary.errors > 0;
  } else {
    const interchanges: InterchangeInfo[] = [];
    const translated: JsonObject[] = [];
    const diagnostics: Diagnostic[] = [];
    const rejections = new DocumentRejections();
    for await (const ev of translateStream(input, translateOptions(o))) {
      rejections.observe(ev);
      if (ev.type === 'document') translated.push(ev.document);
      else if (ev.type === 'diagnostic') diagnostics.push(ev.diagnostic);
      else if (ev.type === 'interchange') interchanges.push(ev.interchange);
    }
    errors = hasErrors(diagnostics);
    // `documents` holds what may be processed; those of a rejected interchange or group stand apart.
    const documents = translated.filter((d) => !rejections.reasonFor(d));
    const rejectedDocuments = translated.filter((d) => rejections.reasonFor(d));
    await write(
      `${JSON.stringify({ interchanges, documents, ...(rejectedDocuments.length > 0 ? { rejectedDocuments } : {}), diagnostics }, null, 2)}\n`,
    );
  }
  process.exitCode = errors ? EXIT_REJECTED : EXIT_OK;
}

async function runValidate(file: string, o: CommonOptions): Promise<void> {
  if (!mapsLoad(o)) return;
  const input = await openInput(file);
  if (!input) return;
  const diagnostics: Diagnostic[] = [];
  let documents = 0;
  for await (const ev of translateStream(input, translateOptions(o))) {
    if (ev.type === 'diagnostic') diagnostics.push(ev.diagnostic);
    else if (ev.type === 'document') documents++;
  }
  await write(`${JSON.stringify({ valid: !hasErrors(diagnostics), documents, diagnostics }, null, 2)}\n`);
  process.exitCode = hasErrors(diagnostics) ? EXIT_REJECTED : EXIT_OK;
}

async function runAck(file: string, o: CommonOptions): Promise<void> {
  if (!mapsLoad(o)) return;
  const input = await openInput(file);
  if (!input) return;
  const r = await ackFor(input, translateOptions(o));
  // The bytes, not the text: a CONTRL is in the character set its UNB declares (UNOC is ISO 8859-1).
  if (r.text) await write(r.text.endsWith('\n') ? r.bytes : Buffer.concat([r.bytes, Buffer.from('\n')]));
  // Warnings too: they say why there is no acknowledgement at all (a CONTRL without UNB).
  for (const d of r.diagnostics.filter((x) => x.severity !== 'info'))
    process.stderr.write(`${d.severity}${d.code ? ` ${d.code}` : ''} ${d.rule}: ${d.message}\n`);
  process.exitCode = hasErrors(r.diagnostics) ? EXIT_REJECTED : EXIT_OK;
}

/** `crossdock render`'s options. */
type RenderCliOptions = CommonOptions & {
  to: string;
  sender?: string;
  receiver?: string;
  version?: string;
  usage?: string;
  syntax?: string;
};

async function runRender(file: string, o: RenderCliOptions): Promise<void> {
  if (!(RENDER_TARGETS as readonly string[]).includes(o.to)) {
    process.stderr.write(`crossdock: --to must be one of ${RENDER_TARGETS.join(', ')}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const parties = renderParties(o.to as RenderTarget, o);
  if ('problems' in parties) {
    for (const p of parties.problems) process.stderr.write(`crossdock: ${p}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (!mapsLoad(o)) return;
  let text: string;
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
      text = Buffer.concat(chunks).toString('utf8');
    } else text = await readFile(file, 'utf8');
  } catch (err) {
    process.stderr.write(`crossdock: cannot read ${file}: ${errorText(err)}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    process.stderr.write(`crossdock: ${file} is not JSON: ${errorText(err)}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (Array.isArray(doc) && doc.length === 0) {
    process.stderr.write(`crossdock: ${file} holds no documents (an empty array): nothing to render\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const r = renderDocument(doc, o.to, {
    ...(o.sender ? { sender: o.sender } : {}),
    ...(o.receiver ? { receiver: o.receiver } : {}),
    ...(o.partner ? { partnerId: o.partner } : {}),
    ...(o.maps ? { mapsDir: o.maps } : {}),
    ...(o.timeZone ? { timeZone: o.timeZone } : {}),
    ...(o.version ? { version: o.version } : {}),
    ...(o.usage === 'T' || o.usage === 'P' ? { usage: o.usage } : {}),
    ...(o.syntax ? { syntaxIdentifier: o.syntax } : {}),
  });
  for (const d of r.diagnostics) process.stderr.write(`${d.severity} ${d.rule}: ${d.message}\n`);
  // The bytes, not the text: they are in the character set the interchange declares (UNOC is ISO 8859-1).
  if (r.text) await write(r.text.endsWith('\n') ? r.bytes : Buffer.concat([r.bytes, Buffer.from('\n')]));
  process.exitCode = hasErrors(r.diagnostics) ? EXIT_REJECTED : EXIT_OK;
}

/** The commands `registerEdiCommands` adds: the CLI loads only the engine for them. */
export const EDI_COMMAND_NAMES: readonly string[] = ['translate', 'ack', 'render', 'validate'];

export function registerEdiCommands(program: Command): void {
  withCommonOptions(
    program
      .command('translate')
      .description('translate X12 or EDIFACT to canonical JSON {interchanges, documents, diagnostics}')
      .argument('<file>', 'input file, or - for stdin')
      .option('--ndjson', 'stream one JSON document per line (for big files)')
      .option(
        '--workers <n>',
        'with --ndjson: worker threads for X12 interchanges (default 0: one thread, flat memory)',
      ),
  ).action((file: string, o: CommonOptions & { ndjson?: boolean; workers?: string }) =>
    runTranslate(file, o),
  );

  withCommonOptions(
    program
      .command('ack')
      .description('print the 997/999 (and TA1 when due) or CONTRL for an input')
      .argument('<file>', 'input file, or - for stdin'),
  ).action((file: string, o: CommonOptions) => runAck(file, o));

  withCommonOptions(
    program
      .command('render')
      .description('render canonical JSON (one document or an array) as EDI')
      .argument('<file>', 'canonical JSON file, or - for stdin')
      .requiredOption('--to <target>', RENDER_TARGETS.join('|'))
      .option(
        '--sender <id>',
        'our id: QQ:ID for X12 (ISA qualifier, ZZ when none; 2-15 characters), ID[:QUALIFIER] for EDIFACT (UNB S002, e.g. 5412345000013:14)',
      )
      .option('--receiver <id>', 'partner id, same forms as --sender (UNB S003 for EDIFACT)')
      .option('--version <v>', 'X12 GS08 (004010, 005010) or EDIFACT directory (D96A, D01B)')
      .option('--usage <T|P>', 'test or production indicator (default: from source.environment)')
      .option(
        '--syntax <id>',
        'EDIFACT UNB syntax identifier the partner reads: UNOA, UNOB, UNOC (default, ISO 8859-1), UNOW or UNOY (UTF-8, syntax 4)',
      ),
  ).action((file: string, o: RenderCliOptions) => runRender(file, o));

  withCommonOptions(
    program
      .command('validate')
      .description('check an X12 or EDIFACT input; print diagnostics only')
      .argument('<file>', 'input file, or - for stdin'),
  ).action((file: string, o: CommonOptions) => runValidate(file, o));
}
