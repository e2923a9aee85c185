import type { CanonicalDocument } from '../canonical/canonical-validator.js';
import type { OdooConnection } from '../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { OdooClient } from './odoo-client.js';
import { createOdooClient } from './odoo-client-factory.js';
import { deliverToOdoo } from './deliver-to-odoo.js';
import { OdooError } from './odoo-errors.js';

/** What the message pipeline's delivery port expects (src/messages/document-deliverer.ts). */
interface DeliveryRequestShape {
  readonly tenantId: string;
  readonly documentType: string;
  readonly target: 'production' | 'sandbox';
  readonly document: Readonly<Record<string, unknown>>;
}

/**
 * The Odoo side of the pipeline's delivery port: one long-lived client per tenant connection
 * (keep-alive sockets, cached uid, concurrency cap), chosen by the document's target.
 */
export class OdooDocumentDeliverer {
  private readonly clients = new Map<string, OdooClient>();

  constructor(private readonly tenants: TenantRegistry) {}

  async deliver(
    request: DeliveryRequestShape,
  ): Promise<{ model: string; id: number; externalId: string; action: 'created' | 'updated' | 'skipped' }> {
    const connection = this.connection(request.tenantId, request.target);
    const client = this.client(`${request.tenantId}/${request.target}`, connection);
    return deliverToOdoo(client, request.tenantId, request.document as unknown as CanonicalDocument);
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }

  private connection(tenantId: string, target: 'production' | 'sandbox'): OdooConnection {
    const tenant = this.tenants.tenant(tenantId);
    const connection = tenant?.odoo[target];
    if (!connection) {
      // Not retryable: the tenant file must name the connection first; replay after fixing it.
      throw new OdooError('authentication', `tenant ${tenantId} has no ${target} Odoo connection`);
    }
    return connection;
  }

  private client(key: string, connection: OdooConnection): OdooClient {
    let client = this.clients.get(key);
    if (!client) {
      client = createOdooClient(connection);
      this.clients.set(key, client);
    }
    return client;
  }
}
