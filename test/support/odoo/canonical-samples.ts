/**
 * Canonical documents that line up with the simulator's demo seed (PO778899 from the 856 sample,
 * SCAC ABCD, SKU-001/SKU-002, customer ref demo-retail and its order ORD-1001).
 */
import type { FreightInvoice } from '../../../src/canonical/freight-invoice.schema.js';
import type { FulfillmentConfirmation } from '../../../src/canonical/fulfillment-confirmation.schema.js';
import type { Order } from '../../../src/canonical/order.schema.js';
import type { ReturnAuthorization } from '../../../src/canonical/return-authorization.schema.js';
import type { ShipmentNotice } from '../../../src/canonical/shipment-notice.schema.js';
import type { TrackingEvent } from '../../../src/canonical/tracking-event.schema.js';

export const SAMPLE_TENANT = 'demo';

function envelope(id: string, partnerId: string) {
  return {
    schemaVersion: '1' as const,
    id,
    tenantId: SAMPLE_TENANT,
    partnerId,
    createdAt: '2026-11-27T09:30:00Z',
    source: {
      channel: 'rest' as const,
      format: 'json',
      environment: 'production' as const,
      messageId: `msg-${id}`,
    },
    correlationId: `corr-${id}`,
    references: [],
  };
}

export function sampleOrder(overrides: Partial<Order> = {}): Order {
  return {
    documentType: 'Order',
    ...envelope('doc-order-1', 'demo-customer'),
    orderNumber: 'WEB-5001',
    channel: 'shopify',
    orderedAt: '2026-11-27T10:15:00+01:00',
    customer: {
      role: 'customer',
      name: 'Demo Retail Customer',
      ids: [{ qualifier: 'account', value: 'demo-retail' }],
    },
    shipTo: { role: 'shipTo', name: 'Big Store 42', ids: [{ qualifier: '92', value: 'ST042' }] },
    requestedShipDate: '2026-12-01',
    lines: [
      {
        lineNumber: '1',
        sku: 'SKU-001',
        quantity: { value: 3, unit: 'EA' },
        unitPrice: { amount: '12.50', currency: 'USD' },
      },
      {
        lineNumber: '2',
        sku: 'SKU-002',
        quantity: { value: 100, unit: 'EA' },
        unitPrice: { amount: '0.10', currency: 'USD' },
      },
    ],
    status: 'RECEIVED',
    ...overrides,
  };
}

export function sampleShipmentNotice(overrides: Partial<ShipmentNotice> = {}): ShipmentNotice {
  return {
    documentType: 'ShipmentNotice',
    ...envelope('doc-asn-1', 'demo-edi'),
    shipmentId: 'SHP12345',
    purpose: 'original',
    issuedAt: '2026-11-27T09:30:00-05:00',
    shippedAt: '2026-11-27T08:00:00-05:00',
    estimatedDeliveryAt: '2026-11-30T17:00:00-05:00',
    carrier: { scac: 'ABCD', name: 'ABCD FREIGHT', mode: 'M' },
    billOfLading: 'BOL998877',
    proNumber: 'PRO445566',
    trackingNumbers: [],
    parties: [{ role: 'shipFrom', name: 'ACME WAREHOUSE', ids: [{ qualifier: '92', value: 'WH01' }] }],
    orders: [
      {
        purchaseOrderNumber: 'PO778899',
        purchaseOrderDate: '2026-11-20',
        packages: [
          {
            sscc: '012345678901234567',
            lines: [
              {
                lineNumber: '1',
                sku: 'SKU-001',
                ids: [{ qualifier: 'BP', value: 'SKU-001' }],
                quantityShipped: { value: 10, unit: 'EA' },
              },
              {
                lineNumber: '2',
                sku: 'SKU-002',
                ids: [{ qualifier: 'BP', value: 'SKU-002' }],
                quantityShipped: { value: 2.5, unit: 'LB' },
              },
            ],
          },
        ],
        lines: [],
      },
    ],
    ...overrides,
  };
}

