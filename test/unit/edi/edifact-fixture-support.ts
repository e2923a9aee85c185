/**
 * Shared by the EDIFACT tests: fixture paths (from the repo root, where tests run), byte streams
 * cut into arbitrary chunks, and a stable JSON view of reader events for golden files.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EdifactReadEvent, EdifactReadOptions } from '../../../src/edi/edifact-reader.js';
import { readEdifact } from '../../../src/edi/edifact-reader.js';

export const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'edi', 'edifact');

export const fixture = (...parts: string[]): string => join(FIXTURES, ...parts);

/** The golden canonical documents of a valid fixture (`name` without `.canonical.json`). */
export const canonicalDocuments = (name: string): Record<string, unknown>[] =>
  JSON.parse(readFileSync(fixture('valid', `${name}.canonical.json`), 'utf8')) as Record<string, unknown>[];

/** Yields `data` in chunks of `size` bytes, like a file or socket stream would. */
export async function* chunked(data: Buffer | string, size = 64 * 1024): AsyncGenerator<Buffer> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function readAll(
  data: Buffer | string,
  options: EdifactReadOptions & { chunkSize?: number } = {},
): Promise<EdifactReadEvent[]> {
  const events: EdifactReadEvent[] = [];
  for await (const event of readEdifact(chunked(data, options.chunkSize), options)) events.push(event);
  return events;
}

/** JSON with Maps as entry arrays, so segment repetitions survive into golden files. */
export function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...v.entries()] : v)));
}

/**
 * Compares `actual` with the golden file; `UPDATE_GOLDEN=1` rewrites it instead (review the diff!).
 * Returns the parsed golden value.
 */
export function golden(path: string, actual: unknown, asText = false): unknown {
  const serialized = asText ? String(actual) : JSON.stringify(toJson(actual), null, 2) + '\n';
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) {
    if (process.env['UPDATE_GOLDEN'] !== '1')
      throw new Error(`golden file missing: ${path} (run with UPDATE_GOLDEN=1)`);
    writeFileSync(path, serialized);
  }
  const expected = readFileSync(path, 'utf8');
  return asText ? expected : JSON.parse(expected);
}

/** One interchange holding one message of `type` in `directory` (D96A, D01B) with `body` between UNH and UNT. */
export function edifactMessage(type: string, directory: string, body: readonly string[]): string {
  const segments = [`UNH+1+${type}:D:${directory.slice(1)}:UN`, ...body];
  return `UNB+UNOC:3+SENDER:ZZ+RECEIVER:ZZ+240305:1415+REF1'${segments.join("'")}'UNT+${segments.length + 1}+1'UNZ+1+REF1'`;
}
