/**
 * FulfillmentConfirmation (a 3PL shipped an order) → the outgoing stock.picking of that order:
 * shipped quantities on its moves (`quantity` + `picked` on 17.0+, `quantity_done` before),
 * `carrier_tracking_ref`, and a chatter note. Validating the picking stays a decision in Odoo.
 */
import type { FulfillmentConfirmation } from '../canonical/fulfillment-confirmation.schema.js';
import { OdooError } from './odoo-errors.js';
import type { DeliveredRecord, DeliveryContext, OdooDeliveryResult } from './odoo-delivery-types.js';
import { bindExternalId, completeName, externalIdName, resolveExternalId } from './odoo-external-ids.js';
import { PICKING_FIELDS } from './odoo-lookups.js';
import { postNoteOnce } from './odoo-notes.js';
import { changedValues, readRecords, searchRead, writeRecords, type OdooRecord } from './odoo-records.js';
import { charValue, many2oneId } from './odoo-values.js';

export async function deliverFulfillmentConfirmation(
  ctx: DeliveryContext,
  confirmation: FulfillmentConfirmation,
): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  const ref = {
    module: ctx.module,
    name: externalIdName('fulfillment', confirmation.orderNumber, confirmation.shipmentId),
  };
  const externalId = completeName(ref);
  const known = await resolveExternalId(client, ref);
  const picking = known
    ? (await readRecords(client, 'stock.picking', [known.resId], PICKING_FIELDS))[0]
    : await outgoingPickingFor(ctx, confirmation.orderNumber);
  if (!picking) throw new OdooError('business', `the delivery bound to ${externalId} is gone from Odoo`);
  const done = picking['state'] === 'done';

  const records: DeliveredRecord[] = [];
  const flags: string[] = [];
  if (done) flags.push('picking_already_done');
  else records.push(...(await applyQuantities(ctx, picking, confirmation)));

  const tracking = confirmation.trackingNumbers.join(', ');
  const changes = tracking ? changedValues(picking, { carrier_tracking_ref: tracking }) : {};
  await writeRecords(client, 'stock.picking', [picking.id], changes);

  const marker = `[crossdock ${externalId}]`;
  const changed = Object.keys(changes).length > 0 || records.some((r) => r.action === 'updated');
  // Until the external id is bound the note is owed, even when an attempt whose answer was lost
  // already wrote every quantity (so nothing changes now); the marker keeps it to one note.
  if (changed || !known) {
    await postNoteOnce(
      client,
      ctx.module,
      'stock.picking',
      picking.id,
      marker,
      noteFor(confirmation, marker),
    );
  }
  if (!known) await bindExternalId(client, ref, 'stock.picking', picking.id);
  const action = changed ? 'updated' : 'skipped';
  return {
    model: 'stock.picking',
    id: picking.id,
    externalId,
    action,
    records: [{ model: 'stock.picking', id: picking.id, action }, ...records],
    flags,
  };
}

/** The order's delivery: by picking origin/name (the Odoo order name) or the customer's order ref. */
async function outgoingPickingFor(ctx: DeliveryContext, orderNumber: string): Promise<OdooRecord> {
  const rows = await searchRead(
    ctx.client,
    'stock.picking',
    [
      ['picking_type_code', '=', 'outgoing'],
      ['state', '!=', 'cancel'],
      '|',
      '|',
      '|',
      ['origin', '=', orderNumber],
      ['name', '=', orderNumber],
      ['sale_id.name', '=', orderNumber],
      ['sale_id.client_order_ref', '=', orderNumber],
    ],
    PICKING_FIELDS,
    { order: 'id' },
  );
  // An order may have a done delivery and an open backorder: the open one takes the quantities.
  const open = rows.find((p) => p['state'] !== 'done') ?? rows[0];
  if (!open)
    throw new OdooError(
      'business',
      `no outgoing stock.picking in Odoo for order ${JSON.stringify(orderNumber)}`,
    );
  return open;
}

async function applyQuantities(
  ctx: DeliveryContext,
  picking: OdooRecord,
  confirmation: FulfillmentConfirmation,
): Promise<DeliveredRecord[]> {
  const { client } = ctx;
  const field = ctx.options.moveQuantityField ?? 'quantity';
  const moveIds = Array.isArray(picking['move_ids']) ? (picking['move_ids'] as number[]) : [];
  const moves = await readRecords(client, 'stock.move', moveIds, [
    'product_id',
    field,
    'state',
    ...(field === 'quantity' ? ['picked'] : []),
  ]);
  const productIds = [
    ...new Set(moves.map((m) => many2oneId(m['product_id'])).filter((id): id is number => id !== undefined)),
  ];
  const products = await readRecords(client, 'product.product', productIds, ['default_code']);
  const skuOf = new Map(products.map((p) => [p.id, charValue(p['default_code'])]));

  const shipped = new Map<string, number>();
  for (const line of confirmation.lines)
    shipped.set(line.sku, (shipped.get(line.sku) ?? 0) + line.quantityShipped.value);
  const unknown = [...shipped.keys()].filter(
    (sku) => !moves.some((m) => skuOf.get(many2oneId(m['product_id']) ?? -1) === sku),
  );
  if (unknown.length > 0) {
    throw new OdooError(
      'business',
      `delivery ${String(picking['name'])} has no move for ${unknown.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  const records: DeliveredRecord[] = [];
  for (const [sku, quantity] of shipped) {
    // Several moves for one product: the first open one carries the shipped quantity.
    const move = moves.find(
      (m) =>
        skuOf.get(many2oneId(m['product_id']) ?? -1) === sku &&
        m['state'] !== 'done' &&
        m['state'] !== 'cancel',
    );
    if (!move) continue;
    const wanted = field === 'quantity' ? { quantity, picked: true } : { quantity_done: quantity };
    const changes = changedValues(move, wanted);
    await writeRecords(client, 'stock.move', [move.id], changes);
    records.push({
      model: 'stock.move',
      id: move.id,
      action: Object.keys(changes).length > 0 ? 'updated' : 'skipped',
    });
  }
  return records;
}

function noteFor(c: FulfillmentConfirmation, marker: string): string {
  const carrier = [c.carrier.scac, c.carrier.name, c.carrier.service].filter(Boolean).join(' ');
  return [
    `Shipped by the warehouse: shipment ${c.shipmentId} at ${c.shippedAt}`,
    carrier ? `Carrier: ${carrier}` : undefined,
    c.trackingNumbers.length > 0 ? `Tracking: ${c.trackingNumbers.join(', ')}` : undefined,
    c.packages.length > 0 ? `Packages: ${c.packages.length}` : undefined,
    ...c.lines.map((l) => `- ${l.sku}: ${l.quantityShipped.value} ${l.quantityShipped.unit}`),
    marker,
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
}
