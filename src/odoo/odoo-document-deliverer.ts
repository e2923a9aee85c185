import type { CanonicalDocument } from '../canonical/canonical-validator.js';
import { deliverToOdoo } from './deliver-to-odoo.js';
import type { OdooClientPool } from './odoo-client-pool.js';
import type { ExclusiveSection, OdooDeliveryResult } from './odoo-delivery-types.js';

/** What the message pipeline's delivery port hands over (src/messages/document-deliverer.ts). */
interface DeliveryRequestShape {
  readonly tenantId: string;
  readonly target: 'production' | 'sandbox';
  readonly document: Readonly<Record<string, unknown>>;
  readonly exclusive?: ExclusiveSection;
}

/**
 * The Odoo side of the pipeline's delivery port: the document's target picks the connection, and
 * the connection's `delivery` settings in the tenant file say how the document is applied.
 */
export class OdooDocumentDeliverer {
  constructor(private readonly clients: OdooClientPool) {}

  async deliver(request: DeliveryRequestShape): Promise<OdooDeliveryResult> {
    const connection = this.clients.connection(request.tenantId, request.target);
    const client = this.clients.client(request.tenantId, request.target);
    return deliverToOdoo(client, request.tenantId, request.document as unknown as CanonicalDocument, {
      ...connection.delivery,
      ...(request.exclusive ? { exclusive: request.exclusive } : {}),
    });
  }
}
