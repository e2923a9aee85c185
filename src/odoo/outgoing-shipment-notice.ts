/**
 * Odoo → partners: an outgoing picking marked done becomes a canonical ShipmentNotice, built from
 * what Odoo holds (never from what an event claimed), for the partner the delivery goes to.
 */
import type { OdooClient, OdooDomain, OdooDomainTerm } from './odoo-client.js';
import { readRecords, searchRead, type OdooRecord } from './odoo-records.js';
import { charValue, many2oneId } from './odoo-values.js';

/** Odoo writes UTC datetimes as `YYYY-MM-DD HH:MM:SS`. */
function isoFromOdoo(value: unknown): string | undefined {
  const text = charValue(value);
  if (!text || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  return `${text.replace(' ', 'T')}Z`;
}

export interface OutgoingShipment {
  /** `ref` of the delivery's res.partner: the tenant partner it belongs to has this id or customer account. */
  readonly partnerRef: string | undefined;
  readonly pickingId: number;
  readonly pickingName: string;
  readonly document: Record<string, unknown>;
}

export const OUTGOING_PICKING_FIELDS = [
  'name',
  'origin',
  'state',
  'picking_type_code',
  'partner_id',
  'date_done',
  'carrier_tracking_ref',
  'weight',
  'move_ids',
  'sale_id',
  'write_date',
];

/** The done outgoing picking `id` as a ShipmentNotice, or undefined when it is not one (yet). */
export async function outgoingShipment(
  client: OdooClient,
  tenantId: string,
  picking: OdooRecord,
): Promise<OutgoingShipment | undefined> {
  if (picking['picking_type_code'] !== 'outgoing' || picking['state'] !== 'done') return undefined;
  const moveIds = Array.isArray(picking['move_ids']) ? (picking['move_ids'] as number[]) : [];
  const moves = moveIds.length > 0 ? await readRecords(client, 'stock.move', moveIds, ['product_id', 'product_uom_qty', 'quantity']) : [];
  const productIds = [...new Set(moves.map((m) => many2oneId(m['product_id'])).filter((id): id is number => id !== undefined))];
  const products = productIds.length > 0 ? await readRecords(client, 'product.product', productIds, ['default_code', 'name']) : [];
  const partnerId = many2oneId(picking['partner_id']);
  const [partner] = partnerId ? await readRecords(client, 'res.partner', [partnerId], ['name', 'ref']) : [];
  const saleId = many2oneId(picking['sale_id']);
  const [sale] = saleId ? await readRecords(client, 'sale.order', [saleId], ['name', 'client_order_ref']) : [];

  const name = charValue(picking['name']) ?? `picking-${picking.id}`;
  const doneAt = isoFromOdoo(picking['date_done']) ?? new Date().toISOString();
  const tracking = charValue(picking['carrier_tracking_ref']);
  const lines = moves.map((move, index) => {
    const product = products.find((p) => p.id === many2oneId(move['product_id']));
    const quantity = Number(move['quantity'] || move['product_uom_qty'] || 0);
    const sku = charValue(product?.['default_code']);
    return {
      lineNumber: String(index + 1),
      ...(sku ? { sku } : {}),
      ids: sku ? [{ qualifier: 'BP', value: sku }] : [],
      ...(charValue(product?.['name']) ? { description: charValue(product?.['name']) } : {}),
      quantityShipped: { value: quantity, unit: 'EA', unitNormalized: 'EA' },
    };
  });
  const orderNumber = charValue(sale?.['client_order_ref']) ?? charValue(picking['origin']) ?? name;
  const partnerRef = charValue(partner?.['ref']);
  const document: Record<string, unknown> = {
    documentType: 'ShipmentNotice',
    schemaVersion: '1',
    id: `odoo-${tenantId}-stock.picking-${picking.id}`,
    tenantId,
    partnerId: partnerRef ?? 'unknown',
    createdAt: new Date().toISOString(),
    source: { channel: 'odoo', format: 'odoo-stock.picking', environment: 'production', messageId: `stock.picking/${picking.id}` },
    correlationId: `odoo:stock.picking:${picking.id}`,
    references: [
      { qualifier: 'PO', value: orderNumber },
      ...(charValue(sale?.['name']) ? [{ qualifier: 'SO', value: charValue(sale?.['name'])! }] : []),
    ],
    shipmentId: name,
    purpose: 'original',
    issuedAt: doneAt,
    shippedAt: doneAt,
    trackingNumbers: tracking ? [tracking] : [],
    parties: [
      {
        role: 'shipTo',
        name: charValue(partner?.['name']) ?? 'unknown',
        ids: partnerRef ? [{ qualifier: 'ref', value: partnerRef }] : [],
      },
    ],
    ...(Number(picking['weight']) > 0
      ? { totals: { grossWeight: { value: Number(picking['weight']), unit: 'KG', unitNormalized: 'KG' } } }
      : {}),
    orders: [{ purchaseOrderNumber: orderNumber, packages: [], lines }],
  };
  return { partnerRef, pickingId: picking.id, pickingName: name, document };
}

/** Done outgoing pickings changed after the cursor, oldest first: keyset on (write_date, id), no gaps, no repeats. */
export async function doneOutgoingPickingsSince(
  client: OdooClient,
  cursor: { writeDate: string; id: number } | undefined,
  limit: number,
): Promise<OdooRecord[]> {
  const after: OdooDomainTerm[] = cursor
    ? ['|', ['write_date', '>', cursor.writeDate], '&', ['write_date', '=', cursor.writeDate], ['id', '>', cursor.id]]
    : [];
  const domain: OdooDomain = [['picking_type_code', '=', 'outgoing'], ['state', '=', 'done'], ...after];
  return searchRead(client, 'stock.picking', domain, OUTGOING_PICKING_FIELDS, { order: 'write_date asc, id asc', limit });
}
