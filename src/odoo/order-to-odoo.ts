/**
 * Order → sale.order: customer by `res.partner.ref`, lines by `product.product.default_code`,
 * `client_order_ref` = the order number; confirmed with `action_confirm` when the tenant asks.
 */
import { createHash } from 'node:crypto';
import type { Order } from '../canonical/order.schema.js';
import { OdooError } from './odoo-errors.js';
import { singleRecordResult, type DeliveryContext, type OdooDeliveryResult } from './odoo-delivery-types.js';
import {
  bindCreatedRecord,
  bindExternalId,
  completeName,
  externalIdName,
  resolveExternalId,
} from './odoo-external-ids.js';
import { dropCreateLease, takeCreateLease } from './odoo-create-lease.js';
import { findPartnerByRefs, requirePartnerByRefs, requireProductsBySku } from './odoo-lookups.js';
import { decimalToOdooNumber } from './odoo-money.js';
import { createRecord, readRecords, searchRead, type OdooRecord } from './odoo-records.js';
import { postNoteOnce } from './odoo-notes.js';
import { lineUnits, orderLineUnitField, unitsForProducts, unitValue, type UnitLine } from './odoo-units.js';
import { charValue, many2oneId, toOdooDatetime } from './odoo-values.js';

export async function deliverOrder(ctx: DeliveryContext, order: Order): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  const ref = { module: ctx.module, name: externalIdName('order', order.channel, order.orderNumber) };
  const externalId = completeName(ref);
  const wantsConfirm =
    ctx.options.confirmOrders === true && order.status !== 'CANCELLED' && order.status !== 'ON_HOLD';

  const known = await resolveExternalId(client, ref);
  const customer = known
    ? undefined
    : await requirePartnerByRefs(
        client,
        order.customer.ids.map((i) => i.value),
        'customer',
      );
  // A record created just before a crash, whose external id never got written: adopt it, don't duplicate.
  const adopted =
    known || customer === undefined
      ? undefined
      : (
          await searchRead(
            client,
            'sale.order',
            [
              ['client_order_ref', '=', order.orderNumber],
              ['partner_id', '=', customer],
            ],
            ['id'],
            { limit: 1, order: 'id' },
          )
        )[0]?.id;
  const currencies = new Set(order.lines.flatMap((l) => (l.unitPrice ? [l.unitPrice.currency] : [])));
  if (currencies.size > 1)
    throw new OdooError(
      'business',
      `order ${order.orderNumber} mixes currencies ${[...currencies].join(', ')}`,
    );
  const priced = [...currencies][0];
  // Checked before the external id is bound: an order left by a crash is held to the same rule.
  if (adopted !== undefined && priced !== undefined) await requireCurrency(ctx, adopted, priced, order);
  if (adopted !== undefined) {
    await bindExternalId(client, ref, 'sale.order', adopted);
    await dropCreateLease(client, ref);
  }

  const existingId = known?.resId ?? adopted;
  if (existingId !== undefined) {
    const [current] = await readRecords(client, 'sale.order', [existingId], ['state', 'order_line']);
    const state = current?.['state'];
    const flags = (await linesDiffer(ctx, existingId, current, order, externalId))
      ? ['differs_from_existing_order']
      : [];
    if (order.status === 'CANCELLED' && state !== 'cancel') {
      await client.call('sale.order', 'action_cancel', { ids: [existingId] });
      return singleRecordResult('sale.order', existingId, externalId, 'updated', flags);
    }
    if (wantsConfirm && (state === 'draft' || state === 'sent')) {
      await client.call('sale.order', 'action_confirm', { ids: [existingId] });
      return singleRecordResult('sale.order', existingId, externalId, 'updated', flags);
    }
    return singleRecordResult('sale.order', existingId, externalId, 'skipped', flags);
  }

  // Independent lookups go out together: one round trip of latency instead of two.
  const [products, shipToFound] = await Promise.all([
    requireProductsBySku(
      client,
      order.lines.map((l) => l.sku),
    ),
    findPartnerByRefs(
      client,
      order.shipTo.ids.map((i) => i.value),
    ),
  ]);
  const shipTo = shipToFound ?? customer!;
  // Each line in its own unit (2 cases stay 2 cases; Odoo counts the delivery in the product's unit).
  const [units, unitField] = await Promise.all([
    unitsForProducts(ctx, orderUnitLines(order), products),
    orderLineUnitField(client),
  ]);
  // No currency_id: on sale.order it comes from the pricelist (or the company), and writing it would
  // rewrite the pricelist. The currency Odoo gave the order is checked right after the create.

  const vals: Record<string, unknown> = {
    partner_id: customer,
    partner_shipping_id: shipTo,
    client_order_ref: order.orderNumber,
    origin: `${order.channel} ${order.orderNumber}`,
    date_order: toOdooDatetime(order.orderedAt),
    order_line: order.lines.map((line, index) => [
      0,
      0,
      {
        product_id: products.get(line.sku),
        product_uom_qty: line.quantity.value,
        ...unitValue(unitField, units[index], 'sale.order.line'),
        ...(line.description ? { name: line.description } : {}),
        ...(line.unitPrice
          ? {
              price_unit: decimalToOdooNumber(
                line.unitPrice.amount,
                line.unitPrice.currency,
                `line ${line.lineNumber} unit price`,
              ),
            }
          : {}),
      },
    ]),
  };
  if (order.requestedShipDate) vals['commitment_date'] = `${order.requestedShipDate} 00:00:00`;

  const lease = await takeCreateLease(client, ref, 'sale.order', ctx.options.createLeaseSeconds);
  const created = await lease.create(() => createRecord(client, 'sale.order', vals));
  if (priced !== undefined) await requireCurrency(ctx, created, priced, order);
  const { id, won } = await bindCreatedRecord(client, ref, 'sale.order', [created]);
  if (!won) return singleRecordResult('sale.order', id, externalId, 'skipped');
  if (order.status === 'CANCELLED') await client.call('sale.order', 'action_cancel', { ids: [id] });
  else if (wantsConfirm) await client.call('sale.order', 'action_confirm', { ids: [id] });
  return singleRecordResult('sale.order', id, externalId, 'created');
}

