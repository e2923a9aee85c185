import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { PartnerKind } from '../tenancy/tenant-definition.js';

/** What a verified token's holder is now allowed to be, per the registry. */
export interface CallerStatus {
  readonly usable: boolean;
  readonly partnerId: string | undefined;
  readonly partnerKind: PartnerKind | undefined;
  readonly customerAccount: string | undefined;
  /** The client's scopes today: a token never carries more than its client still has. */
  readonly scopes: readonly string[] | undefined;
}

interface Entry {
  readonly status: CallerStatus;
  readonly until: number;
}

const UNUSABLE: CallerStatus = {
  usable: false,
  partnerId: undefined,
  partnerKind: undefined,
  customerAccount: undefined,
  scopes: undefined,
};
const MAX_ENTRIES = 10_000;

/**
 * Whether the client (or, for identity-provider tokens, the partner) behind a valid token is still
 * active, with its tenant and partner. Cached for AUTH_STATUS_CACHE_SECONDS (at most 60): the
 * longest a deactivation takes to lock out tokens already issued.
 */
@Injectable()
export class ClientStatusCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Synchronous while cached: a verified token's every request then needs no await here. */
  client(tenantId: string, clientId: string): CallerStatus | Promise<CallerStatus> {
    return this.cached(`c\u0000${tenantId}\u0000${clientId}`, async () => {
      const [row] = (await this.dataSource.query(
        `SELECT c.active AND t.active AND coalesce(p.active, true) AS usable, c.scopes,
                p.id AS partner_id, p.kind AS partner_kind, p.definition->>'customerAccount' AS customer_account
           FROM api_clients c
           JOIN tenants t ON t.id = c.tenant_id
           LEFT JOIN partners p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
          WHERE c.id = $1 AND c.tenant_id = $2`,
        [clientId, tenantId],
      )) as StatusRow[];
      return row ? toStatus(row) : UNUSABLE;
    });
  }

  partner(tenantId: string, partnerId: string): CallerStatus | Promise<CallerStatus> {
    return this.cached(`p\u0000${tenantId}\u0000${partnerId}`, async () => {
      const [row] = (await this.dataSource.query(
        `SELECT t.active AND p.active AS usable, NULL::text[] AS scopes,
                p.id AS partner_id, p.kind AS partner_kind, p.definition->>'customerAccount' AS customer_account
           FROM partners p JOIN tenants t ON t.id = p.tenant_id
          WHERE p.tenant_id = $1 AND p.id = $2`,
        [tenantId, partnerId],
      )) as StatusRow[];
      return row ? toStatus(row) : UNUSABLE;
    });
  }

  private cached(key: string, load: () => Promise<CallerStatus>): CallerStatus | Promise<CallerStatus> {
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.status;
    return this.loaded(key, load);
  }

  private async loaded(key: string, load: () => Promise<CallerStatus>): Promise<CallerStatus> {
    const now = Date.now();
    const status = await load();
    const ttl = this.config.authStatusCacheSeconds * 1000;
    if (ttl > 0) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { status, until: now + ttl });
    }
    return status;
  }
}

interface StatusRow {
  usable: boolean;
  scopes: string[] | null;
  partner_id: string | null;
  partner_kind: PartnerKind | null;
  customer_account: string | null;
}

function toStatus(row: StatusRow): CallerStatus {
  return {
    usable: row.usable,
    partnerId: row.partner_id ?? undefined,
    partnerKind: row.partner_kind ?? undefined,
    customerAccount: row.customer_account ?? undefined,
    scopes: row.scopes ?? undefined,
  };
}
