/**
 * TrackingEvent → a chatter note on every stock.picking the event's references reach: reference ids
 * an ASN bound (BOL, PRO, shipment id), `carrier_tracking_ref`, then `origin` = a PO number. The
 * note's external id makes a redelivered event a no-op; the milestone history itself stays in
 * Crossdock for the portal.
 */
import type { TrackingEvent } from '../canonical/tracking-event.schema.js';
import { OdooError } from './odoo-errors.js';
import type { DeliveredRecord, DeliveryContext, OdooDeliveryResult } from './odoo-delivery-types.js';
import { bindExternalId, completeName, externalIdName, resolveExternalId } from './odoo-external-ids.js';
import { pickingsByReferenceIds, pickingsByTrackingRef, shipmentReferenceIds } from './odoo-lookups.js';
import { findNote, postNote, searchRead } from './odoo-records.js';

export async function deliverTrackingEvent(
  ctx: DeliveryContext,
  event: TrackingEvent,
): Promise<OdooDeliveryResult> {
  const { client } = ctx;
  const shipment = event.shipmentRef;
  const key =
    shipment.carrierReference ??
    shipment.proNumber ??
    shipment.billOfLading ??
    shipment.shipmentId ??
    shipment.purchaseOrderNumbers.join('+');
  if (!key)
    throw new OdooError('business', 'tracking event carries no shipment reference to find a picking by');
  const ref = {
    module: ctx.module,
    name: externalIdName('trackingevent', event.partnerId, key, event.statusCode, event.occurredAt),
  };
  const externalId = completeName(ref);

  const known = await resolveExternalId(client, ref);
  if (known) {
    return {
      model: 'mail.message',
      id: known.resId,
      externalId,
      action: 'skipped',
      records: [{ model: 'mail.message', id: known.resId, action: 'skipped' }],
      flags: [],
    };
  }

  const pickingIds = await pickingsFor(ctx, event);
  if (pickingIds.length === 0) {
    throw new OdooError(
      'business',
      `no stock.picking in Odoo matches tracking references ${JSON.stringify({ ...shipment })}`,
    );
  }
  const marker = `[crossdock ${externalId}]`;
  const body = noteFor(event, marker);
  const records: DeliveredRecord[] = [];
  let mainMessage: number | undefined;
  // Only notes posted by this delivery may be removed if another delivery of the event won the race.
  const newMessages: number[] = [];
  for (const pickingId of pickingIds) {
    // After a crash between posting and binding, the marker finds the note already there.
    const existing = await findNote(client, 'stock.picking', pickingId, marker);
    const messageId = existing ?? (await postNote(client, 'stock.picking', pickingId, body));
    if (existing === undefined) newMessages.push(messageId);
    mainMessage ??= messageId;
    records.push({
      model: 'stock.picking',
      id: pickingId,
      action: existing === undefined ? 'updated' : 'skipped',
    });
  }
  const bound = await bindExternalId(client, ref, 'mail.message', mainMessage!);
  if (bound !== mainMessage) {
    // Another delivery of this event got there first: the notes this one posted are duplicates.
    if (newMessages.length > 0) await client.call('mail.message', 'unlink', { ids: newMessages });
    return {
      model: 'mail.message',
      id: bound,
      externalId,
      action: 'skipped',
      records: [{ model: 'mail.message', id: bound, action: 'skipped' }],
      flags: [],
    };
  }
  const action = records.some((r) => r.action === 'updated') ? 'created' : 'skipped';
  return {
    model: 'mail.message',
    id: mainMessage!,
    externalId,
    action,
    records: [{ model: 'mail.message', id: mainMessage!, action }, ...records],
    flags: [],
  };
}

async function pickingsFor(ctx: DeliveryContext, event: TrackingEvent): Promise<number[]> {
  const s = event.shipmentRef;
  const ids = await pickingsByReferenceIds(ctx.client, [
    ...shipmentReferenceIds(ctx.module, s),
    ...(s.carrierReference ? shipmentReferenceIds(ctx.module, { proNumber: s.carrierReference }) : []),
  ]);
  const add = (more: readonly number[]): void => {
    for (const id of more) if (!ids.includes(id)) ids.push(id);
  };
  if (ids.length === 0) {
    const refs = [s.carrierReference, s.proNumber, s.billOfLading, s.shipmentId].filter(
      (r): r is string => !!r,
    );
    add((await pickingsByTrackingRef(ctx.client, refs, [['state', '!=', 'cancel']])).map((p) => p.id));
  }
  if (ids.length === 0 && s.purchaseOrderNumbers.length > 0) {
    const byOrigin = await searchRead(
      ctx.client,
      'stock.picking',
      [
        ['origin', 'in', s.purchaseOrderNumbers],
        ['state', '!=', 'cancel'],
      ],
      ['id'],
      { order: 'id' },
    );
    add(byOrigin.map((p) => p.id));
  }
  return ids;
}

function noteFor(event: TrackingEvent, marker: string): string {
  const place = event.location
    ? [event.location.name, event.location.city, event.location.region, event.location.country]
        .filter(Boolean)
        .join(', ')
    : undefined;
  const pod = event.proofOfDelivery?.signedBy ? `Signed by: ${event.proofOfDelivery.signedBy}` : undefined;
  return [
    `Carrier status ${event.milestone} (${event.statusCode}${event.reasonCode ? `/${event.reasonCode}` : ''}) at ${event.occurredAt}`,
    event.carrier?.scac
      ? `Carrier: ${event.carrier.scac}${event.carrier.name ? ` ${event.carrier.name}` : ''}`
      : undefined,
    place ? `Location: ${place}` : undefined,
    pod,
    event.shipmentRef.proNumber ? `PRO: ${event.shipmentRef.proNumber}` : undefined,
    event.shipmentRef.billOfLading ? `BOL: ${event.shipmentRef.billOfLading}` : undefined,
    marker,
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
}
