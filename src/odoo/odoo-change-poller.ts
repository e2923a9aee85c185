/**
 * Batch sync from Odoo: `search_read` on `write_date` with a cursor the caller stores, so that no
 * change is skipped and none is handed out twice, across restarts.
 *
 * Two Odoo facts shape it. `write_date` is read back to the second while domains compare the stored
 * microseconds, so the cursor re-reads its last second and drops what it already handed out. And
 * `write_date` is the writing transaction's start time, so a long transaction can commit a change
 * "in the past": each poll looks back `overlapSeconds` and remembers what it saw in that window.
 */
import { createHash } from 'node:crypto';
import type { OdooClient, OdooDomain } from './odoo-client.js';
import { searchRead, type OdooRecord } from './odoo-records.js';

export interface OdooChangeCursor {
  /** The newest `write_date` handed out (Odoo's `YYYY-MM-DD HH:MM:SS`), or null before the first poll. */
  readonly since: string | null;
  /** Versions handed out inside the look-back window (`id@write_date#content hash`). */
  readonly seen: readonly string[];
}

export const INITIAL_ODOO_CURSOR: OdooChangeCursor = { since: null, seen: [] };

export interface OdooChangePollOptions {
  readonly model: string;
  readonly domain?: OdooDomain;
  readonly fields: readonly string[];
  /** Most changes returned per poll. */
  readonly limit?: number;
  /** How far back each poll looks for late commits; longer than Odoo's longest transaction. */
  readonly overlapSeconds?: number;
  readonly pageSize?: number;
}

export interface OdooChangePollResult {
  /** Changed records, oldest change first; a record changed twice between polls comes once, as it is now. */
  readonly records: readonly OdooRecord[];
  /** Store it with the work the records cause, then pass it to the next poll. */
  readonly cursor: OdooChangeCursor;
}

export async function pollOdooChanges(
  client: OdooClient,
  options: OdooChangePollOptions,
  cursor: OdooChangeCursor = INITIAL_ODOO_CURSOR,
): Promise<OdooChangePollResult> {
  const limit = options.limit ?? 100;
  const overlap = options.overlapSeconds ?? 300;
  const pageSize = options.pageSize ?? Math.max(limit, 100);
  const fields = [...new Set([...options.fields, 'write_date'])];
  const lowerBound = cursor.since === null ? undefined : shiftSeconds(cursor.since, -overlap);
  const domain: OdooDomain = [
    ...(options.domain ?? []),
    ...(lowerBound === undefined ? [] : [['write_date', '>=', lowerBound] as const]),
  ];
  const seen = new Set(cursor.seen);
  const fresh: OdooRecord[] = [];
  for (let offset = 0; fresh.length < limit; offset += pageSize) {
    const page = await searchRead(client, options.model, domain, fields, {
      order: 'write_date asc, id asc',
      limit: pageSize,
      offset,
    });
    for (const record of page) {
      const key = versionKey(record);
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push(record);
      if (fresh.length === limit) break;
    }
    if (page.length < pageSize) break;
  }

  const newest = fresh.reduce<string | null>((max, r) => {
    const at = String(r['write_date']);
    return max === null || at > max ? at : max;
  }, cursor.since);
  const keepFrom = newest === null ? undefined : shiftSeconds(newest, -overlap);
  const kept = [...seen].filter((key) => keepFrom === undefined || writeDateOf(key) >= keepFrom);
  return { records: fresh, cursor: { since: newest, seen: kept } };
}

function versionKey(record: OdooRecord): string {
  // The content hash tells apart two changes within one second, which write_date alone cannot.
  const hash = createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 12);
  return `${record.id}@${String(record['write_date'])}#${hash}`;
}

function writeDateOf(key: string): string {
  return key.slice(key.indexOf('@') + 1, key.indexOf('#'));
}

function shiftSeconds(odooDatetime: string, seconds: number): string {
  const ms = Date.parse(`${odooDatetime.replace(' ', 'T')}Z`) + seconds * 1000;
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
