/**
 * Inbound ShipmentNotice (a supplier's ASN) → the open incoming stock.picking of each PO (found by
 * `origin`): `scheduled_date` from the estimated delivery, `carrier_tracking_ref` from the tracking
 * numbers (or PRO, or BOL), and a chatter note with the contents. Nothing is created: a PO without
 * an open receipt is a business error, so the ASN is dead-lettered and replayable, never lost.
 */
import { createHash } from 'node:crypto';
import type { ShipmentNotice } from '../canonical/shipment-notice.schema.js';
import { OdooError } from './odoo-errors.js';
import type { DeliveredRecord, DeliveryContext, OdooDeliveryResult } from './odoo-delivery-types.js';
import {
  bindExternalId,
  completeName,
  externalIdName,
  resolveExternalId,
  resolveExternalIds,
  type ExternalIdRef,
} from './odoo-external-ids.js';
import { PICKING_FIELDS, mergeReferences, referenceTokens, shipmentReferenceIds } from './odoo-lookups.js';
import { postNoteOnce } from './odoo-notes.js';
import { exclusively, pickingLockKey } from './odoo-picking-lock.js';
import { changedValues, readRecords, searchRead, writeRecords, type OdooRecord } from './odoo-records.js';
import { toOdooDatetime } from './odoo-values.js';

export async function deliverShipmentNotice(
  ctx: DeliveryContext,
  asn: ShipmentNotice,
): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  if (asn.orders.length === 0) {
    throw new OdooError('business', `ASN ${asn.shipmentId} names no purchase order to receive against`);
  }
  const trackingRef =
    asn.trackingNumbers.length > 0 ? asn.trackingNumbers.join(', ') : (asn.proNumber ?? asn.billOfLading);
  const wanted: Record<string, unknown> = {};
  if (asn.estimatedDeliveryAt) wanted['scheduled_date'] = toOdooDatetime(asn.estimatedDeliveryAt);
  if (trackingRef && asn.purpose !== 'cancel') wanted['carrier_tracking_ref'] = trackingRef;

  // Every PO's receipt is found before anything is written: an ASN is applied whole or not at all.
  const targets: Array<{
    po: ShipmentNotice['orders'][number];
    ref: ExternalIdRef;
    known: boolean;
    picking: OdooRecord;
  }> = [];
  for (const po of asn.orders) {
    const ref = {
      module: ctx.module,
      name: externalIdName('shipmentnotice', asn.partnerId, asn.shipmentId, po.purchaseOrderNumber),
    };
    const known = await resolveExternalId(client, ref);
    const picking = known
      ? (await readRecords(client, 'stock.picking', [known.resId], PICKING_FIELDS))[0]
      : await openReceiptFor(ctx, po.purchaseOrderNumber);
    if (!picking)
      throw new OdooError('business', `the receipt bound to ${completeName(ref)} is gone from Odoo`);
    targets.push({ po, ref, known: known !== undefined, picking });
  }
  // Tracking numbers are read and merged: another ASN (or 3PL confirmation) on the same receipt
  // must not interleave with this one, so the receipts are locked and read again (odoo-picking-lock.ts).
  const pickingIds = [...new Set(targets.map((t) => t.picking.id))];
  return exclusively(
    ctx,
    pickingIds.map((id) => pickingLockKey(ctx, id)),
    async () => {
      const fresh = new Map(
        (await readRecords(client, 'stock.picking', pickingIds, PICKING_FIELDS)).map((p) => [p.id, p]),
      );
      return applyNotice(ctx, asn, targets, wanted, trackingRef, fresh);
    },
  );
}

interface NoticeTarget {
  readonly po: ShipmentNotice['orders'][number];
  readonly ref: ExternalIdRef;
  readonly known: boolean;
  readonly picking: OdooRecord;
}

