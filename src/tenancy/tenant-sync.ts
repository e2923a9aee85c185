import type { DataSource, EntityManager } from 'typeorm';
import { canonicalJson } from '../common/canonical-json.js';
import { hashSecret, verifySecret } from '../common/secret-hash.js';
import { updatedRows } from '../database/updated-rows.js';
import type { ApiClientDefinition, PartnerDefinition, TenantDefinition } from './tenant-definition.js';
import { withoutChannelSecrets } from './channel-secrets.js';

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
}

export interface TenantSyncSummary {
  readonly tenants: SyncCounts;
  readonly partners: SyncCounts;
  readonly apiClients: SyncCounts;
}

const counts = (): SyncCounts => ({ created: 0, updated: 0, unchanged: 0, deactivated: 0 });
// Any constant shared by every node: two nodes booting at once sync one after the other.
const SYNC_LOCK_KEY = 0x63726f73;

/** What of a tenant is kept in the database: the file's meaning without any resolved secret. */
function storedTenantDefinition(tenant: TenantDefinition): Record<string, unknown> {
  const odoo = Object.fromEntries(
    Object.entries(tenant.odoo).map(([which, c]) => [
      which,
      {
        url: c.url,
        database: c.database,
        login: c.login,
        apiKey: c.apiKeyRef,
        protocol: c.protocol,
        timeoutMs: c.timeoutMs,
        delivery: c.delivery,
      },
    ]),
  );
  return JSON.parse(
    JSON.stringify({
      owner: tenant.owner,
      contacts: tenant.contacts,
      odoo,
      syncModes: tenant.syncModes,
      slas: tenant.slas,
      retention: tenant.retention,
      pipeline: tenant.pipeline,
      edi: tenant.edi,
      corsOrigins: tenant.corsOrigins,
    }),
  ) as Record<string, unknown>;
}

function storedPartnerDefinition(partner: PartnerDefinition): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      owner: partner.owner,
      channels: partner.channels.map(withoutChannelSecrets),
      edi: partner.edi,
      scopes: partner.scopes,
      rateLimit: partner.rateLimit,
      customerAccount: partner.customerAccount,
    }),
  ) as Record<string, unknown>;
}

/** jsonb comes back with its keys reordered, so compare by canonical serialization. */
function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Writes the tenant files' content into the registry tables. Idempotent: a second run with the
 * same files changes nothing. A partner, client or tenant that left the files is deactivated,
 * never deleted: messages and audit entries keep pointing at it.
 */
export async function syncTenants(
  dataSource: DataSource,
  tenants: readonly TenantDefinition[],
): Promise<TenantSyncSummary> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SYNC_LOCK_KEY]);
    const summary: TenantSyncSummary = { tenants: counts(), partners: counts(), apiClients: counts() };
    for (const tenant of tenants) {
      await syncTenant(manager, tenant, summary);
    }
    const kept = tenants.map((t) => t.id);
    const gone = await manager.query(
      `UPDATE tenants SET active = false, deactivated_at = now(), updated_at = now()
        WHERE active AND NOT (id = ANY($1::text[])) RETURNING id`,
      [kept],
    );
    summary.tenants.deactivated += updatedRows(gone).length;
    const goneClients = await manager.query(
      `UPDATE api_clients SET active = false, deactivated_at = now(), updated_at = now()
        WHERE active AND NOT (tenant_id = ANY($1::text[])) RETURNING id`,
      [kept],
    );
    summary.apiClients.deactivated += updatedRows(goneClients).length;
    return summary;
  });
}

async function syncTenant(
  manager: EntityManager,
  tenant: TenantDefinition,
  summary: TenantSyncSummary,
): Promise<void> {
  await syncRow(manager, summary.tenants, {
    table: 'tenants',
    key: { id: tenant.id },
    values: {
      name: tenant.name,
      environment: tenant.environment,
      active: tenant.active,
      demo: tenant.demo,
      definition: storedTenantDefinition(tenant),
      source_file: tenant.sourceFile,
    },
    // Recorded with a real change only: a file whose comments alone were edited leaves the row alone.
    writeOnly: { source_sha256: tenant.sourceSha256 },
  });

  for (const partner of tenant.partners) await syncPartner(manager, tenant.id, partner, summary);
  summary.partners.deactivated += await deactivateOthers(
    manager,
    'partners',
    tenant.id,
    tenant.partners.map((p) => p.id),
  );

  // EDI identities are derived data: rewrite them from the file every time.
  await manager.query('DELETE FROM partner_edi_identities WHERE tenant_id = $1', [tenant.id]);
  for (const partner of tenant.partners) {
    const x12 = partner.edi?.x12;
    if (x12) {
      await manager.query(
        `INSERT INTO partner_edi_identities (tenant_id, partner_id, standard, qualifier, identifier) VALUES ($1, $2, 'x12', $3, $4)`,
        [tenant.id, partner.id, x12.isaQualifier, x12.isaId.trim()],
      );
    }
    const edifact = partner.edi?.edifact;
    if (edifact) {
      await manager.query(
        `INSERT INTO partner_edi_identities (tenant_id, partner_id, standard, qualifier, identifier) VALUES ($1, $2, 'edifact', $3, $4)`,
        [tenant.id, partner.id, edifact.unbQualifier ?? '', edifact.unbId],
      );
    }
  }

  for (const client of tenant.apiClients) await syncClient(manager, tenant.id, client, summary);
  summary.apiClients.deactivated += await deactivateOthers(
    manager,
    'api_clients',
    tenant.id,
    tenant.apiClients.map((c) => c.id),
  );
}