export function sampleTrackingEvent(overrides: Partial<TrackingEvent> = {}): TrackingEvent {
  return {
    documentType: 'TrackingEvent',
    ...envelope('doc-214-1', 'demo-carrier'),
    shipmentRef: {
      carrierReference: 'PRO445566',
      shipmentId: 'SHP12345',
      billOfLading: 'BOL998877',
      purchaseOrderNumbers: ['PO778899'],
    },
    carrier: { scac: 'ABCD' },
    statusCode: 'D1',
    milestone: 'DELIVERED',
    occurredAt: '2026-11-29T16:02:00-06:00',
    location: { city: 'CHICAGO', region: 'IL', country: 'US' },
    proofOfDelivery: { signedBy: 'J SMITH' },
    ...overrides,
  };
}

export function sampleFulfillmentConfirmation(
  overrides: Partial<FulfillmentConfirmation> = {},
): FulfillmentConfirmation {
  return {
    documentType: 'FulfillmentConfirmation',
    ...envelope('doc-945-1', 'demo-3pl'),
    orderNumber: 'ORD-1001',
    shipmentId: '3PL-SHIP-1',
    shippedAt: '2026-11-28T14:00:00Z',
    carrier: { scac: 'UPSN', name: 'UPS', service: 'GROUND' },
    trackingNumbers: ['1Z999AA10123456784'],
    packages: [{ trackingNumber: '1Z999AA10123456784' }],
    lines: [
      { lineNumber: '1', sku: 'SKU-001', quantityShipped: { value: 5, unit: 'EA' } },
      { lineNumber: '2', sku: 'SKU-002', quantityShipped: { value: 38, unit: 'EA' } },
    ],
    ...overrides,
  };
}

export function sampleFreightInvoice(overrides: Partial<FreightInvoice> = {}): FreightInvoice {
  return {
    documentType: 'FreightInvoice',
    ...envelope('doc-210-1', 'demo-carrier'),
    invoiceNumber: 'INV-2026-001',
    shipmentId: 'SHP12345',
    billOfLading: 'BOL998877',
    proNumber: 'PRO445566',
    paymentMethod: 'prepaid',
    invoiceDate: '2026-11-30',
    carrier: { scac: 'ABCD' },
    // 0.10 + 0.20 is where a float sum first shows (0.30000000000000004).
    netAmountDue: { amount: '1250.75', currency: 'USD' },
    charges: [
      {
        lineNumber: '1',
        code: '400',
        description: 'Freight',
        amount: { amount: '1150.45', currency: 'USD' },
      },
      {
        lineNumber: '2',
        code: 'FUE',
        description: 'Fuel surcharge',
        amount: { amount: '100.00', currency: 'USD' },
      },
      { lineNumber: '3', code: 'HAZ', description: 'Handling', amount: { amount: '0.10', currency: 'USD' } },
      { lineNumber: '4', code: 'ADM', description: 'Admin', amount: { amount: '0.20', currency: 'USD' } },
    ],
    parties: [{ role: 'carrier', name: 'ABCD FREIGHT', ids: [{ qualifier: 'SCAC', value: 'ABCD' }] }],
    ...overrides,
  };
}

export function sampleReturnAuthorization(overrides: Partial<ReturnAuthorization> = {}): ReturnAuthorization {
  return {
    documentType: 'ReturnAuthorization',
    ...envelope('doc-rma-1', 'demo-customer'),
    returnNumber: 'RMA-7001',
    originalOrderNumber: 'ORD-1001',
    customer: {
      role: 'customer',
      name: 'Demo Retail Customer',
      ids: [{ qualifier: 'account', value: 'demo-retail' }],
    },
    reason: 'damaged in transit',
    lines: [{ sku: 'SKU-001', quantity: { value: 2, unit: 'EA' }, condition: 'damaged' }],
    status: 'APPROVED',
    ...overrides,
  };
}