/** Runs under the receipts' lock, with the receipts as read under it (`current`). */
async function applyNotice(
  ctx: DeliveryContext,
  asn: ShipmentNotice,
  targets: readonly NoticeTarget[],
  wanted: Readonly<Record<string, unknown>>,
  trackingRef: string | undefined,
  current: Map<number, OdooRecord>,
): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  const records: DeliveredRecord[] = [];
  for (const target of targets) {
    const { po, ref, known } = target;
    // Two POs on one receipt: the second sees what the first wrote.
    const picking = current.get(target.picking.id);
    if (!picking) throw new OdooError('business', `the receipt for ${completeName(ref)} is gone from Odoo`);
    // The content hash lets a corrected 'replace' note again while a plain redelivery stays silent.
    const marker = `[crossdock ${completeName(ref)} ${asn.purpose} ${contentHash({ wanted, po })}]`;
    // A cancelled ASN only leaves a note: the receipt still stands, the supplier will send another.
    // Tracking numbers add up: another shipment's number on the same receipt stays (a later event
    // may name only that one).
    const forPicking =
      wanted['carrier_tracking_ref'] === undefined
        ? wanted
        : {
            ...wanted,
            carrier_tracking_ref: mergeReferences(picking['carrier_tracking_ref'], String(trackingRef)),
          };
    const changes = asn.purpose === 'cancel' ? {} : changedValues(picking, forPicking);
    await writeRecords(client, 'stock.picking', [picking.id], changes);
    current.set(picking.id, { ...picking, ...changes });
    const wantsNote = Object.keys(changes).length > 0 || !known || asn.purpose !== 'original';
    const noted =
      wantsNote &&
      (await postNoteOnce(client, ctx.module, 'stock.picking', picking.id, marker, noteFor(asn, po, marker)))
        .posted;
    if (!known) await bindExternalId(client, ref, 'stock.picking', picking.id);
    records.push({
      model: 'stock.picking',
      id: picking.id,
      action: Object.keys(changes).length > 0 || noted ? 'updated' : 'skipped',
    });
  }
  // BOL, PRO and shipment id point at the first receipt; later 214s and 210s find it through them.
  const first = targets[0]!;
  const references = shipmentReferenceIds(ctx.module, asn);
  const bound = new Set((await resolveExternalIds(client, references)).map((r) => r.name));
  for (const reference of references.filter((r) => !bound.has(r.name))) {
    await bindExternalId(client, reference, 'stock.picking', first.picking.id);
  }
  const action = records.some((r) => r.action === 'updated') ? 'updated' : 'skipped';
  return {
    model: 'stock.picking',
    id: first.picking.id,
    externalId: completeName(first.ref),
    action,
    records,
    flags: [],
  };
}

async function openReceiptFor(ctx: DeliveryContext, po: string): Promise<OdooRecord> {
  const base = [
    ['picking_type_code', '=', 'incoming'],
    ['state', 'not in', ['done', 'cancel']],
  ] as const;
  const exact = await searchRead(
    ctx.client,
    'stock.picking',
    [...base, ['origin', '=', po]],
    PICKING_FIELDS,
    {
      order: 'scheduled_date, id',
      limit: 1,
    },
  );
  if (exact[0]) return exact[0];
  // Odoo joins several POs into one origin ("PO1, PO2") when a receipt gathers them.
  const loose = await searchRead(
    ctx.client,
    'stock.picking',
    [...base, ['origin', 'ilike', po]],
    PICKING_FIELDS,
    {
      order: 'scheduled_date, id',
    },
  );
  const hit = loose.find((p) => referenceTokens(p['origin']).includes(po));
  if (!hit) {
    throw new OdooError(
      'business',
      `no open incoming stock.picking in Odoo with origin ${JSON.stringify(po)}`,
    );
  }
  return hit;
}

function noteFor(asn: ShipmentNotice, po: ShipmentNotice['orders'][number], marker: string): string {
  const lines = [...po.lines, ...po.packages.flatMap((p) => p.lines)].map(
    (l) =>
      `- ${l.sku ?? l.ids.map((i) => `${i.qualifier}:${i.value}`).join(' ')}: ${l.quantityShipped.value} ${l.quantityShipped.unit}${l.description ? ` (${l.description})` : ''}`,
  );
  const carrier = asn.carrier ? [asn.carrier.scac, asn.carrier.name].filter(Boolean).join(' ') : undefined;
  return [
    `Advance ship notice ${asn.shipmentId} (${asn.purpose}) for ${po.purchaseOrderNumber}`,
    asn.shippedAt ? `Shipped: ${asn.shippedAt}` : undefined,
    asn.estimatedDeliveryAt ? `Estimated delivery: ${asn.estimatedDeliveryAt}` : undefined,
    carrier ? `Carrier: ${carrier}` : undefined,
    asn.billOfLading ? `BOL: ${asn.billOfLading}` : undefined,
    asn.proNumber ? `PRO: ${asn.proNumber}` : undefined,
    asn.trackingNumbers.length > 0 ? `Tracking: ${asn.trackingNumbers.join(', ')}` : undefined,
    po.packages.length > 0
      ? `Packages: ${po.packages.map((p) => p.sscc ?? p.trackingNumber ?? '?').join(', ')}`
      : undefined,
    ...lines,
    marker,
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
}

function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8);
}
