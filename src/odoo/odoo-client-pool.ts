import type { OdooConnection } from '../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { OdooClient } from './odoo-client.js';
import { createOdooClient } from './odoo-client-factory.js';
import { OdooError } from './odoo-errors.js';

export type OdooTarget = 'production' | 'sandbox';

/**
 * One long-lived client per tenant connection (keep-alive sockets, cached uid, concurrency cap),
 * shared by everything in the process that talks to that Odoo.
 */
export class OdooClientPool {
  private readonly clients = new Map<string, OdooClient>();

  constructor(private readonly tenants: TenantRegistry) {}

  client(tenantId: string, target: OdooTarget): OdooClient {
    const key = `${tenantId}/${target}`;
    let client = this.clients.get(key);
    if (!client) {
      client = createOdooClient(this.connection(tenantId, target));
      this.clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }

  /** The tenant file's connection: where the client goes, and how documents are applied there. */
  connection(tenantId: string, target: OdooTarget): OdooConnection {
    const connection = this.tenants.tenant(tenantId)?.odoo[target];
    if (!connection) {
      // Not retryable: the tenant file must name the connection first; replay after fixing it.
      throw new OdooError('authentication', `tenant ${tenantId} has no ${target} Odoo connection`);
    }
    return connection;
  }
}
