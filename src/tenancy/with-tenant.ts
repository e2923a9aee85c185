import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `work` in a transaction that PostgreSQL itself confines to one tenant: the setting
 * `crossdock.tenant_id` names the tenant and `SET LOCAL ROLE crossdock_tenant` drops the owner's
 * right to bypass row-level security (see migration TenantRowSecurity1764230510000). Both end
 * with the transaction, so a pooled connection never carries a tenant into the next request.
 * Queries inside still filter by tenant themselves: RLS is the second wall, not the first.
 */
export async function withTenant<T>(
  dataSource: DataSource,
  tenantId: string,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (!tenantId) throw new Error('withTenant needs a tenant id');
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('crossdock.tenant_id', $1, true)`, [tenantId]);
    await manager.query('SET LOCAL ROLE crossdock_tenant');
    return work(manager);
  });
}
