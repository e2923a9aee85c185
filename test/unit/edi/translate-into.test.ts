import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  translateInto,
  translateStream,
  type EdiInput,
  type TranslateOptions,
  type TranslationEvent,
} from '../../../src/edi/translate.js';
import { FIXTURES as EDIFACT_FIXTURES } from './edifact-fixture-support.js';
import {
  generatedInterchanges,
  goldenOptions,
  listX12Fixtures,
  mapsWithBrokenPartner,
  x12Fixture,
} from './x12-fixture-support.js';

async function viaStream(input: EdiInput, options: TranslateOptions): Promise<TranslationEvent[]> {
  const events: TranslationEvent[] = [];
  for await (const ev of translateStream(input, options)) events.push(ev);
  return events;
}

async function viaSink(input: EdiInput, options: TranslateOptions): Promise<TranslationEvent[]> {
  const events: TranslationEvent[] = [];
  await translateInto(input, { event: (ev) => void events.push(ev) }, options);
  return events;
}

/** Both drivers on the same input, each with its own pinned clock and control numbers. */
async function assertSameEvents(
  input: () => EdiInput,
  extra: TranslateOptions = {},
  label = '',
): Promise<void> {
  const expected = await viaStream(input(), goldenOptions(extra));
  assert.deepEqual(await viaSink(input(), goldenOptions(extra)), expected, label);
}

const edifactFixtures = (): string[] =>
  ['valid', 'negative'].flatMap((dir) =>
    readdirSync(join(EDIFACT_FIXTURES, dir))
      .filter((f) => f.endsWith('.edi'))
      .map((f) => join(EDIFACT_FIXTURES, dir, f)),
  );

test('translateInto hands on the events translateStream yields, in the same order, for every fixture', async () => {
  const x12 = [...listX12Fixtures(), ...listX12Fixtures('negative').map((f) => `negative/${f}`)];
  assert.ok(x12.length > 10 && edifactFixtures().length > 10);
  for (const name of x12) {
    for (const acks of [true, false]) await assertSameEvents(() => x12Fixture(name), { acks }, name);
  }
  for (const file of edifactFixtures()) {
    for (const acks of [true, false]) await assertSameEvents(() => readFileSync(file), { acks }, file);
  }
  // Interchanges with rejected sets, fed in odd-sized chunks.
  const text = generatedInterchanges(3, 9);
  await assertSameEvents(() => Readable.from(text.match(/[^]{1,777}/g)!.map((c) => Buffer.from(c))));
});

test('translateInto reports what translateStream reports for empty, unknown and failing input', async () => {
  await assertSameEvents(() => '  \n ');
  await assertSameEvents(() => 'hello world');
  const failing = (): Readable =>
    new Readable({
      read() {
        this.push(x12Fixture('856-4010-sopi-tilde-newline.edi').subarray(0, 300));
        this.destroy(new Error('EIO: disk went away'));
      },
    });
  await assertSameEvents(failing);
  const events = await viaSink(failing(), goldenOptions());
  assert.ok(events.some((ev) => ev.type === 'diagnostic' && ev.diagnostic.rule === 'INPUT_UNREADABLE'));
});

test('translateInto reports a broken partner file and nothing else, as translateStream does', async () => {
  const maps = mapsWithBrokenPartner();
  const options = { mapsDir: maps, partnerId: 'broken' };
  const input = (): Buffer => x12Fixture('856-4010-soi-crlf.edi');
  await assertSameEvents(input, options);
  const events = await viaSink(input(), goldenOptions(options));
  assert.deepEqual(
    events.map((ev) => ev.type === 'diagnostic' && [ev.diagnostic.severity, ev.diagnostic.rule]),
    [['error', 'PARTNER_INVALID']],
  );
});

test('settle holds the translation between steps, and false stops it', async () => {
  const text = generatedInterchanges(5, 10);
  let settled = 0;
  const seen: string[] = [];
  await translateInto(
    text,
    {
      event: (ev) => void seen.push(ev.type),
      settle: async () => {
        settled++;
        await new Promise((resolve) => setImmediate(resolve));
        return seen.filter((t) => t === 'interchange').length < 2;
      },
    },
    goldenOptions({ acks: false }),
  );
  assert.equal(seen.filter((t) => t === 'interchange').length, 2, 'stopped after the second interchange');
  assert.equal(seen.at(-1), 'interchange');
  assert.ok(settled >= 2);
  const all = await viaStream(text, goldenOptions({ acks: false }));
  assert.ok(seen.length < all.length);
});

test("a sink's error is the caller's: thrown on, not turned into a TRANSLATION_FAILED diagnostic", async () => {
  const seen: TranslationEvent[] = [];
  await assert.rejects(
    translateInto(
      x12Fixture('856-4010-soi-crlf.edi'),
      {
        event: (ev) => {
          seen.push(ev);
          if (ev.type === 'document') throw new Error('sink full');
        },
      },
      goldenOptions(),
    ),
    /sink full/,
  );
  assert.ok(!seen.some((ev) => ev.type === 'diagnostic' && ev.diagnostic.rule === 'TRANSLATION_FAILED'));
});
