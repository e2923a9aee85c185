import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { withTenant } from '../tenancy/with-tenant.js';

/** What a partner may see of a partner record: no secrets, no EDI identities, no contacts. */
export interface PartnerView {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly environment: string;
  readonly timeZone: string;
  readonly active: boolean;
  readonly scopes: readonly string[];
}

/** Partners of one tenant, read under row-level security. */
@Injectable()
export class PartnerDirectory {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The partner, if this scope may see it: tenant staff with `admin` see every partner of their
   * tenant, a partner only itself. Anything else is "not found", exactly like a missing id.
   */
  async find(scope: TenantScope, partnerId: string, admin: boolean): Promise<PartnerView | undefined> {
    if (!admin && scope.partnerId !== partnerId) return undefined;
    const [row] = (await withTenant(this.dataSource, scope.tenantId, (manager) =>
      manager.query(
        `SELECT id, name, kind, environment, time_zone, active, definition->'scopes' AS scopes
           FROM partners WHERE tenant_id = $1 AND id = $2`,
        [scope.tenantId, partnerId],
      ),
    )) as PartnerRow[];
    if (!row) return undefined;
    return {
      id: row.id,
      name: row.name,
      kind: row.kind,
      environment: row.environment,
      timeZone: row.time_zone,
      active: row.active,
      scopes: row.scopes ?? [],
    };
  }
}

interface PartnerRow {
  id: string;
  name: string;
  kind: string;
  environment: string;
  time_zone: string;
  active: boolean;
  scopes: string[] | null;
}
