/**
 * A canonical ShipmentNotice as PublishOutbound takes it, with no orders. Without `issuedAt` an 856
 * has no BSN03/04 to write, so render refuses it.
 */
export function shipmentNotice(
  tenantId: string,
  partnerId: string,
  id: string,
  issuedAt?: string,
): Record<string, unknown> {
  return {
    documentType: 'ShipmentNotice',
    schemaVersion: '1',
    id,
    tenantId,
    partnerId,
    createdAt: '2026-11-27T10:00:00Z',
    source: { channel: 'odoo', format: 'manual', environment: 'production', messageId: id },
    correlationId: id,
    references: [],
    shipmentId: id,
    ...(issuedAt ? { issuedAt } : {}),
    purpose: 'original',
    trackingNumbers: [],
    parties: [],
    orders: [],
  };
}
