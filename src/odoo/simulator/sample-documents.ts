/**
 * Canonical documents the simulator's demo seed can take (carrier SCAC ABCD exists there): for
 * tests, benches and demos that need many valid documents without EDI files.
 */
export function sampleFreightInvoice(
  tenantId: string,
  invoiceNumber: string,
  amount = '125.75',
): Record<string, unknown> {
  return {
    documentType: 'FreightInvoice',
    schemaVersion: '1',
    id: `rest-${tenantId}-carrier-${invoiceNumber}`,
    tenantId,
    partnerId: `${tenantId}-carrier`,
    createdAt: '2026-11-27T10:00:00.000Z',
    source: { channel: 'rest', format: 'json', environment: 'production', messageId: invoiceNumber },
    correlationId: invoiceNumber,
    references: [],
    invoiceNumber,
    invoiceDate: '2026-11-27',
    carrier: { scac: 'ABCD' },
    netAmountDue: { amount, currency: 'USD' },
    charges: [{ lineNumber: '1', code: '400', description: 'Freight', amount: { amount, currency: 'USD' } }],
    parties: [{ role: 'carrier', name: 'ABCD Freight', ids: [{ qualifier: 'SCAC', value: 'ABCD' }] }],
  };
}