/**
 * Odoo prices the order in its pricelist's currency (the company's without one) and reads every
 * price_unit in it: an order priced in EUR booked on a USD pricelist would change its amounts
 * silently. A draft Odoo gave another currency is removed and the order refused, naming what to fix.
 */
async function requireCurrency(
  ctx: DeliveryContext,
  orderId: number,
  currency: string,
  order: Order,
): Promise<void> {
  const { client } = ctx;
  const [current] = await readRecords(
    client,
    'sale.order',
    [orderId],
    ['currency_id', 'state', 'partner_id'],
  );
  const currencyId = many2oneId(current?.['currency_id']);
  if (currencyId === undefined) return;
  const [row] = await readRecords(client, 'res.currency', [currencyId], ['name']);
  const odooCurrency = row?.['name'];
  if (odooCurrency === currency) return;
  if (current?.['state'] === 'draft') await client.call('sale.order', 'unlink', { ids: [orderId] });
  throw new OdooError(
    'business',
    `order ${order.orderNumber} is priced in ${currency} but Odoo prices this customer's orders in ${String(odooCurrency)} (its pricelist or the company currency); give the customer a ${currency} pricelist in Odoo, then replay`,
  );
}

/**
 * Whether the order Odoo holds has other lines than the document (a customer resending order 1001
 * with another quantity or price). Crossdock does not rewrite an order Odoo may have confirmed,
 * delivered or edited: the difference is flagged, and noted once per distinct version.
 */
async function linesDiffer(
  ctx: DeliveryContext,
  orderId: number,
  current: OdooRecord | undefined,
  order: Order,
  externalId: string,
): Promise<boolean> {
  const { client } = ctx;
  const lineIds = Array.isArray(current?.['order_line']) ? (current['order_line'] as number[]) : [];
  const unitField = await orderLineUnitField(client);
  const lines = await readRecords(client, 'sale.order.line', lineIds, [
    'product_id',
    'product_uom_qty',
    ...(unitField ? [unitField] : []),
    'price_unit',
  ]);
  // Compared only where Odoo says which unit a line is in.
  const units = unitField ? await lineUnits(ctx, orderUnitLines(order)) : undefined;
  const skus = [...new Set(order.lines.map((l) => l.sku))];
  const products = await searchRead(
    client,
    'product.product',
    [['default_code', 'in', skus]],
    ['default_code'],
  );
  const productOf = new Map(products.map((p) => [charValue(p['default_code']), p.id]));
  const priced = order.lines.every((l) => l.unitPrice !== undefined);
  const wanted = order.lines
    .map((l, index) => {
      const price = priced
        ? `|${decimalToOdooNumber(l.unitPrice!.amount, l.unitPrice!.currency, `line ${l.lineNumber} unit price`)}`
        : '';
      return `${productOf.get(l.sku) ?? l.sku}|${l.quantity.value}|${units?.[index]!.id ?? ''}${price}`;
    })
    .sort();
  const held = lines
    .map(
      (l) =>
        `${many2oneId(l['product_id']) ?? '?'}|${Number(l['product_uom_qty'])}|${unitField ? (many2oneId(l[unitField]) ?? '?') : ''}${priced ? `|${Number(l['price_unit'])}` : ''}`,
    )
    .sort();
  if (JSON.stringify(wanted) === JSON.stringify(held)) return false;
  const marker = `[crossdock ${externalId} resent ${createHash('sha256').update(JSON.stringify(order.lines)).digest('hex').slice(0, 8)}]`;
  await postNoteOnce(
    client,
    ctx.module,
    'sale.order',
    orderId,
    marker,
    [
      `The customer sent order ${order.orderNumber} again with other lines; Crossdock did not change this order: review it.`,
      ...order.lines.map(
        (l) =>
          `- ${l.sku}: ${l.quantity.value} ${l.quantity.unit}${l.unitPrice ? ` at ${l.unitPrice.amount} ${l.unitPrice.currency}` : ''}`,
      ),
      marker,
    ].join('\n'),
  );
  return true;
}

function orderUnitLines(order: Order): UnitLine[] {
  return order.lines.map((l) => ({ label: `line ${l.lineNumber}`, sku: l.sku, quantity: l.quantity }));
}
