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
 * `occurredAt`: the entry's time as ISO text, when the caller has it already.
 */
export function canonicalEntry(entry: Unchained, occurredAt = entry.occurredAt.toISOString()): string {
  const fields = JSON.stringify([
    'crossdock-audit-v1',
    entry.id,
    entry.tenantId,
    entry.seq,
    occurredAt,
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
    // null's canonical JSON is its JSON; other details replace the placeholder 0 with theirs.
    entry.details === null ? null : 0,
  ]);
  return entry.details === null ? fields : `${fields.slice(0, -2)}${canonicalJson(entry.details)}]`;
}

/** hash = sha256(previous hash ‖ canonical entry), hex. */
export function entryHash(prevHash: string, entry: Unchained): string {
  return hashOfCanonical(prevHash, canonicalEntry(entry));
}

/** `entryHash` for a caller that has the entry's canonical form already. */
export function hashOfCanonical(prevHash: string, canonical: string): string {
  return hash('sha256', `${prevHash}\n${canonical}`, 'hex');
}

/** Links an entry after `prevHash`. */
export function chainEntry(prevHash: string, entry: Unchained): AuditEntry {
  return { ...entry, prevHash, hash: entryHash(prevHash, entry) };
}