/** Deactivates (never deletes) the tenant's rows the files no longer list; how many it turned off. */
async function deactivateOthers(
  manager: EntityManager,
  table: 'partners' | 'api_clients',
  tenantId: string,
  kept: readonly string[],
): Promise<number> {
  const gone = await manager.query(
    `UPDATE ${table} SET active = false, deactivated_at = now(), updated_at = now()
      WHERE tenant_id = $1 AND active AND NOT (id = ANY($2::text[])) RETURNING id`,
    [tenantId, kept],
  );
  return updatedRows(gone).length;
}

async function syncPartner(
  manager: EntityManager,
  tenantId: string,
  partner: PartnerDefinition,
  summary: TenantSyncSummary,
): Promise<void> {
  await syncRow(manager, summary.partners, {
    table: 'partners',
    key: { tenant_id: tenantId, id: partner.id },
    values: {
      name: partner.name,
      kind: partner.kind,
      environment: partner.environment,
      time_zone: partner.timeZone,
      active: partner.active,
      definition: storedPartnerDefinition(partner),
    },
  });
}

async function syncClient(
  manager: EntityManager,
  tenantId: string,
  client: ApiClientDefinition,
  summary: TenantSyncSummary,
): Promise<void> {
  const key = { id: client.id };
  const existing = await lockRow(manager, 'api_clients', key);
  const stored = (existing?.['secret_hashes'] as string[] | undefined) ?? [];
  // Keep a stored hash while its secret is still listed, so a sync does not rehash (and churn) every boot.
  const hashes: string[] = [];
  for (const secret of client.secrets) {
    let kept: string | undefined;
    for (const hash of stored) {
      if (await verifySecret(secret, hash)) {
        kept = hash;
        break;
      }
    }
    hashes.push(kept ?? (await hashSecret(secret)));
  }
  await syncRow(
    manager,
    summary.apiClients,
    {
      table: 'api_clients',
      key,
      values: {
        tenant_id: tenantId,
        partner_id: client.partnerId ?? null,
        description: client.description ?? null,
        active: client.active,
        scopes: client.scopes,
        secret_hashes: hashes,
      },
    },
    existing,
  );
}

/** A registry row as the tenant files say it should be; `active` drives `deactivated_at`. */
interface RegistryRow {
  readonly table: 'tenants' | 'partners' | 'api_clients';
  readonly key: Readonly<Record<string, string>>;
  /** Written, and compared with what is stored: any difference makes the row `updated`. */
  readonly values: Readonly<Record<string, unknown>> & { readonly active: boolean };
  /** Written along with a change, never a change by itself. */
  readonly writeOnly?: Readonly<Record<string, unknown>>;
}

/** The stored row, locked until the sync commits; table and column names are this file's constants. */
async function lockRow(
  manager: EntityManager,
  table: RegistryRow['table'],
  key: RegistryRow['key'],
): Promise<Record<string, unknown> | undefined> {
  const columns = Object.keys(key);
  const [existing] = (await manager.query(
    `SELECT * FROM ${table} WHERE ${columns.map((c, i) => `${c} = $${i + 1}`).join(' AND ')} FOR UPDATE`,
    Object.values(key),
  )) as Record<string, unknown>[];
  return existing;
}

/** Inserts the row, updates it when a compared value differs, or counts it unchanged. */
async function syncRow(
  manager: EntityManager,
  counts: SyncCounts,
  row: RegistryRow,
  existing?: Record<string, unknown>,
): Promise<void> {
  existing ??= await lockRow(manager, row.table, row.key);
  const written = { ...row.key, ...row.values, ...row.writeOnly };
  const columns = Object.keys(written);
  const params = Object.values(written);
  const placeholder = (column: string): string => `$${columns.indexOf(column) + 1}`;
  if (!existing) {
    await manager.query(
      `INSERT INTO ${row.table} (${columns.join(', ')}) VALUES (${columns.map(placeholder).join(', ')})`,
      params,
    );
    counts.created += 1;
    return;
  }
  if (Object.entries(row.values).every(([column, value]) => sameJson(existing[column], value))) {
    counts.unchanged += 1;
    return;
  }
  const keyColumns = Object.keys(row.key);
  const assignments = columns.filter((c) => !keyColumns.includes(c)).map((c) => `${c} = ${placeholder(c)}`);
  await manager.query(
    `UPDATE ${row.table} SET ${assignments.join(', ')}, updated_at = now(),
       deactivated_at = CASE WHEN ${placeholder('active')} THEN NULL ELSE coalesce(deactivated_at, now()) END
     WHERE ${keyColumns.map((c) => `${c} = ${placeholder(c)}`).join(' AND ')}`,
    params,
  );
  counts.updated += 1;
}
