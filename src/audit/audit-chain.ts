import { hash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';
import type { AuditEntry } from './audit-event.js';

/** The `prevHash` of every chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

type Unchained = Omit<AuditEntry, 'hash' | 'prevHash'>;

/**
 * The bytes an entry's hash covers: every field, in a fixed order, tenant and sequence number
 * included, so that moving an entry to another place or chain breaks it as surely as editing it.
 * It is the canonical JSON of that field list. Every field but `details` is a string, number,
 * null or list of strings, whose canonical JSON is plain `JSON.stringify`: only `details` takes
 * the key-sorting walk (the batch writer hashes every entry, so this is per request).
 */
export function canonicalEntry(entry: Unchained): string {
  const fields = JSON.stringify([
    'crossdock-audit-v1',
    entry.id,
    entry.tenantId,
    entry.seq,
    entry.occurredAt.toISOString(),
    entry.kind,
    entry.action,
    entry.clientId,
    entry.partnerId,
    entry.sourceIp,
    entry.userAgent,
    entry.method,
    entry.route,
    entry.path,
    entry.resourceType,
    entry.resourceId,
    entry.status,
    entry.scopes,
    entry.correlationId,
    entry.latencyMs,
    entry.bytesIn,
    entry.bytesOut,
    entry.reason,
  ]);
  return `${fields.slice(0, -1)},${canonicalJson(entry.details)}]`;
}

/** hash = sha256(previous hash ‖ canonical entry), hex. */
export function entryHash(prevHash: string, entry: Unchained): string {
  return hash('sha256', `${prevHash}\n${canonicalEntry(entry)}`, 'hex');
}

/** Links an entry after `prevHash`. */
export function chainEntry(prevHash: string, entry: Unchained): AuditEntry {
  return { ...entry, prevHash, hash: entryHash(prevHash, entry) };
}
