/**
 * ReturnAuthorization → an incoming stock.picking (a receipt from the customer's location) with
 * `origin` = the return number, a move per returned SKU, linked by `return_id` to the original
 * delivery when Odoo has it.
 */
import type { ReturnAuthorization } from '../canonical/return-authorization.schema.js';
import { singleRecordResult, type DeliveryContext, type OdooDeliveryResult } from './odoo-delivery-types.js';
import {
  bindCreatedRecord,
  bindExternalId,
  completeName,
  externalIdName,
  resolveExternalId,
} from './odoo-external-ids.js';
import { requireId, requirePartnerByRefs, requireProductsBySku } from './odoo-lookups.js';
import { dropCreateLease, takeCreateLease } from './odoo-create-lease.js';
import { postNoteOnce } from './odoo-notes.js';
import { createRecord, readRecords, searchRead } from './odoo-records.js';
import { moveUnitField, unitsForProducts, unitValue } from './odoo-units.js';
import { many2oneId } from './odoo-values.js';

export async function deliverReturnAuthorization(
  ctx: DeliveryContext,
  rma: ReturnAuthorization,
): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  const ref = { module: ctx.module, name: externalIdName('return', rma.returnNumber) };
  const externalId = completeName(ref);
  // One note per status the return reaches: a status update (REJECTED after APPROVED) is noted once,
  // a plain redelivery finds its note by the marker.
  const marker = `[crossdock ${externalId} status ${rma.status}]`;
  // Odoo keeps expecting the goods: cancelling the receipt is an operator's call in Odoo.
  const flags = rma.status === 'REJECTED' ? ['return_rejected'] : [];
  const note = async (pickingId: number): Promise<boolean> => {
    const { posted } = await postNoteOnce(
      client,
      ctx.module,
      'stock.picking',
      pickingId,
      marker,
      [
        `Return ${rma.returnNumber} (${rma.status}) for order ${rma.originalOrderNumber}`,
        `Reason: ${rma.reason}`,
        ...rma.lines.map(
          (l) =>
            `- ${l.sku}: ${l.quantity.value} ${l.quantity.unit}${l.condition ? ` (${l.condition})` : ''}`,
        ),
        marker,
      ].join('\n'),
    );
    return posted;
  };
  const known = await resolveExternalId(client, ref);
  if (known) {
    const action = (await note(known.resId)) ? 'updated' : 'skipped';
    return singleRecordResult('stock.picking', known.resId, externalId, action, flags);
  }

  const [adopted] = await searchRead(
    client,
    'stock.picking',
    [
      ['picking_type_code', '=', 'incoming'],
      ['origin', '=', rma.returnNumber],
    ],
    ['id'],
    { limit: 1, order: 'id' },
  );
  if (adopted) {
    const id = await bindExternalId(client, ref, 'stock.picking', adopted.id);
    await dropCreateLease(client, ref);
    await note(id);
    return singleRecordResult('stock.picking', id, externalId, 'skipped', flags);
  }

  const customer = await requirePartnerByRefs(
    client,
    rma.customer.ids.map((i) => i.value),
    'customer',
  );
  const products = await requireProductsBySku(
    client,
    rma.lines.map((l) => l.sku),
  );
  const typeId = await requireId(
    client,
    'stock.picking.type',
    [['code', '=', 'incoming']],
    'an incoming operation type (Receipts)',
  );
  const [type] = await readRecords(client, 'stock.picking.type', [typeId], ['default_location_dest_id']);
  const customers = await requireId(
    client,
    'stock.location',
    [['usage', '=', 'customer']],
    'a customer location',
  );
  const [original] = await searchRead(
    client,
    'stock.picking',
    [
      ['picking_type_code', '=', 'outgoing'],
      '|',
      '|',
      ['origin', '=', rma.originalOrderNumber],
      ['sale_id.name', '=', rma.originalOrderNumber],
      ['sale_id.client_order_ref', '=', rma.originalOrderNumber],
    ],
    ['id'],
    { limit: 1, order: 'id' },
  );
  const [units, unitField] = await Promise.all([
    unitsForProducts(
      ctx,
      rma.lines.map((l, index) => ({ label: `line ${index + 1}`, sku: l.sku, quantity: l.quantity })),
      products,
    ),
    moveUnitField(client),
  ]);
  const destination = many2oneId(type?.['default_location_dest_id']);
  const lease = await takeCreateLease(client, ref, 'stock.picking', ctx.options.createLeaseSeconds);
  const id = await lease.create(() =>
    createRecord(client, 'stock.picking', {
      picking_type_id: typeId,
      partner_id: customer,
      origin: rma.returnNumber,
      location_id: customers,
      ...(destination !== undefined ? { location_dest_id: destination } : {}),
      ...(original ? { return_id: original.id } : {}),
      move_ids: rma.lines.map((line, index) => [
        0,
        0,
        {
          product_id: products.get(line.sku),
          product_uom_qty: line.quantity.value,
          ...unitValue(unitField, units[index], 'stock.move'),
          name: `Return ${rma.returnNumber}: ${line.sku}`,
          location_id: customers,
          ...(destination !== undefined ? { location_dest_id: destination } : {}),
        },
      ]),
    }),
  );
  const bound = await bindCreatedRecord(client, ref, 'stock.picking', [id]);
  if (!bound.won) return singleRecordResult('stock.picking', bound.id, externalId, 'skipped', flags);
  await note(id);
  return singleRecordResult('stock.picking', id, externalId, 'created', flags);
}
