import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';
import type { AuditEntry } from './audit-event.js';

/** The `prevHash` of every chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

type Unchained = Omit<AuditEntry, 'hash' | 'prevHash'>;

/**
 * The bytes an entry's hash covers: every field, in a fixed order, tenant and sequence number
 * included, so that moving an entry to another place or chain breaks it as surely as editing it.
 */
export function canonicalEntry(entry: Unchained): string {
  return canonicalJson([
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
    entry.details,
  ]);
}

/** hash = sha256(previous hash ‖ canonical entry), hex. */
export function entryHash(prevHash: string, entry: Unchained): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalEntry(entry)).digest('hex');
}

/** Links an entry after `prevHash`. */
export function chainEntry(prevHash: string, entry: Unchained): AuditEntry {
  return { ...entry, prevHash, hash: entryHash(prevHash, entry) };
}
