import type { TenantDefinition } from '../../tenancy/tenant-definition.js';
import { startOdooSimulator, type RunningOdooSimulator } from './odoo-simulator.js';

/** The tenants with every Odoo connection of the demo tenants pointed at `url`. */
export function pointDemoTenantsAt(
  tenants: readonly TenantDefinition[],
  url: string,
  all = false,
): TenantDefinition[] {
  return tenants.map((tenant) =>
    tenant.demo || all
      ? {
          ...tenant,
          odoo: Object.fromEntries(
            Object.entries(tenant.odoo).map(([which, connection]) => [which, { ...connection, url }]),
          ),
        }
      : tenant,
  );
}

/**
 * Demo mode: a protocol-faithful Odoo in the same process, seeded with the records the sample
 * files refer to, so a new user sees documents flow end to end without owning an Odoo.
 */
export async function startDemoSimulator(
  tenants: readonly TenantDefinition[],
): Promise<{ simulator: RunningOdooSimulator; tenants: TenantDefinition[] }> {
  const simulator = await startOdooSimulator({ port: 0, host: '127.0.0.1' });
  return { simulator, tenants: pointDemoTenantsAt(tenants, simulator.url) };
}
