/** Fixture paths resolve from the repository root: tests run there on compiled JS in dist/test/... */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sequentialControlNumbers } from '../../../src/edi/x12-writer.js';
import type { TranslateOptions } from '../../../src/edi/translate.js';

export const X12_FIXTURES = join(process.cwd(), 'test', 'fixtures', 'edi', 'x12');
export const MAPS_DIR = join(process.cwd(), 'edi-maps');

export function x12Fixture(name: string): Buffer {
  return readFileSync(join(X12_FIXTURES, name));
}

export function x12FixtureText(name: string): string {
  return readFileSync(join(X12_FIXTURES, name), 'utf8');
}

/** Inbound fixtures (not the expected acks next to them). */
export function listX12Fixtures(sub = ''): string[] {
  return readdirSync(join(X12_FIXTURES, sub))
    .filter((f) => f.endsWith('.edi') && !f.endsWith('.ack.edi'))
    .sort();
}

/** The options the golden files were produced with: a pinned clock and control numbers from 1. */
export function goldenOptions(extra: TranslateOptions = {}): TranslateOptions {
  return {
    now: () => new Date('2026-11-27T10:00:00Z'),
    acks: true,
    controlNumbers: sequentialControlNumbers(),
    mapsDir: MAPS_DIR,
    ...extra,
  };
}
