import type { DataSource } from 'typeorm';
import { appendAuditEvents } from './audit-appender.js';
import type { AuditEvent } from './audit-event.js';

type RegistryKind = 'tenant' | 'partner' | 'client';

export interface RegistryRow {
  kind: RegistryKind;
  tenant_id: string;
  id: string;
  active: boolean;
  updated_at: Date;
  scopes: string[] | null;
  secret_count: number | null;
}

/** What audit needs to know of the registry: who exists, whether active, when last changed. */
async function snapshot(dataSource: DataSource): Promise<Map<string, RegistryRow>> {
  const rows = (await dataSource.query(
    `SELECT 'tenant' AS kind, id AS tenant_id, id, active, updated_at, NULL::text[] AS scopes, NULL::int AS secret_count FROM tenants
     UNION ALL SELECT 'partner', tenant_id, id, active, updated_at, NULL, NULL FROM partners
     UNION ALL SELECT 'client', tenant_id, id, active, updated_at, scopes, cardinality(secret_hashes) FROM api_clients`,
  )) as RegistryRow[];
  return new Map(rows.map((r) => [`${r.kind}:${r.tenant_id}:${r.id}`, r]));
}

/** Registry rows that appeared, changed or were deactivated between two snapshots, as audit events. */
export function registryChanges(
  before: ReadonlyMap<string, RegistryRow>,
  after: ReadonlyMap<string, RegistryRow>,
  source: string,
): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const [key, row] of after) {
    const old = before.get(key);
    let action: string | undefined;
    if (!old) action = 'create';
    else if (old.active && !row.active) action = 'deactivate';
    else if (!old.active && row.active) action = 'reactivate';
    else if (old.updated_at.getTime() !== row.updated_at.getTime()) action = 'update';
    if (!action) continue;
    const details: Record<string, unknown> = { source };
    if (row.kind === 'client') {
      if (old && JSON.stringify(old.scopes) !== JSON.stringify(row.scopes)) {
        details.scopesBefore = old.scopes;
        details.scopesAfter = row.scopes;
      } else if (!old) {
        details.scopes = row.scopes;
      }
      // How many secrets are valid (two during a rotation), never the secrets or their hashes.
      details.validSecrets = row.secret_count;
    }
    events.push({
      occurredAt: new Date(),
      tenantId: row.tenant_id,
      kind: 'tenancy',
      action: `${row.kind}.${action}`,
      resourceType: row.kind,
      resourceId: row.id,
      status: 200,
      details,
    });
  }
  return events;
}

/**
 * Runs a tenant sync and records what it changed in each tenant's audit chain: tenant, partner and
 * client creations, updates (scopes, secret rotations) and deactivations.
 */
export async function withRegistryAudit<T>(
  dataSource: DataSource,
  source: string,
  sync: () => Promise<T>,
): Promise<T> {
  const before = await snapshot(dataSource);
  const result = await sync();
  const changes = registryChanges(before, await snapshot(dataSource), source);
  await appendAuditEvents(dataSource, changes);
  return result;
}
