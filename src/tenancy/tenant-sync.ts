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
  const definition = storedTenantDefinition(tenant);
  const [existing] = (await manager.query('SELECT * FROM tenants WHERE id = $1 FOR UPDATE', [tenant.id])) as {
    name: string;
    environment: string;
    active: boolean;
    demo: boolean;
    definition: unknown;
    source_file: string;
  }[];
  if (!existing) {
    await manager.query(
      `INSERT INTO tenants (id, name, environment, active, demo, definition, source_file, source_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        tenant.id,
        tenant.name,
        tenant.environment,
        tenant.active,
        tenant.demo,
        definition,
        tenant.sourceFile,
        tenant.sourceSha256,
      ],
    );
    summary.tenants.created += 1;
  } else if (
    existing.name !== tenant.name ||
    existing.environment !== tenant.environment ||
    existing.active !== tenant.active ||
    existing.demo !== tenant.demo ||
    existing.source_file !== tenant.sourceFile ||
    !sameJson(existing.definition, definition)
  ) {
    await manager.query(
      `UPDATE tenants SET name = $2, environment = $3, active = $4, demo = $5, definition = $6, source_file = $7,
         source_sha256 = $8, updated_at = now(), deactivated_at = CASE WHEN $4 THEN NULL ELSE coalesce(deactivated_at, now()) END
       WHERE id = $1`,
      [
        tenant.id,
        tenant.name,
        tenant.environment,
        tenant.active,
        tenant.demo,
        definition,
        tenant.sourceFile,
        tenant.sourceSha256,
      ],
    );
    summary.tenants.updated += 1;
  } else {
    summary.tenants.unchanged += 1;
  }

  for (const partner of tenant.partners) await syncPartner(manager, tenant.id, partner, summary);
  const partnersGone = await manager.query(
    `UPDATE partners SET active = false, deactivated_at = now(), updated_at = now()
      WHERE tenant_id = $1 AND active AND NOT (id = ANY($2::text[])) RETURNING id`,
    [tenant.id, tenant.partners.map((p) => p.id)],
  );
  summary.partners.deactivated += updatedRows(partnersGone).length;

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
  const clientsGone = await manager.query(
    `UPDATE api_clients SET active = false, deactivated_at = now(), updated_at = now()
      WHERE tenant_id = $1 AND active AND NOT (id = ANY($2::text[])) RETURNING id`,
    [tenant.id, tenant.apiClients.map((c) => c.id)],
  );
  summary.apiClients.deactivated += updatedRows(clientsGone).length;
}

async function syncPartner(
  manager: EntityManager,
  tenantId: string,
  partner: PartnerDefinition,
  summary: TenantSyncSummary,
): Promise<void> {
  const definition = storedPartnerDefinition(partner);
  const [existing] = (await manager.query('SELECT * FROM partners WHERE tenant_id = $1 AND id = $2', [
    tenantId,
    partner.id,
  ])) as {
    name: string;
    kind: string;
    environment: string;
    time_zone: string;
    active: boolean;
    definition: unknown;
  }[];
  const values = [
    tenantId,
    partner.id,
    partner.name,
    partner.kind,
    partner.environment,
    partner.timeZone,
    partner.active,
    definition,
  ];
  if (!existing) {
    await manager.query(
      `INSERT INTO partners (tenant_id, id, name, kind, environment, time_zone, active, definition)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      values,
    );
    summary.partners.created += 1;
  } else if (
    existing.name !== partner.name ||
    existing.kind !== partner.kind ||
    existing.environment !== partner.environment ||
    existing.time_zone !== partner.timeZone ||
    existing.active !== partner.active ||
    !sameJson(existing.definition, definition)
  ) {
    await manager.query(
      `UPDATE partners SET name = $3, kind = $4, environment = $5, time_zone = $6, active = $7, definition = $8,
         updated_at = now(), deactivated_at = CASE WHEN $7 THEN NULL ELSE coalesce(deactivated_at, now()) END
       WHERE tenant_id = $1 AND id = $2`,
      values,
    );
    summary.partners.updated += 1;
  } else {
    summary.partners.unchanged += 1;
  }
}

async function syncClient(
  manager: EntityManager,
  tenantId: string,
  client: ApiClientDefinition,
  summary: TenantSyncSummary,
): Promise<void> {
  const [existing] = (await manager.query('SELECT * FROM api_clients WHERE id = $1 FOR UPDATE', [
    client.id,
  ])) as {
    tenant_id: string;
    partner_id: string | null;
    description: string | null;
    active: boolean;
    scopes: string[];
    secret_hashes: string[];
  }[];
  // Keep a stored hash while its secret is still listed, so a sync does not rehash (and churn) every boot.
  const hashes: string[] = [];
  let secretsChanged = !existing || existing.secret_hashes.length !== client.secrets.length;
  for (const secret of client.secrets) {
    let kept: string | undefined;
    for (const hash of existing?.secret_hashes ?? []) {
      if (await verifySecret(secret, hash)) {
        kept = hash;
        break;
      }
    }
    if (!kept) secretsChanged = true;
    hashes.push(kept ?? (await hashSecret(secret)));
  }
  const values = [
    client.id,
    tenantId,
    client.partnerId ?? null,
    client.description ?? null,
    client.active,
    client.scopes,
    hashes,
  ];
  if (!existing) {
    await manager.query(
      `INSERT INTO api_clients (id, tenant_id, partner_id, description, active, scopes, secret_hashes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      values,
    );
    summary.apiClients.created += 1;
  } else if (
    secretsChanged ||
    existing.tenant_id !== tenantId ||
    existing.partner_id !== (client.partnerId ?? null) ||
    existing.description !== (client.description ?? null) ||
    existing.active !== client.active ||
    !sameJson(existing.scopes, client.scopes)
  ) {
    await manager.query(
      `UPDATE api_clients SET tenant_id = $2, partner_id = $3, description = $4, active = $5, scopes = $6, secret_hashes = $7,
         updated_at = now(), deactivated_at = CASE WHEN $5 THEN NULL ELSE coalesce(deactivated_at, now()) END
       WHERE id = $1`,
      values,
    );
    summary.apiClients.updated += 1;
  } else {
    summary.apiClients.unchanged += 1;
  }
}
