import { randomUUID } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import { GENESIS_HASH, canonicalEntry, hashOfCanonical } from './audit-chain.js';
import type { AuditEntry, AuditEvent } from './audit-event.js';
import { AUDIT_COLUMNS, copyLineFromEntry } from './audit-row.js';

const TEXT_LIMIT = 512;

/** Text as PostgreSQL will hand it back: no NUL, bounded (a user agent is the caller's to choose). */
function text(value: string | null | undefined, limit = TEXT_LIMIT): string | null {
  if (value === null || value === undefined) return null;
  if (value.length <= limit && !value.includes('\u0000')) return value;
  const clean = value.replaceAll('\u0000', '');
  return clean.length > limit ? clean.slice(0, limit) : clean;
}

/**
 * A whole number the columns (bigint) and JSON both hold exactly, else null: a caller's absurd
 * `Content-Length` must not make its entry, and with it the batch, unwritable.
 */
function integer(value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const whole = Math.round(value);
  return Number.isSafeInteger(whole) ? whole : null;
}

type Draft = { -readonly [K in keyof AuditEntry]: AuditEntry[K] };

/**
 * The entry exactly as it will read back from the database, so that the hash computed here is the
 * one verify recomputes: milliseconds, three-decimal latency, JSON-clean details. Its hash is the
 * caller's to fill in.
 */
function normalized(event: AuditEvent, seq: number, prevHash: string): Draft {
  const occurredAt = Number.isNaN(event.occurredAt.getTime()) ? new Date() : event.occurredAt;
  return {
    id: randomUUID(),
    tenantId: event.tenantId,
    seq,
    occurredAt: new Date(occurredAt.getTime()),
    kind: event.kind,
    action: text(event.action, 128) ?? '',
    clientId: text(event.clientId, 128),
    partnerId: text(event.partnerId, 128),
    sourceIp: text(event.sourceIp, 64),
    userAgent: text(event.userAgent),
    method: text(event.method, 16),
    route: text(event.route),
    path: text(event.path, 1024),
    resourceType: text(event.resourceType, 64),
    resourceId: text(event.resourceId, 256),
    status: integer(event.status),
    scopes: (event.scopes ?? []).map((s) => text(s, 64) ?? ''),
    correlationId: text(event.correlationId, 128),
    latencyMs:
      event.latencyMs === null || event.latencyMs === undefined || !Number.isFinite(event.latencyMs)
        ? null
        : Math.round(event.latencyMs * 1000) / 1000,
    bytesIn: integer(event.bytesIn),
    bytesOut: integer(event.bytesOut),
    reason: text(event.reason, 1024),
    details: event.details
      ? (JSON.parse(JSON.stringify(event.details).replaceAll('\\u0000', '')) as Record<string, unknown>)
      : null,
    prevHash,
    hash: '',
  };
}

/**
 * The entries in one `COPY … FROM STDIN`, on the transaction's own connection: PostgreSQL parses
 * COPY's text rows at about half the CPU of the same rows unpacked from one JSON parameter.
 */
async function copyIntoAuditEvents(manager: EntityManager, rows: string): Promise<void> {
  const client = (await manager.queryRunner!.connect()) as PoolClient;
  const copy = client.query(copyFrom(`COPY audit_events (${AUDIT_COLUMNS}) FROM STDIN`));
  copy.end(rows);
  await finished(copy);
}

interface HeadRow {
  tenant_id: string;
  seq: string;
  hash: string;
}

/**
 * Appends events to their tenants' chains in one transaction. Chain heads are locked in tenant
 * order (`FOR UPDATE`), so any number of processes may append at once: each chain stays a single
 * gap-free sequence, and two appenders never wait on each other in a cycle.
 */
export async function appendAuditEvents(
  target: DataSource | EntityManager,
  events: readonly AuditEvent[],
): Promise<AuditEntry[]> {
  if (events.length === 0) return [];
  const run = (manager: EntityManager) => appendInTransaction(manager, events);
  if ('isInitialized' in target) return target.transaction(run);
  // A caller's transaction is joined; a bare manager gets one (the head lock needs it).
  return target.queryRunner?.isTransactionActive ? run(target) : target.transaction(run);
}

async function appendInTransaction(
  manager: EntityManager,
  events: readonly AuditEvent[],
): Promise<AuditEntry[]> {
  const tenants = [...new Set(events.map((e) => e.tenantId))].sort();
  await manager.query(
    `INSERT INTO audit_chain_heads (tenant_id, seq, hash)
       SELECT t, 0, $2 FROM unnest($1::text[]) AS t ON CONFLICT (tenant_id) DO NOTHING`,
    [tenants, GENESIS_HASH],
  );
  const heads = (await manager.query(
    `SELECT tenant_id, seq, hash FROM audit_chain_heads WHERE tenant_id = ANY($1::text[])
      ORDER BY tenant_id FOR UPDATE`,
    [tenants],
  )) as HeadRow[];
  const state = new Map(heads.map((h) => [h.tenant_id, { seq: Number(h.seq), hash: h.hash }]));
  const entries: AuditEntry[] = [];
  let rows = '';
  for (const event of events) {
    const head = state.get(event.tenantId)!;
    const entry = normalized(event, head.seq + 1, head.hash);
    const occurredAt = entry.occurredAt.toISOString();
    const canonical = canonicalEntry(entry, occurredAt);
    entry.hash = hashOfCanonical(head.hash, canonical);
    head.seq = entry.seq;
    head.hash = entry.hash;
    entries.push(entry);
    // JSON writes every backslash, newline, CR and tab in a string with a backslash: a canonical
    // form without one says that no text field needs COPY's escapes.
    rows += copyLineFromEntry(entry, occurredAt, !canonical.includes('\\'));
  }
  await copyIntoAuditEvents(manager, rows);
  await manager.query(
    `UPDATE audit_chain_heads h SET seq = n.seq, hash = n.hash
       FROM unnest($1::text[], $2::bigint[], $3::text[]) AS n(tenant_id, seq, hash)
      WHERE h.tenant_id = n.tenant_id`,
    [tenants, tenants.map((t) => state.get(t)!.seq), tenants.map((t) => state.get(t)!.hash)],
  );
  return entries;
}
