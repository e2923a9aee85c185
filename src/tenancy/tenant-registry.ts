import type { PartnerDefinition, TenantDefinition } from './tenant-definition.js';

/** The tenants this process serves, as loaded from the tenant files at boot. */
export class TenantRegistry {
  private readonly byId: ReadonlyMap<string, TenantDefinition>;

  constructor(tenants: readonly TenantDefinition[]) {
    this.byId = new Map(tenants.map((t) => [t.id, t]));
  }

  all(): TenantDefinition[] {
    return [...this.byId.values()];
  }

  tenant(tenantId: string): TenantDefinition | undefined {
    return this.byId.get(tenantId);
  }

  partner(tenantId: string, partnerId: string): PartnerDefinition | undefined {
    return this.byId.get(tenantId)?.partners.find((p) => p.id === partnerId);
  }
}
