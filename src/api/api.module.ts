import { Module } from '@nestjs/common';
import { DocumentReader } from './document-reader.js';
import { FreightInvoicesController } from './freight-invoices.controller.js';
import { FulfillmentConfirmationsController } from './fulfillment-confirmations.controller.js';
import { OrdersController } from './orders.controller.js';
import { PortalCors } from './portal-cors.js';
import { PortalShipmentsController } from './portal-shipments.controller.js';
import { ReturnsController } from './returns.controller.js';
import { ShipmentDocuments } from './shipment-documents.js';
import { ShipmentNoticesController } from './shipment-notices.controller.js';
import { ShipmentTrackingController } from './shipment-tracking.controller.js';
import { ShipmentTracking } from './shipment-tracking.js';
import { SubmitDocument } from './submit-document.js';
import { SubmitTrackingEvents } from './submit-tracking-events.js';
import { TrackingEventsController } from './tracking-events.controller.js';

/** Partner REST API v1 over canonical documents, and the customer tracking portal. */
@Module({
  controllers: [
    ShipmentNoticesController,
    TrackingEventsController,
    ShipmentTrackingController,
    FreightInvoicesController,
    OrdersController,
    FulfillmentConfirmationsController,
    ReturnsController,
    PortalShipmentsController,
  ],
  providers: [
    DocumentReader,
    SubmitDocument,
    SubmitTrackingEvents,
    ShipmentDocuments,
    ShipmentTracking,
    PortalCors,
  ],
  // Webhooks decide who may hear of a shipment with the same rules as the reads.
  exports: [ShipmentTracking],
})
export class ApiModule {}
