/**
 * Odoo → partners: an outgoing stock.picking marked done becomes a canonical ShipmentNotice (the
 * outbound ASN), which the EDI engine renders as an 856/DESADV for partners who want one. The
 * document is validated against the canonical schema before it leaves the connector.
 */
import { randomUUID } from 'node:crypto';
import { validateCanonical } from '../canonical/canonical-validator.js';
import type { ShipmentNotice } from '../canonical/shipment-notice.schema.js';
import type { OdooDeliverySettings } from '../tenancy/tenant-definition.js';
import type { OdooClient } from './odoo-client.js';
import { OdooError } from './odoo-errors.js';
import { readRecords } from './odoo-records.js';
import { moveUnits, unitCodes } from './odoo-units.js';
import { charValue, many2oneId } from './odoo-values.js';
import { referenceTokens } from './odoo-lookups.js';

export interface OutboundShipmentContext {
  readonly tenantId: string;
  /** The partner the ASN is for (a customer or marketplace that asked for ASNs). */
  readonly partnerId: string;
  readonly environment: 'test' | 'production';
  readonly correlationId?: string;
  readonly now?: () => Date;
  /** The tenant's settings for this Odoo: which field holds shipped quantities, its unit codes. */
  readonly delivery?: OdooDeliverySettings;
}

const PICKING_FIELDS = [
  'name',
  'origin',
  'state',
  'picking_type_code',
  'date_done',
  'scheduled_date',
  'carrier_tracking_ref',
  'partner_id',
  'sale_id',
  'move_ids',
  'write_date',
];

export async function shipmentNoticeFromPicking(
  client: OdooClient,
  pickingId: number,
  context: OutboundShipmentContext,
): Promise<ShipmentNotice> {
  const [picking] = await readRecords(client, 'stock.picking', [pickingId], PICKING_FIELDS);
  if (!picking) throw new OdooError('business', `stock.picking ${pickingId} does not exist`);
  if (picking['picking_type_code'] !== 'outgoing' || picking['state'] !== 'done') {
    throw new OdooError(
      'business',
      `stock.picking ${String(picking['name'])} is ${String(picking['picking_type_code'])}/${String(picking['state'])}, not a done delivery`,
    );
  }
  const field = context.delivery?.moveQuantityField ?? 'quantity';
  const moves = await readRecords(client, 'stock.move', (picking['move_ids'] as number[]) ?? [], [
    'product_id',
    'product_uom_qty',
    field,
    'state',
  ]);
  // Quantities go out in the unit Odoo counted them in: 2.5 kg is not 2.5 EA.
  const unitOfMove = await moveUnits(
    client,
    moves.map((m) => m.id),
  );
  const codeOf = await unitCodes(client, unitOfMove.values(), context.delivery?.units);
  const productIds = [
    ...new Set(moves.map((m) => many2oneId(m['product_id'])).filter((id) => id !== undefined)),
  ];
  const products = new Map(
    (await readRecords(client, 'product.product', productIds, ['default_code', 'name'])).map((p) => [
      p.id,
      p,
    ]),
  );
  const saleId = many2oneId(picking['sale_id']);
  const [sale] =
    saleId === undefined
      ? []
      : await readRecords(client, 'sale.order', [saleId], ['name', 'client_order_ref']);
  const customerId = many2oneId(picking['partner_id']);
  const [customer] =
    customerId === undefined ? [] : await readRecords(client, 'res.partner', [customerId], ['name', 'ref']);

  const shippedAt = odooToIso(String(picking['date_done'] || picking['scheduled_date']));
  const purchaseOrderNumber =
    charValue(sale?.['client_order_ref']) ??
    charValue(sale?.['name']) ??
    charValue(picking['origin']) ??
    String(picking['name']);
  // A unit with no code partners can read stops the notice here, naming it, not in the EDI render.
  const unitCodeOf = (moveId: number, sku: string | undefined): string => {
    const unit = unitOfMove.get(moveId);
    if (!unit) return 'EA';
    try {
      return codeOf(unit);
    } catch (error) {
      if (!(error instanceof OdooError)) throw error;
      throw new OdooError(
        'business',
        `picking ${String(picking['name'])}, move ${moveId}${sku ? ` (${sku})` : ''}: ${error.message}`,
      );
    }
  };
  const lines = moves
    .filter((m) => m['state'] !== 'cancel')
    .map((move, index) => {
      const product = products.get(many2oneId(move['product_id']) ?? -1);
      const sku = charValue(product?.['default_code']);
      const shipped = typeof move[field] === 'number' ? move[field] : Number(move['product_uom_qty'] ?? 0);
      return {
        lineNumber: String(index + 1),
        ...(sku ? { sku } : {}),
        ids: sku ? [{ qualifier: 'VP', value: sku }] : [],
        ...(charValue(product?.['name']) ? { description: String(product?.['name']) } : {}),
        quantityShipped: { value: shipped, unit: unitCodeOf(move.id, sku) },
      };
    });
  const now = (context.now ?? (() => new Date()))();
  const messageId = `odoo:${client.database}:stock.picking:${picking.id}:${String(picking['write_date'])}`;
  const document: ShipmentNotice = {
    documentType: 'ShipmentNotice',
    schemaVersion: '1',
    id: randomUUID(),
    tenantId: context.tenantId,
    partnerId: context.partnerId,
    createdAt: now.toISOString(),
    source: { channel: 'odoo', format: 'odoo-stock.picking', environment: context.environment, messageId },
    correlationId: context.correlationId ?? messageId,
    references: [{ qualifier: 'odoo:stock.picking', value: String(picking['name']) }],
    shipmentId: String(picking['name']),
    purpose: 'original',
    issuedAt: now.toISOString(),
    shippedAt,
    trackingNumbers: referenceTokens(picking['carrier_tracking_ref']),
    parties: customer
      ? [
          {
            role: 'shipTo',
            name: String(customer['name']),
            ids: charValue(customer['ref']) ? [{ qualifier: '92', value: String(customer['ref']) }] : [],
          },
        ]
      : [],
    orders: [{ purchaseOrderNumber, packages: [], lines }],
  };
  const check = validateCanonical('ShipmentNotice', document);
  if (!check.valid) {
    throw new OdooError(
      'business',
      `picking ${String(picking['name'])} does not make a valid ShipmentNotice: ${check.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
    );
  }
  return document;
}

/** Odoo's naive UTC `YYYY-MM-DD HH:MM:SS` → ISO 8601 with offset. */
function odooToIso(value: string): string {
  return `${value.slice(0, 19).replace(' ', 'T')}Z`;
}
