/**
 * The connector's one entry point for the message pipeline: apply a validated canonical document to
 * the tenant's Odoo, idempotently. Rejects with an OdooError whose `kind` tells the pipeline what to
 * do: `retryable` (back off and try again), `business` (dead letter with Odoo's message, replay after
 * a fix), `authentication` (stop and raise to operations).
 */
import type { CanonicalDocument } from '../canonical/canonical-validator.js';
import type { OdooClient } from './odoo-client.js';
import { deliverFreightInvoice } from './freight-invoice-to-odoo.js';
import { deliverFulfillmentConfirmation } from './fulfillment-confirmation-to-odoo.js';
import type { DeliveryContext, OdooDeliveryOptions, OdooDeliveryResult } from './odoo-delivery-types.js';
import { OdooError } from './odoo-errors.js';
import { externalIdModule } from './odoo-external-ids.js';
import { deliverOrder } from './order-to-odoo.js';
import { deliverReturnAuthorization } from './return-authorization-to-odoo.js';
import { deliverShipmentNotice } from './shipment-notice-to-odoo.js';
import { deliverTrackingEvent } from './tracking-event-to-odoo.js';

export async function deliverToOdoo(
  client: OdooClient,
  tenantId: string,
  document: CanonicalDocument,
  options: OdooDeliveryOptions = {},
): Promise<OdooDeliveryResult> {
  // A document of another tenant must never reach this tenant's Odoo, whatever routed it here.
  if (document.tenantId !== tenantId) {
    throw new OdooError(
      'business',
      `document ${document.id} belongs to tenant ${document.tenantId}, not ${tenantId}`,
    );
  }
  const ctx: DeliveryContext = { client, tenantId, module: externalIdModule(tenantId), options };
  try {
    switch (document.documentType) {
      case 'Order':
        return await deliverOrder(ctx, document);
      case 'ShipmentNotice':
        return await deliverShipmentNotice(ctx, document);
      case 'TrackingEvent':
        return await deliverTrackingEvent(ctx, document);
      case 'FulfillmentConfirmation':
        return await deliverFulfillmentConfirmation(ctx, document);
      case 'FreightInvoice':
        return await deliverFreightInvoice(ctx, document);
      case 'ReturnAuthorization':
        return await deliverReturnAuthorization(ctx, document);
      case 'FulfillmentRequest':
      case 'Acknowledgement':
        throw new OdooError('business', `${document.documentType} documents go to partners, not to Odoo`);
    }
  } catch (error) {
    throw asOdooError(error, document);
  }
}

/** Anything that is not already an OdooError is a defect in the mapping or an odd answer: not worth a retry loop. */
function asOdooError(error: unknown, document: CanonicalDocument): OdooError {
  if (error instanceof OdooError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OdooError('business', `delivering ${document.documentType} ${document.id} failed: ${message}`, {
    cause: error,
  });
}
